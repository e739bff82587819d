"""`ecomai serve` is stopped by process managers with SIGTERM: everything it started must
stop with it and give its ports back, or the next start fails on "address in use"."""

from __future__ import annotations

import contextlib
import json
import os
import signal
import socket
import subprocess
import sys
from pathlib import Path

from ecomai.config import REPO_ROOT
from ecomai.service import free_port

from .conftest import demo_database

SERVE_WITHOUT_RASA = """
import json, sys
from pathlib import Path
from ecomai.service import Service, ServiceOptions
options = ServiceOptions(actions_port=int(sys.argv[1]), console_port=int(sys.argv[2]), var_dir=Path(sys.argv[3]),
                         env={"ECOMAI_DATABASE_URL": sys.argv[4]})
with Service(options, with_rasa=False) as service:
    print(json.dumps([process.pid for process in service._processes.values()]), flush=True)
    service.wait()
"""


def test_sigterm_stops_every_process_the_service_started_and_frees_its_ports(tmp_path: Path) -> None:
    ports = free_port(), free_port()
    url = demo_database(tmp_path)
    serve = subprocess.Popen([sys.executable, "-c", SERVE_WITHOUT_RASA, *map(str, ports), str(tmp_path), url],
                             cwd=REPO_ROOT, stdout=subprocess.PIPE, text=True,
                             env={**os.environ, "PYTHONPATH": str(REPO_ROOT), "ECOMAI_DATABASE_URL": url})
    children: list[int] = []
    try:
        assert serve.stdout is not None
        children = json.loads(serve.stdout.readline())  # printed once both answer on HTTP
        assert len(children) == 2
        serve.send_signal(signal.SIGTERM)
        assert serve.wait(timeout=60) == 128 + signal.SIGTERM
        outlived = [pid for pid in children if alive(pid)]
        assert not outlived, f"{outlived} outlived the service"
    finally:
        serve.kill()
        for pid in children:  # each leads its own process group
            with contextlib.suppress(ProcessLookupError):
                os.killpg(pid, signal.SIGKILL)
    for port in ports:  # a restarted server can listen there again ("address in use" if anything still does)
        with socket.socket() as sock:
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)  # as servers do, past TIME_WAIT
            sock.bind(("127.0.0.1", port))
            sock.listen()


def alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    return True
