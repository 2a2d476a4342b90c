"""Synthetic generation + streaming Parquet write at 10k and 100k pages.

Each size runs in a fresh subprocess so peak RSS belongs to that size alone. Goal: time
ratio 100k/10k <= 11 (near-linear) and flat peak RSS (streaming, bounded memory).

    python benchmarks/bench_synth.py [--sizes 10000 100000] [--batch-size 1000]
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile

from rich.console import Console
from rich.table import Table

CHILD = r"""
import json, os, resource, sys, time
from pathlib import Path
from presscut.builder.pools import builtin_pools
from presscut.builder.synth_write import write_synthetic
n, batch, out = int(sys.argv[1]), int(sys.argv[2]), Path(sys.argv[3])
pools = builtin_pools()  # built-in pool only: the figure must not depend on the checkout's gold
t, c = time.perf_counter(), time.process_time()
write_synthetic(out, {"train": n}, seed=0, pools=pools, batch_size=batch)
secs, cpu = time.perf_counter() - t, time.process_time() - c
size = sum(f.stat().st_size for f in out.iterdir())
rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # KiB on Linux
import pyarrow.parquet as pq
text = sum(b.column(0).nbytes for b in pq.ParquetFile(out / "train.parquet").iter_batches(columns=["text"]))
print(json.dumps({"pages": n, "seconds": secs, "cpu_seconds": cpu, "bytes": size,
                  "text_bytes": text, "peak_rss_mb": rss}))
"""


def run(n: int, batch: int) -> dict:
    with tempfile.TemporaryDirectory() as tmp:
        proc = subprocess.run(
            [sys.executable, "-c", CHILD, str(n), str(batch), tmp],
            capture_output=True,
            text=True,
            check=True,
        )
    return json.loads(proc.stdout.strip().splitlines()[-1])


def main() -> None:
    ap = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    ap.add_argument("--sizes", type=int, nargs="+", default=[10_000, 100_000])
    ap.add_argument("--batch-size", type=int, default=1000)
    args = ap.parse_args()
    results = [run(n, args.batch_size) for n in args.sizes]
    table = Table(
        "pages", "wall s", "CPU s", "pages/s (wall)", "page text MB/s", "Parquet MB", "peak RSS MB"
    )
    for r in results:
        table.add_row(
            f"{r['pages']:,}",
            f"{r['seconds']:.1f}",
            f"{r['cpu_seconds']:.1f}",
            f"{r['pages'] / r['seconds']:,.0f}",
            f"{r['text_bytes'] / 1e6 / r['seconds']:.2f}",
            f"{r['bytes'] / 1e6:.1f}",
            f"{r['peak_rss_mb']:.0f}",
        )
    console = Console()
    console.print(table)
    if len(results) >= 2:
        a, b = results[0], results[-1]
        console.print(
            f"time ratio {b['pages']:,}/{a['pages']:,} pages: wall {b['seconds'] / a['seconds']:.2f}, "
            f"CPU {b['cpu_seconds'] / a['cpu_seconds']:.2f} (linear = {b['pages'] / a['pages']:.0f}, "
            f"goal <= 11); peak RSS {a['peak_rss_mb']:.0f} -> {b['peak_rss_mb']:.0f} MB",
            highlight=False,
        )


if __name__ == "__main__":
    main()
