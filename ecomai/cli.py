"""`ecomai` command line: a thin layer that parses arguments and calls the package."""

from __future__ import annotations

import argparse
import asyncio
import json
import logging
import sys
import tempfile
from pathlib import Path
from typing import TYPE_CHECKING, Sequence

from ecomai.config import Settings

if TYPE_CHECKING:
    from ecomai.nlu.train import TrainOptions


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
    serve.add_argument("--demo", action="store_true",
                       help="also serve the demo shop page, which signs in as a demo customer (never in production)")
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

    stt = bench.add_parser("stt", help="our Whisper path vs faster-whisper: WER, real-time factor, load, memory")
    stt.add_argument("--audio-dir", type=Path, required=True, help="audio files, each with a .txt transcript")
    stt.add_argument("--repeats", type=int, default=3, help="timed runs per file (median)")
    stt.add_argument("--device", choices=["cpu", "cuda"], help="default: cuda when there is one")
    stt.add_argument("--skip-peer", action="store_true", help="run only ours")
    stt.add_argument("--json-out", type=Path, help="also write the JSON result here")
    stt.set_defaults(handler=_bench_stt)

    transcribe = commands.add_parser("transcribe", help="transcribe audio files with the configured Whisper")
    transcribe.add_argument("files", type=Path, nargs="+")
    transcribe.set_defaults(handler=_transcribe)

    nlu = bench.add_parser("nlu", help="our intent classifier vs Rasa's CountVectors + DIET on one split")
    nlu.add_argument("--train", type=Path, required=True, help="CSV with header text,category (or text,label)")
    nlu.add_argument("--test", type=Path, required=True, help="CSV like --train")
    _add_train_options(nlu)
    nlu.add_argument("--diet-epochs", type=int, help="DIET's epochs (default: Rasa's default pipeline's, 100)")
    nlu.add_argument("--skip-diet", action="store_true", help="run only our classifier")
    nlu.add_argument("--json-out", type=Path, help="also write the JSON result here")
    nlu.set_defaults(handler=_bench_nlu)
    _add_search_commands(commands, bench)

    sentiment = bench.add_parser("sentiment", help="our sentiment head vs VADER on rated lines")
    sentiment.add_argument("--data", type=Path, required=True, help="id<TAB>mean<TAB>text lines (VADER's format)")
    sentiment.add_argument("--model", type=Path, help="trained NLU model (default: models/nlu)")
    sentiment.add_argument("--json-out", type=Path, help="also write the JSON result here")
    sentiment.set_defaults(handler=_bench_sentiment)

    train = commands.add_parser("train", help="train the intent + sentiment model into models/nlu")
    train.add_argument("--nlu", type=Path, default=_DATA / "nlu.yml", help="Rasa NLU data (intents)")
    train.add_argument("--sentiment", type=Path, default=_DATA / "sentiment",
                       help="a sentiment CSV or a directory of them (default: every CSV in data/sentiment)")
    train.add_argument("--out", type=Path, help="model directory (default: ECOMAI_NLU_DIR or models/nlu)")
    _add_train_options(train)
    train.set_defaults(handler=_train)
    models = train.add_subparsers(metavar="MODEL", help="another model than the NLU one")
    rec = models.add_parser("recommend", help="fit the recommender on the shop's history into models/recommender")
    rec.add_argument("--out", type=Path, help="model directory (default: ECOMAI_RECOMMENDER_DIR or models/recommender)")
    rec.add_argument("--l2", type=float, help="EASE's ridge penalty (default: the benchmark's choice)")
    rec.add_argument("--attribute-weight", type=float, help="weight of category/brand columns (0: none)")
    rec.add_argument("--half-life-days", type=float, help="recency decay of events (default: none)")
    rec.add_argument("--device", choices=["cpu", "cuda"], help="default: cuda when there is one")
    rec.set_defaults(handler=_train_recommend)

    bench_rec = bench.add_parser("recommend", help="our EASE vs implicit's ALS vs popularity on one hold-out split")
    source = bench_rec.add_mutually_exclusive_group(required=True)
    source.add_argument("--interactions", type=Path,
                        help="CSV: user,item[,weight][,timestamp] or our customer_id,sku,event,days_ago")
    source.add_argument("--synthetic-customers", type=int, help="generate a demo-style shop this big instead")
    bench_rec.add_argument("--items", type=Path, help="item attributes CSV (item or sku column), e.g. products.csv")
    bench_rec.add_argument("--item-columns", default="category,brand", help="attribute columns of --items")
    bench_rec.add_argument("--holdout", type=int, default=3, help="new items held out per customer")
    bench_rec.add_argument("--half-life-days", type=float, help="recency decay of events (default: none)")
    bench_rec.add_argument("--seed", type=int, default=42)
    bench_rec.add_argument("--device", choices=["cpu", "cuda"], help="for EASE; default: cuda when there is one")
    bench_rec.add_argument("--json-out", type=Path, help="also write the JSON result here")
    bench_rec.set_defaults(handler=_bench_recommend)

    from ecomai.console.commands import add_commands as add_console_commands

    add_console_commands(commands, bench, _print_result)  # console, staff, export, bench console
    return parser


