"""Start, watch and stop the service's processes: the Rasa server (with our channel)
and the action server. Used by `make run` (`ecomai serve`), by `make test` to run
`rasa test` against a fresh database, and by the end-to-end tests on free ports.

Processes are started with the `rasa` executable, never imported: ecomai imports no Rasa.
"""

from __future__ import annotations

import logging
import os
import shutil
import signal
import socket
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Mapping, Sequence

import yaml

from ecomai.config import REPO_ROOT

logger = logging.getLogger(__name__)

SERVICE_ENV = {
    "RASA_TELEMETRY_ENABLED": "false",
    "HF_HUB_OFFLINE": "1",
    "TRANSFORMERS_OFFLINE": "1",
    "TF_CPP_MIN_LOG_LEVEL": "2",
    "SQLALCHEMY_SILENCE_UBER_WARNING": "1",
    "OMP_WAIT_POLICY": "PASSIVE",  # see ecomai/__init__.py
    # Rasa reuses keep-alive connections to the action server for up to 15 s; if the
    # action server (Sanic, default 5 s) closes one first, a request under load fails
    # with "Cannot write to closing transport". Outlive the client's pool instead.
    "SANIC_KEEP_ALIVE_TIMEOUT": "75",
}


@dataclass(frozen=True)
class ServiceOptions:
    """Where the service listens and what it serves.

    Attributes:
        host: interface to bind (127.0.0.1 keeps the demo private; 0.0.0.0 to expose it).
        rasa_port: Rasa server, with the websocket channel at /webhooks/ecomai/ws.
        actions_port: rasa_sdk action server.
        model: trained Rasa model archive.
        var_dir: runtime state (databases, generated endpoints, logs).
        env: extra environment for both processes (e.g. ECOMAI_DATABASE_URL).
        console_port: also run the staff console (`ecomai console`) on this port; None: not.
    """

    host: str = "127.0.0.1"
    rasa_port: int = 5005
    actions_port: int = 5055
    model: Path = REPO_ROOT / "models" / "ecomai.tar.gz"
    var_dir: Path = Path("var")
    env: Mapping[str, str] = field(default_factory=dict)
    console_port: int | None = None

    def __post_init__(self) -> None:
        for port in (self.rasa_port, self.actions_port, self.console_port or 1):
            if not 0 < port < 65536:
                raise ValueError(f"invalid port {port}")

    @property
    def websocket_url(self) -> str:
        return f"ws://{self.host}:{self.rasa_port}/webhooks/ecomai/ws"

    @property
    def demo_url(self) -> str:
        """The demo shop page with the widget (served only when ECOMAI_DEMO=1)."""
        return f"http://{self.host}:{self.rasa_port}/webhooks/ecomai/demo"

    @property
    def rest_url(self) -> str:
        return f"http://{self.host}:{self.rasa_port}/webhooks/rest/webhook"


def demo_database(directory: Path) -> str:
    """Create and seed a fresh demo-shop SQLite database in ``directory``; returns its URL.

    Benchmarks and tests cancel orders and create returns, so they get their own copy
    rather than touching the one `make run` serves.
    """
    from ecomai.store.db import make_engine
    from ecomai.store.seed import init_database

    url = f"sqlite:///{Path(directory).resolve() / 'shop.db'}"
    init_database(make_engine(url), REPO_ROOT / "data" / "shop")
    return url


