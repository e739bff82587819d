"""The console's commands for the ``ecomai`` CLI: ``console``, ``staff add``,
``export nlu|conversations`` and ``bench console``. Kept here so the shared cli.py only
registers them; every heavy import happens inside the handler."""

from __future__ import annotations

import argparse
import getpass
import json
import sys
from pathlib import Path
from typing import Any, Callable

from ecomai.config import REPO_ROOT, Settings

Printer = Callable[[dict, str, "Path | None"], None]


def add_commands(commands: Any, bench: Any, print_result: Printer) -> None:
    """Register the console's subcommands on the CLI's ``commands`` and ``bench`` parsers."""
    console = commands.add_parser("console", help="run the support-staff console (needs only the database)")
    console.add_argument("--host", help="default: ECOMAI_CONSOLE_HOST or 127.0.0.1")
    console.add_argument("--port", type=int, help="default: ECOMAI_CONSOLE_PORT or 8080")
    console.add_argument("--secure-cookie", action="store_true", help="session cookie over HTTPS only (behind TLS)")
    console.set_defaults(handler=_console)

    staff = commands.add_parser("staff", help="support-staff accounts").add_subparsers(required=True, metavar="ACTION")
    add = staff.add_parser("add", help="create a staff account (asks for the password)")
    add.add_argument("username")
    add.add_argument("--password-stdin", action="store_true", help="read the password from the first line of stdin")
    add.set_defaults(handler=_staff_add)

    export = commands.add_parser("export", help="export reviewed data").add_subparsers(required=True, metavar="WHAT")
    nlu = export.add_parser("nlu", help="staff intent corrections as Rasa NLU YAML")
    nlu.add_argument("--out", type=Path, required=True)
    nlu.add_argument("--domain", type=Path, default=REPO_ROOT / "bot" / "domain.yml")
    nlu.add_argument("--unmasked", action="store_true", help="keep e-mails, phones and card numbers as typed")
    nlu.set_defaults(handler=_export_nlu)
    conv = export.add_parser("conversations", help="conversations with every message, as CSV or JSON")
    conv.add_argument("--out", type=Path, required=True)
    conv.add_argument("--format", choices=["csv", "json"], help="default: from the --out suffix")
    conv.add_argument("--from", dest="from_", metavar="DAY", help="started on or after this day (YYYY-MM-DD)")
    conv.add_argument("--to", metavar="DAY", help="started on or before this day")
    conv.add_argument("--unmasked", action="store_true", help="keep e-mails, phones and card numbers as typed")
    conv.set_defaults(handler=_export_conversations)

    bench_console = bench.add_parser("console", help="conversation-list queries: ours vs naive, on a seeded temp DB")
    bench_console.add_argument("--conversations", type=int, default=100_000)
    bench_console.add_argument("--messages-per-conversation", type=int, default=10)
    bench_console.add_argument("--repeats", type=int, default=20, help="timed runs per query")
    bench_console.add_argument("--seed", type=int, default=7)
    bench_console.add_argument("--keep-db", type=Path, help="write the seeded database here (else a temp file)")
    bench_console.add_argument("--json-out", type=Path, help="also write the JSON result here")
    bench_console.set_defaults(handler=lambda args: _bench_console(args, print_result))


def _engine(settings: Settings) -> Any:
    from ecomai.store.db import create_schema, make_engine

    engine = make_engine(settings.database_url)
    create_schema(engine)
    return engine


def _console(args: argparse.Namespace) -> int:
    from ecomai.console.server import console_options, serve_console

    settings = Settings.from_env()
    serve_console(settings, console_options(settings, host=args.host, port=args.port,
                                            secure_cookie=args.secure_cookie))
    return 0


def _staff_add(args: argparse.Namespace) -> int:
    from ecomai.console.auth import add_staff_member
    from ecomai.errors import InvalidInput

    if args.password_stdin:
        password = sys.stdin.readline().rstrip("\r\n")
    else:
        password = getpass.getpass(f"Password for {args.username}: ")
        if getpass.getpass("Again: ") != password:
            print("The passwords differ; nothing was created.", file=sys.stderr)
            return 1
    try:
        add_staff_member(_engine(Settings.from_env()), args.username, password)
    except InvalidInput as error:
        print(f"error: {error}", file=sys.stderr)
        return 1
    print(f"Created staff member {args.username}.")
    return 0


def _export_nlu(args: argparse.Namespace) -> int:
    from ecomai.console.domain import domain_intents
    from ecomai.console.export import nlu_yaml
    from ecomai.store.reviews import corrections

    found = corrections(_engine(Settings.from_env()))
    args.out.write_text(nlu_yaml(found, domain_intents(args.domain), masked=not args.unmasked), encoding="utf-8")
    print(json.dumps({"out": str(args.out), "corrections": len(found)}))
    return 0


def _export_conversations(args: argparse.Namespace) -> int:
    from ecomai.console.export import conversation_batches, csv_chunks, json_chunks
    from ecomai.console.params import query_from_params

    fmt = args.format or ("json" if args.out.suffix.lower() == ".json" else "csv")
    query = query_from_params({"from": args.from_ or "", "to": args.to or ""}, 0.5)
    count = 0

    def counted(batches: Any) -> Any:
        nonlocal count
        for batch in batches:
            count += 1
            yield batch

    batches = counted(conversation_batches(_engine(Settings.from_env()), query, masked=not args.unmasked))
    with args.out.open("w", encoding="utf-8", newline="") as handle:
        for chunk in (csv_chunks if fmt == "csv" else json_chunks)(batches):
            handle.write(chunk)
    print(json.dumps({"out": str(args.out), "format": fmt, "conversations": count}))
    return 0


def _bench_console(args: argparse.Namespace, print_result: Printer) -> int:
    from ecomai.bench.console import ConsoleBenchOptions, format_table, run_console_bench

    options = ConsoleBenchOptions(conversations=args.conversations,
                                  messages_per_conversation=args.messages_per_conversation,
                                  repeats=args.repeats, seed=args.seed, keep_db=args.keep_db)
    result = run_console_bench(options)
    print_result(result, format_table(result), args.json_out)
    return 0