_DATA = Path(__file__).resolve().parent.parent / "data"


def _add_train_options(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--epochs", type=int, default=5)
    parser.add_argument("--batch-size", type=int, default=32)
    parser.add_argument("--lr", type=float, default=8e-5, help="encoder learning rate")
    parser.add_argument("--seed", type=int, default=42)
    parser.add_argument("--device", choices=["cpu", "cuda"], help="default: cuda when there is one")
    parser.add_argument("--encoder", type=Path, help="BERT-style model directory (default: all-MiniLM-L6-v2)")
    parser.add_argument("--no-refit", action="store_true",
                        help="serve the model calibrated on the held-out tenth instead of training it again "
                             "on every example (half the training time)")
    parser.add_argument("--teachers", type=int, default=0,
                        help="fine-tune this many models with other seeds first and distil their averaged "
                             "probabilities into the served one (N more passes of training, none per message)")
    parser.add_argument("--distill-temperature", type=float, default=4.0,
                        help="softmax temperature of the distillation targets")
    parser.add_argument("--teacher-processes", type=int,
                        help="teachers fine-tuned at once, one process each (default: one per CPU core, "
                             "one at a time on a GPU)")


def _train_options(args: argparse.Namespace) -> "TrainOptions":
    from ecomai.nlu.train import TrainOptions

    return TrainOptions(epochs=args.epochs, batch_size=args.batch_size, learning_rate=args.lr, seed=args.seed,
                        device=args.device, refit=not args.no_refit, teachers=args.teachers,
                        distill_temperature=args.distill_temperature, teacher_processes=args.teacher_processes)


def _train(args: argparse.Namespace) -> int:
    from ecomai.nlu.data import read_rasa_intents, read_sentiment_data
    from ecomai.nlu.train import train_nlu

    settings = Settings.from_env()
    out = args.out or settings.nlu_dir
    sentiment = read_sentiment_data(args.sentiment) if args.sentiment.exists() else None
    if sentiment is None:
        print(f"warning: {args.sentiment} not found; training intents only (no sentiment)", file=sys.stderr)
    model, report = train_nlu(read_rasa_intents(args.nlu), sentiment, _train_options(args),
                              args.encoder or settings.encoder_dir)
    model.save(out)
    print(json.dumps({"model_dir": str(out), **report.to_dict()}, indent=2, default=str))
    return 0


def _train_recommend(args: argparse.Namespace) -> int:
    from ecomai.recommend.train import DEFAULT_ATTRIBUTE_WEIGHT, DEFAULT_L2, TrainRecommendOptions, train_recommender
    from ecomai.store.db import make_engine

    settings = Settings.from_env()
    weight = DEFAULT_ATTRIBUTE_WEIGHT if args.attribute_weight is None else args.attribute_weight
    options = TrainRecommendOptions(l2=args.l2 or DEFAULT_L2, attribute_weight=weight,
                                    half_life_days=args.half_life_days, device=args.device)
    report = train_recommender(make_engine(settings.database_url), args.out or settings.recommender_dir, options)
    print(json.dumps(report, indent=2))
    return 0


def _bench_recommend(args: argparse.Namespace) -> int:
    from ecomai.bench.recommend import RecommendBenchOptions, format_table, run_recommend_bench

    options = RecommendBenchOptions(args.interactions, args.synthetic_customers, items=args.items,
                                    item_columns=tuple(c.strip() for c in args.item_columns.split(",") if c.strip()),
                                    holdout=args.holdout, half_life_days=args.half_life_days, seed=args.seed,
                                    device=args.device)
    result = run_recommend_bench(options)
    _print_result(result, format_table(result), args.json_out)
    return 0


def _bench_nlu(args: argparse.Namespace) -> int:
    from ecomai.bench.nlu import NluBenchOptions, format_table, run_nlu_bench

    options = NluBenchOptions(args.train, args.test, _train_options(args), diet_epochs=args.diet_epochs,
                              skip_diet=args.skip_diet, encoder_dir=args.encoder or Settings.from_env().encoder_dir)
    result = run_nlu_bench(options)
    _print_result(result, format_table(result), args.json_out)
    return 0


def _add_search_commands(commands: argparse._SubParsersAction, bench: argparse._SubParsersAction) -> None:
    index = commands.add_parser("index", help="embed the catalog for product search into var/index")
    index.add_argument("--device", choices=["cpu", "cuda"], help="default: cuda when there is one")
    index.add_argument("--force", action="store_true", help="rebuild even when the saved index is fresh")
    index.set_defaults(handler=_index)

    search = bench.add_parser("search", help="our hybrid product search vs BM25 alone: NDCG, recall, MRR, latency")
    # Defaults live in SearchBenchOptions, which imports torch: the parser stays light.
    search.add_argument("--products", type=Path, help="product CSV (data/shop's columns; default: the demo shop's)")
    search.add_argument("--queries", type=Path, help="CSV query_id,query (default: data/shop/search_queries.csv)")
    search.add_argument("--qrels", type=Path, help="CSV query_id,sku,grade 0-3 (default: data/shop/search_qrels.csv)")
    search.add_argument("--synthetic", type=int, help="measure index time, memory and latency at N generated products")
    search.add_argument("--dense-sample", type=int,
                        help="synthetic runs embed this many products and extrapolate (default: 2000)")
    search.add_argument("--device", choices=["cpu", "cuda"], help="default: cuda when there is one")
    search.add_argument("--json-out", type=Path, help="also write the JSON result here")
    search.set_defaults(handler=_bench_search)


def _index(args: argparse.Namespace) -> int:
    from ecomai.search.build import load_sentence_encoder, open_hybrid_index
    from ecomai.store.catalog import load_products
    from ecomai.store.db import make_engine

    settings = Settings.from_env()
    products = load_products(make_engine(settings.database_url))
    if not products:
        print("The shop database has no products: run `ecomai db init` first.", file=sys.stderr)
        return 1
    encoder = load_sentence_encoder(settings, args.device)
    index = open_hybrid_index(products, settings.search_index_dir, encoder, rebuild=args.force, progress=True)
    print(json.dumps({"index_dir": str(settings.search_index_dir), "products": len(index),
                      "device": str(encoder.device)}))
    return 0


def _bench_search(args: argparse.Namespace) -> int:
    from ecomai.bench.search import SearchBenchOptions, format_table, run_search_bench

    given = {"products": args.products, "queries": args.queries, "qrels": args.qrels,
             "synthetic": args.synthetic, "dense_sample": args.dense_sample, "device": args.device}
    options = SearchBenchOptions(**{name: value for name, value in given.items() if value is not None})
    result = run_search_bench(options)
    _print_result(result, format_table(result), args.json_out)
    return 0


def _bench_sentiment(args: argparse.Namespace) -> int:
    from ecomai.bench.sentiment import format_table, run_sentiment_bench
    from ecomai.nlu.model import ShopNluModel, read_manifest

    settings = Settings.from_env()
    model_dir = args.model or settings.nlu_dir
    if (model_dir / "nlu.json").is_file() and read_manifest(model_dir).get("sentiment_labels"):
        model, source = ShopNluModel.load(model_dir), f"loaded from {model_dir}"
    else:
        from ecomai.nlu.data import read_rasa_intents, read_sentiment_data
        from ecomai.nlu.train import TrainOptions, train_nlu

        data = _DATA / "sentiment"
        model, _ = train_nlu(read_rasa_intents(_DATA / "nlu.yml"), read_sentiment_data(data), TrainOptions(),
                             settings.encoder_dir)
        source = f"no model in {model_dir}: trained now on data/nlu.yml + data/sentiment/*.csv (defaults, not saved)"

    def ours(texts: list[str]) -> list[str]:
        return [p.sentiment or "" for p in model.predict(texts)]

    result = run_sentiment_bench(args.data, ours, source)
    _print_result(result, format_table(result), args.json_out)
    return 0


def _bench_stt(args: argparse.Namespace) -> int:
    from ecomai.bench.stt import SttBenchOptions, format_table, run_stt_bench

    options = SttBenchOptions(args.audio_dir, repeats=args.repeats, device=args.device, skip_peer=args.skip_peer)
    result = run_stt_bench(options)
    _print_result(result, format_table(result), args.json_out)
    return 0


def _transcribe(args: argparse.Namespace) -> int:
    from ecomai.errors import AudioError
    from ecomai.speech.audio import AudioLimits, decode_audio
    from ecomai.speech.transcriber import WhisperTranscriber

    settings = Settings.from_env()
    transcriber = WhisperTranscriber.load(settings.whisper_model, settings.whisper_cache_dir)
    limits = AudioLimits(max_bytes=settings.max_audio_bytes, max_seconds=settings.max_audio_seconds)
    status = 0
    for path in args.files:
        try:
            print(f"{path}: {transcriber.transcribe([decode_audio(path.read_bytes(), limits)])[0].text}")
        except AudioError as exc:
            print(f"{path}: [{exc.code}] {exc}", file=sys.stderr)
            status = 1
    return status


def _print_result(result: dict, table: str, json_out: Path | None) -> None:
    print(json.dumps(result, indent=2, default=str))
    print(table)
    if json_out:
        json_out.write_text(json.dumps(result, indent=2, default=str))


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
    options = ServiceOptions(host=args.host, rasa_port=args.port, actions_port=args.actions_port,
                             env={"ECOMAI_DEMO": "1"} if args.demo else {},
                             console_port=Settings.from_env().console_port)
    print("Starting the assistant (loading the model takes about a minute)...", flush=True)
    with Service(options) as service:
        print(f"Ready. Websocket: {options.websocket_url}\n"
              f"  Talk to it:   .venv/bin/ecomai chat --url {options.websocket_url}\n"
              f"  REST channel: {options.rest_url}\n"
              + (f"  Demo shop with the widget: {options.demo_url}\n" if args.demo else "")
              + f"  Support console: http://{options.host}:{options.console_port}/ "
                "(accounts: .venv/bin/ecomai staff add NAME)\n"
              + "Ctrl-C stops everything.", flush=True)
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
