"""`ecomai` command line: a thin layer that parses arguments and calls the package."""

from __future__ import annotations

import argparse
import asyncio
import json
import logging
import sys
import tempfile
from pathlib import Path
from typing import Sequence

from ecomai.config import Settings


def main(argv: Sequence[str] | None = None) -> int:
    parser = _parser()
    args = parser.parse_args(argv)
    logging.basicConfig(
        level=logging.DEBUG if args.verbose else logging.WARNING,
        format="%(asctime)s level=%(levelname)s logger=%(name)s %(message)s",
    )
    return int(args.handler(args) or 0)


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="ecomai", description=__doc__)
    parser.add_argument("-v", "--verbose", action="store_true", help="debug logging")
    commands = parser.add_subparsers(required=True, metavar="COMMAND")

    db = commands.add_parser("db", help="database commands").add_subparsers(required=True, metavar="ACTION")
    init = db.add_parser("init", help="create the tables and load the demo shop")
    init.add_argument("--reset", action="store_true", help="drop and reload the shop data")
    init.set_defaults(handler=_db_init)

    gen = commands.add_parser("generate-shop", help="regenerate data/shop (deterministic)")
    gen.add_argument("--out", type=Path, default=Settings().shop_dir)
    gen.add_argument("--seed", type=int, default=7)
    gen.set_defaults(handler=_generate_shop)

    token = commands.add_parser("token", help="sign a customer token, as the shop's site would")
    token.add_argument("customer_id")
    token.add_argument("--ttl", type=int, default=3600, help="seconds until it expires")
    token.set_defaults(handler=_token)

    chat = commands.add_parser("chat", help="talk to the running assistant in the terminal")
    chat.add_argument("--url", default="ws://127.0.0.1:5005/webhooks/ecomai/ws")
    chat.add_argument("--customer", help="sign in as this customer id (signs a token locally)")
    chat.add_argument("--session", help="continue this session id")
    chat.set_defaults(handler=_chat)

    serve = commands.add_parser("serve", help="run the Rasa server and the action server")
    serve.add_argument("--host", default="127.0.0.1")
    serve.add_argument("--port", type=int, default=5005)
    serve.add_argument("--actions-port", type=int, default=5055)
    serve.set_defaults(handler=_serve)

    bench = commands.add_parser("bench", help="benchmarks").add_subparsers(required=True, metavar="WHAT")
    load = bench.add_parser("load", help="websocket channel vs Rasa's REST channel under concurrent load")
    load.add_argument("--clients", type=int, default=50)
    load.add_argument("--turns", type=int, default=20)
    load.add_argument("--ws-url", default="ws://127.0.0.1:5005/webhooks/ecomai/ws")
    load.add_argument("--rest-url", default="http://127.0.0.1:5005/webhooks/rest/webhook")
    load.add_argument("--timeout", type=float, default=60.0, help="seconds to wait for one reply")
    load.add_argument("--start", action="store_true", help="start a fresh service on free ports first")
    load.add_argument("--json-out", type=Path, help="also write the JSON result here")
    load.set_defaults(handler=_bench_load)
    return parser


def _db_init(args: argparse.Namespace) -> int:
    from ecomai.store.db import make_engine
    from ecomai.store.seed import init_database

    settings = Settings.from_env()
    counts = init_database(make_engine(settings.database_url), settings.shop_dir, reset=args.reset)
    print(json.dumps(counts))
    return 0


def _generate_shop(args: argparse.Namespace) -> int:
    from ecomai.shop.generate import write_demo_shop

    print(json.dumps(write_demo_shop(args.out, seed=args.seed)))
    return 0


def _token(args: argparse.Namespace) -> int:
    from ecomai.chat.identity import sign_customer_token

    print(sign_customer_token(Settings.from_env().token_secret, args.customer_id, ttl_s=args.ttl))
    return 0


def _chat(args: argparse.Namespace) -> int:
    from ecomai.chat.client import chat
    from ecomai.chat.identity import sign_customer_token

    token = sign_customer_token(Settings.from_env().token_secret, args.customer) if args.customer else None
    try:
        asyncio.run(chat(args.url, customer_token=token, session_id=args.session))
    except KeyboardInterrupt:
        pass
    return 0


def _serve(args: argparse.Namespace) -> int:
    from ecomai.service import Service, ServiceOptions

    if not _shop_is_seeded(Settings.from_env()):
        print("The shop database has no products: run `ecomai db init` first (make run does).", file=sys.stderr)
        return 1
    options = ServiceOptions(host=args.host, rasa_port=args.port, actions_port=args.actions_port)
    print("Starting the assistant (loading the model takes about a minute)...", flush=True)
    with Service(options) as service:
        print(f"Ready. Websocket: {options.websocket_url}\n"
              f"  Talk to it:   .venv/bin/ecomai chat --url {options.websocket_url}\n"
              f"  REST channel: {options.rest_url}\nCtrl-C stops everything.", flush=True)
        try:
            return service.wait()
        except KeyboardInterrupt:
            print("\nStopping...", flush=True)
            return 0


def _shop_is_seeded(settings: Settings) -> bool:
    from ecomai.errors import StoreUnavailable
    from ecomai.store.catalog import load_products
    from ecomai.store.db import make_engine

    try:
        return bool(load_products(make_engine(settings.database_url)))
    except StoreUnavailable:  # e.g. the tables do not exist yet
        return False


def _bench_load(args: argparse.Namespace) -> int:
    from ecomai.bench.load import format_table, run_load

    def measure(ws_url: str, rest_url: str) -> dict:
        return asyncio.run(run_load(ws_url, rest_url, clients=args.clients, turns=args.turns, timeout_s=args.timeout))

    if args.start:
        from ecomai.service import Service, ServiceOptions, demo_database, free_port

        with tempfile.TemporaryDirectory(prefix="ecomai-bench-") as tmp:
            url = demo_database(Path(tmp))
            options = ServiceOptions(rasa_port=free_port(), actions_port=free_port(), var_dir=Path(tmp),
                                     env={"ECOMAI_DATABASE_URL": url})
            with Service(options):
                result = measure(options.websocket_url, options.rest_url)
    else:
        result = measure(args.ws_url, args.rest_url)
    print(json.dumps(result, indent=2))
    print(format_table(result))
    if args.json_out:
        args.json_out.write_text(json.dumps(result, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
