"""`ecomai bench search`: our hybrid product search against BM25 alone, in one run.

Three rows on the same catalog and queries: the peer, plain bm25s over the product
text with the raw query (what "BM25 alone" means: no filters, no stemming, no typo
correction); our BM25 with the parser's filters (to show what the filters alone
add); and ours, hybrid BM25 + MiniLM with reciprocal-rank fusion.

On the judged set it prints NDCG@10, Recall@100, MRR and p50/p95 per-query latency
(parse + search, top 100, one query at a time after a warm-up). With ``--synthetic N``
it builds a generated catalog of N products and measures index time, memory and
latency instead (there are no judgments for it). Embedding N products on a CPU takes
long (~50 products/s on two busy cores), so only ``--dense-sample`` of them are
embedded: the embedding time is extrapolated linearly to N (it is linear: fixed
batches), and the sample's vectors are repeated to fill the N-row matrix, which
costs the same to score as real vectors. The output says so.
"""

from __future__ import annotations

import os
import resource
import time
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any, Callable, Sequence

import bm25s
import torch
from tqdm import tqdm

from ecomai.bench.ir_metrics import mean_metrics
from ecomai.bench.search_data import read_products, read_qrels, read_queries
from ecomai.bench.stats import percentile
from ecomai.bench.table import Column, table_lines
from ecomai.bench.synthetic import synthetic_products
from ecomai.config import REPO_ROOT, Settings
from ecomai.errors import InvalidInput
from ecomai.search.build import load_sentence_encoder
from ecomai.search.columns import document_text
from ecomai.search.dense import SentenceEncoder, dense_text
from ecomai.search.hybrid import HybridOptions, HybridProductIndex
from ecomai.search.index import BM25ProductIndex, top_rows
from ecomai.search.query import parse_product_query
from ecomai.store.catalog import Product

PEER = "bm25s (raw query)"
OURS_BM25 = "ecomai BM25 + filters"
OURS = "ecomai hybrid (BM25 + MiniLM, RRF)"
DEPTH = 100
_SHOP = REPO_ROOT / "data" / "shop"
_WARM_UP = ("warm up", "black shoes", "kettle under 40", "something nice", "headphones")

Search = Callable[[str], list[str]]


@dataclass(frozen=True)
class SearchBenchOptions:
    """Attributes:
    products / queries / qrels: the judged set (defaults: the demo shop's).
    synthetic: measure scale on a generated catalog of this many products instead.
    dense_sample: at most this many products are embedded in a synthetic run.
    device: "cpu" / "cuda" (default: cuda when there is one).
    hybrid: fusion settings of ours.
    """

    products: Path = _SHOP / "products.csv"
    queries: Path = _SHOP / "search_queries.csv"
    qrels: Path = _SHOP / "search_qrels.csv"
    synthetic: int | None = None
    dense_sample: int = 2000
    device: str | None = None
    hybrid: HybridOptions = HybridOptions()

    def __post_init__(self) -> None:
        if self.synthetic is not None and self.synthetic < 1:
            raise InvalidInput("--synthetic must be >= 1")
        if self.dense_sample < 1:
            raise InvalidInput("--dense-sample must be >= 1")
        needed = [self.queries] if self.synthetic else [self.products, self.queries, self.qrels]
        for path in needed:
            if not path.is_file():
                raise InvalidInput(f"{path} does not exist")


class RawBM25:
    """The peer: bm25s as its README uses it (English stopwords, no stemmer), over the
    same product text, ranking the whole catalog for the raw query."""

    def __init__(self, products: Sequence[Product]) -> None:
        self._skus = [p.sku for p in products]
        self._bm25 = bm25s.BM25()
        self._bm25.index(bm25s.tokenize([document_text(p) for p in products], stopwords="en", show_progress=False),
                         show_progress=False)
        self._known = set(self._bm25.vocab_dict)

    def search(self, text: str) -> list[str]:
        tokens = [t for t in bm25s.tokenize(text, stopwords="en", return_ids=False, show_progress=False)[0]
                  if t in self._known]
        if not tokens:
            return []
        scores = self._bm25.get_scores(tokens)
        return [self._skus[r] for r in top_rows(scores, scores > 0, DEPTH)]


def index_search(index: BM25ProductIndex) -> Search:
    """Ours, as the shop calls it: parse the words, then one search."""
    def search(text: str) -> list[str]:
        return [p.sku for p in index.search(parse_product_query(text, index.vocabulary), DEPTH).products]
    return search