def free_port() -> int:
    """A currently free TCP port on loopback (for tests and parallel runs)."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def rasa_executable() -> str:
    """The `rasa` next to this Python (the project's venv), else the one on PATH."""
    beside = Path(sys.executable).with_name("rasa")
    return str(beside) if beside.exists() else (shutil.which("rasa") or "rasa")


def write_endpoints(options: ServiceOptions) -> Path:
    """endpoints.yml with this run's action-server URL and tracker database."""
    config = yaml.safe_load((REPO_ROOT / "endpoints.yml").read_text())
    config["action_endpoint"]["url"] = f"http://127.0.0.1:{options.actions_port}/webhook"
    config["tracker_store"]["db"] = str((options.var_dir / "rasa_tracker.db").resolve())
    run_dir = options.var_dir / "run"
    run_dir.mkdir(parents=True, exist_ok=True)
    path = run_dir / f"endpoints-{options.rasa_port}.yml"
    path.write_text(yaml.safe_dump(config, sort_keys=False))
    return path


class Service:
    """The running processes. Use as a context manager; leaving it stops them."""

    def __init__(self, options: ServiceOptions, *, with_rasa: bool = True) -> None:
        self.options = options
        self.with_rasa = with_rasa
        self._processes: dict[str, subprocess.Popen[bytes]] = {}
        self._sigterm_before: Any = None

    def __enter__(self) -> "Service":
        """Start; a SIGTERM to this process from now on stops the service like Ctrl-C.

        Why: Python's default SIGTERM ends the process at once, without leaving this
        context, and the processes it started (each in its own session) went on holding
        their ports, so the next start failed. Process managers stop services with SIGTERM."""
        if threading.current_thread() is threading.main_thread():
            self._sigterm_before = signal.signal(signal.SIGTERM, _exit_once)
        try:
            self.start()
        except BaseException:
            self._restore_sigterm()
            raise
        return self

    def __exit__(self, *exc_info: object) -> None:
        try:
            self.stop()
        finally:
            self._restore_sigterm()

    def _restore_sigterm(self) -> None:
        if self._sigterm_before is not None:
            signal.signal(signal.SIGTERM, self._sigterm_before)
            self._sigterm_before = None

    def start(self, timeout_s: float = 300.0) -> None:
        """Start the action server (and Rasa), returning once each answers on HTTP."""
        self.options.var_dir.mkdir(parents=True, exist_ok=True)
        names: tuple[str, ...] = ("actions", "rasa") if self.with_rasa else ("actions",)
        names += ("console",) if self.options.console_port else ()
        try:
            for name in names:
                self.start_process(name, wait=False)
            for name in names:
                self._wait_ready(name, timeout_s)
        except BaseException:
            self.stop()
            raise

    def start_process(self, name: str, *, wait: bool = True, timeout_s: float = 300.0) -> None:
        """(Re)start one process, "actions" or "rasa" — tests use it to take one away and back."""
        opts = self.options
        rasa = rasa_executable()
        if name == "actions":
            command = [rasa, "run", "actions", "--port", str(opts.actions_port), "--actions", "actions"]
        elif name == "console":  # its own process: staff keep working when Rasa restarts
            command = [sys.executable, "-m", "ecomai.cli", "console", "--host", opts.host,
                       "--port", str(opts.console_port)]
        else:
            command = [
                rasa, "run", "--model", str(opts.model), "--port", str(opts.rasa_port),
                "--interface", opts.host, "--credentials", str(REPO_ROOT / "bot" / "credentials.yml"),
                "--endpoints", str(write_endpoints(opts)), "--quiet",
            ]
        env = {**os.environ, **SERVICE_ENV, "PYTHONPATH": str(REPO_ROOT), **opts.env,
               **({"ECOMAI_WARM_UP": "1"} if name == "actions" else {})}  # see actions/__init__.py
        with open(opts.var_dir / f"{name}-{opts.rasa_port}.log", "ab") as log:
            self._processes[name] = subprocess.Popen(
                command, cwd=REPO_ROOT, env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True
            )
        if wait:
            self._wait_ready(name, timeout_s)

    def _wait_ready(self, name: str, timeout_s: float) -> None:
        port, path = {"actions": (self.options.actions_port, "/health"),
                      "console": (self.options.console_port, "/login")}.get(
            name, (self.options.rasa_port, "/webhooks/ecomai/"))
        wait_for_http(f"http://127.0.0.1:{port}{path}", timeout_s, [self._processes[name]])

    def wait(self) -> int:
        """Block until any process exits; returns its exit code."""
        while True:
            for process in self._processes.values():
                code = process.poll()
                if code is not None:
                    return code
            time.sleep(0.5)

    def stop(self, *names: str, grace_s: float = 15.0) -> None:
        """Stop the named processes (default: all): SIGTERM, then SIGKILL after ``grace_s``."""
        chosen = {n: p for n, p in self._processes.items() if not names or n in names}
        for process in chosen.values():
            if process.poll() is None:
                os.killpg(process.pid, signal.SIGTERM)
        deadline = time.monotonic() + grace_s
        for name, process in chosen.items():
            try:
                process.wait(timeout=max(0.1, deadline - time.monotonic()))
            except subprocess.TimeoutExpired:
                os.killpg(process.pid, signal.SIGKILL)
                process.wait()
            del self._processes[name]


def _exit_once(signum: int, _frame: Any) -> None:
    """SIGTERM handler: leave through the ``with`` block (exit status 128 + 15, as a
    shell reports a SIGTERM), ignoring further SIGTERMs while the processes stop."""
    signal.signal(signal.SIGTERM, signal.SIG_IGN)
    raise SystemExit(128 + signum)


def wait_for_http(url: str, timeout_s: float, processes: Sequence[subprocess.Popen[bytes]] = ()) -> None:
    """Poll ``url`` until it answers 200; fail fast if a watched process died."""
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        for process in processes:
            if process.poll() is not None:
                raise RuntimeError(f"process {process.pid} exited with {process.returncode}; see its log in the var dir")
        try:
            with urllib.request.urlopen(url, timeout=2) as response:
                if response.status == 200:
                    return
        except (urllib.error.URLError, ConnectionError, TimeoutError):
            pass
        time.sleep(0.5)
    raise TimeoutError(f"{url} did not answer within {timeout_s:.0f}s")
