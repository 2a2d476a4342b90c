"""``presscut segment`` over a streamed corpus of synthetic pages: pages/s per core, peak RSS.

    nice python benchmarks/bench_segment_corpus.py --sizes 10000 100000 --workers 1
    nice python benchmarks/bench_segment_corpus.py --sizes 100000 1000000 --distinct 100000

Pages come from the project's synthetic page generator (built-in pools; synthetic pages,
not real ones), written as a stream to Parquet ``(doc_id, text)`` first (not timed). Each
size then runs ``presscut segment FILE -o OUT`` with the default segmenter in its own
process; peak RSS is sampled over the process tree (see bench_dedup.py). Flat RSS across
sizes is what "streaming" means here; pages/s/core divides by the worker count. On a
shared machine wall time counts the neighbours too, so the CPU seconds of the job's
process tree (user + system, start-up included) and pages per CPU-second are printed
beside it.
"""

from __future__ import annotations

import argparse
import os
import resource
import sys
import tempfile
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
from rich.console import Console
from rich.table import Table

sys.path.insert(0, str(Path(__file__).resolve().parent))
from bench_dedup import run_measured  # noqa: E402


def write_pages(path: Path, n: int, seed: int = 0, distinct: int | None = None) -> None:
    """``n`` pages; with ``distinct``, pages past the first ``distinct`` repeat them in
    order under new ids (generating is slower than segmenting; the segmenter keeps no
    cache, so a repeated page costs what a new one does)."""
    from presscut.builder.pools import default_pools
    from presscut.builder.synth import SyntheticGenerator

    pools = default_pools(use_gold=False, use_real=False, builtin=True)  # the built-in pool only
    gen = SyntheticGenerator(pools.articles, pools.boilerplate, seed=seed)
    schema = pa.schema([("doc_id", pa.string()), ("text", pa.string())])
    made: list[str] = []
    with pq.ParquetWriter(path, schema) as w:
        ids, texts = [], []
        for i in range(n):
            if distinct and i >= distinct:
                text = made[i % distinct]
            else:
                text = gen.page(f"page-{i}").page.text
                if distinct:
                    made.append(text)
            ids.append(f"page-{i}")
            texts.append(text)
            if len(ids) == 5000 or i == n - 1:
                w.write_table(pa.table([ids, texts], schema=schema))
                ids, texts = [], []


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--sizes", type=int, nargs="+", default=[10_000, 100_000])
    ap.add_argument("--workers", type=int, default=1)
    ap.add_argument("--distinct", type=int, default=None,
                    help="generate this many distinct pages and repeat them (see write_pages)")
    ap.add_argument("--model", default=None)
    ap.add_argument("--ray", action="store_true",
                    help="run on a local Ray cluster with --workers CPUs (presscut[ray])")
    args = ap.parse_args()
    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        for n in args.sizes:
            src = tmp / f"pages-{n}.parquet"
            write_pages(src, n, distinct=args.distinct)
            cmd = [sys.executable, "-m", "presscut.cli", "segment", str(src), "-o",
                   str(tmp / "seg.parquet"), "--workers", str(args.workers)]
            if args.ray:
                cmd += ["--ray", "local", "--ray-cpus", str(args.workers)]
            if args.model:
                cmd += ["--model", args.model]
            before = resource.getrusage(resource.RUSAGE_CHILDREN)
            wall, rss, out = run_measured(cmd)
            after = resource.getrusage(resource.RUSAGE_CHILDREN)
            cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
            lines = sum(len(r) for r in pq.read_table(tmp / "seg.parquet",
                                                      columns=["roles"]).column("roles").to_pylist())
            rows.append((n, wall, rss, lines, cpu))
            print(n, wall, rss, cpu, flush=True)
            src.unlink()
    where = f"Ray local, {args.workers} CPUs" if args.ray else f"--workers {args.workers}"
    table = Table(title=f"presscut segment on synthetic pages ({where}, "
                        f"segmenter {args.model or 'default'}, load average "
                        f"{os.getloadavg()[0]:.1f})")
    for col in ("pages", "wall s", "pages/s", "pages/s/core", "CPU s", "pages/CPU-s",
                "lines/s", "peak RSS MiB"):
        table.add_column(col, justify="right")
    for n, wall, rss, lines, cpu in rows:
        table.add_row(f"{n:,}", f"{wall:.1f}", f"{n / wall:,.0f}",
                      f"{n / wall / args.workers:,.0f}", f"{cpu:.1f}", f"{n / cpu:,.0f}",
                      f"{lines / wall:,.0f}", f"{rss:.0f}")
    Console(width=160).print(table)


if __name__ == "__main__":
    main()