def run_search_bench(options: SearchBenchOptions, progress: bool = True) -> dict[str, Any]:
    """Returns ``{"config", "results": {system: row}, "summary"}``."""
    queries = read_queries(options.queries)
    encoder = load_sentence_encoder(Settings.from_env(), options.device)
    if options.synthetic:
        products = list(tqdm(synthetic_products(options.synthetic), total=options.synthetic,
                             desc="generating catalog", unit="product", disable=not progress))
    else:
        products = read_products(options.products)
    systems, notes = _build_systems(products, encoder, options, progress)
    qrels = None if options.synthetic else read_qrels(options.qrels)
    results = {name: _measure(name, search, queries, qrels, build, progress) for name, (search, build) in systems.items()}
    config = {**{k: str(v) for k, v in asdict(options).items() if k != "hybrid"}, "hybrid": asdict(options.hybrid),
              "catalog_products": len(products), "queries": len(queries), "device": str(encoder.device),
              "torch_threads": torch.get_num_threads(), "cpu_count": len(os.sched_getaffinity(0)), "notes": notes,
              "peak_rss_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1)}
    return {"config": config, "results": results, "summary": _summary(results)}


def _build_systems(products: list[Product], encoder: SentenceEncoder, options: SearchBenchOptions,
                   progress: bool) -> tuple[dict[str, tuple[Search, dict[str, float]]], list[str]]:
    notes: list[str] = []
    systems: dict[str, tuple[Search, dict[str, float]]] = {}
    peer, build = _timed(lambda: RawBM25(products))
    systems[PEER] = (peer.search, build)
    ours_bm25, build = _timed(lambda: BM25ProductIndex(products, progress=progress))
    systems[OURS_BM25] = (index_search(ours_bm25), build)
    vectors, embed_seconds = _embed(products, encoder, options, progress, notes)
    hybrid, build = _timed(lambda: HybridProductIndex(products, encoder, options.hybrid, vectors=vectors))
    build["index_seconds"] = round(build["index_seconds"] + embed_seconds, 2)
    build["embed_seconds"] = round(embed_seconds, 2)
    systems[OURS] = (index_search(hybrid), build)
    return systems, notes


def _embed(products: list[Product], encoder: SentenceEncoder, options: SearchBenchOptions, progress: bool,
           notes: list[str]) -> tuple[torch.Tensor, float]:
    """Product vectors and the seconds embedding them took (or would take, extrapolated)."""
    sample = len(products) if not options.synthetic else min(len(products), options.dense_sample)
    started = time.perf_counter()
    vectors = encoder.embed([dense_text(p) for p in products[:sample]], progress=progress)
    seconds = time.perf_counter() - started
    if sample < len(products):
        seconds *= len(products) / sample
        vectors = vectors.repeat((len(products) + sample - 1) // sample, 1)[: len(products)]
        notes.append(f"dense: embedded {sample} of {len(products)} products in {seconds * sample / len(products):.1f} s "
                     f"and extrapolated the embedding time linearly to {seconds:.0f} s; the sample's vectors are "
                     f"repeated to fill the {len(products)}-row matrix (same scoring cost, quality not measured)")
    return vectors, seconds


def _timed(build: Callable[[], Any]) -> tuple[Any, dict[str, float]]:
    rss_before = _rss_mb()
    started = time.perf_counter()
    built = build()
    return built, {"index_seconds": round(time.perf_counter() - started, 2),
                   "rss_added_mb": round(_rss_mb() - rss_before, 1)}


def _measure(name: str, search: Search, queries: dict[str, str], qrels: dict[str, dict[str, int]] | None,
             build: dict[str, float], progress: bool) -> dict[str, Any]:
    for text in _WARM_UP:
        search(text)
    rankings: dict[str, list[str]] = {}
    latencies: list[float] = []
    for query_id, text in tqdm(queries.items(), desc=name, unit="query", disable=not progress):
        started = time.perf_counter()
        rankings[query_id] = search(text)
        latencies.append((time.perf_counter() - started) * 1000)
    row: dict[str, Any] = mean_metrics(rankings, qrels) if qrels is not None else {}
    row["latency_ms"] = {f"p{q}": round(percentile(latencies, q), 2) for q in (50, 95, 99)}
    return {**row, **build}


def _summary(results: dict[str, dict[str, Any]]) -> dict[str, Any]:
    ours, peer = results[OURS], results[PEER]
    summary: dict[str, Any] = {"p95_ms_ours": ours["latency_ms"]["p95"], "p95_target_ms": 20}
    if "ndcg@10" in ours:
        summary["ndcg@10_gain_vs_bm25_pct"] = relative_gain(ours["ndcg@10"], peer["ndcg@10"])
        summary["ndcg@10_target_gain_pct"] = 10
    return summary


def _rss_mb() -> float:
    """Resident memory now (Linux /proc; 0 elsewhere, where the peak still shows)."""
    try:
        with open("/proc/self/statm") as handle:
            return int(handle.read().split()[1]) * os.sysconf("SC_PAGE_SIZE") / 2**20
    except OSError:
        return 0.0


_COLUMNS: tuple[Column, ...] = (
    ("NDCG@10", 9, lambda r: f"{r['ndcg@10']:.3f}" if "ndcg@10" in r else "-"),
    ("R@100", 8, lambda r: f"{r['recall@100']:.3f}" if "recall@100" in r else "-"),
    ("MRR", 7, lambda r: f"{r['mrr']:.3f}" if "mrr" in r else "-"),
    ("p50 ms", 8, lambda r: f"{r['latency_ms']['p50']:.1f}"),
    ("p95 ms", 8, lambda r: f"{r['latency_ms']['p95']:.1f}"),
    ("index s", 9, lambda r: f"{r['index_seconds']:.1f}"),
    ("+RSS MB", 9, lambda r: f"{r['rss_added_mb']:.0f}"),
)


def format_table(result: dict[str, Any]) -> str:
    """Plain-text table, one line per system, then the notes and the targets."""
    lines = table_lines("system", 36, result["results"], _COLUMNS)
    config = result["config"]
    lines.append(f"{config['catalog_products']} products, {config['queries']} queries, device {config['device']}, "
                 f"{config['torch_threads']} torch threads, peak RSS {config['peak_rss_mb']:.0f} MB")
    lines.extend(f"note: {note}" for note in config["notes"])
    summary = result["summary"]
    if "ndcg@10_gain_vs_bm25_pct" in summary:
        lines.append(f"NDCG@10 vs BM25 alone: {summary['ndcg@10_gain_vs_bm25_pct']:+.1f}% (target +10%)")
    lines.append(f"p95 latency of ours: {summary['p95_ms_ours']:.1f} ms (target 20 ms at 100,000 products)")
    return "\n".join(lines)



def relative_gain(ours: float, peer: float) -> float:
    """Percent by which ``ours`` exceeds ``peer`` (0 when the peer scores 0)."""
    return 0.0 if peer == 0 else round(100 * (ours / peer - 1), 1)
