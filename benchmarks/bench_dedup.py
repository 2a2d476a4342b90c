"""``presscut dedup`` at 100k and 1M synthetic articles: wall time, peak RSS, time ratio, F1.

    nice python benchmarks/bench_dedup.py --sizes 100000 1000000 --workers 2
    nice python benchmarks/bench_dedup.py --sizes 20000 --ray-max 20000 --baseline-max 20000

Articles come from :mod:`presscut.scale.synthetic` (Zipf word salad with graded
near-duplicates and hard-negative siblings — synthetic, not news text), generated as a
stream into a Parquet file first (not timed). Each job then runs as its own process:

- ``presscut dedup FILE -o OUT --workers W`` (the single-machine path);
- with ``--ray-max``, ``presscut dedup --ray local`` on sizes up to it (a local Ray
  cluster on all cores, started inside the timed run);
- with ``--baseline-max``, the in-memory baseline (``MinHashLSHDedup``: datasketch
  MinHash + ``MinHashLSH``, the same threshold, permutations and shingles).

Peak RSS is the largest sum of resident memory over the job's process tree (the command
and its worker processes, Ray's included), sampled every 0.2 s from /proc. Pairwise F1
is against the generator's clusters (every copy, however edited, belongs with its
source; siblings do not).
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

import pyarrow.parquet as pq
from rich.console import Console
from rich.table import Table

from presscut.harness.metrics import pairwise_prf
from presscut.scale import synthetic


def _children(pid: int) -> list[int]:
    out = []
    for task in Path(f"/proc/{pid}/task").glob("*"):
        try:
            out += [int(x) for x in (task / "children").read_text().split()]
        except OSError:
            pass
    return out


def _tree_rss(pid: int) -> int:
    total, todo, seen = 0, [pid], set()
    while todo:
        p = todo.pop()
        if p in seen:
            continue
        seen.add(p)
        try:
            for line in Path(f"/proc/{p}/status").read_text().splitlines():
                if line.startswith("VmRSS:"):
                    total += int(line.split()[1]) * 1024
        except OSError:
            continue
        todo += _children(p)
    return total


def run_measured(cmd: list[str]) -> tuple[float, float, str]:
    """Wall seconds, peak tree RSS (MiB) and stdout of a command."""
    t = time.perf_counter()
    proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                            env={**os.environ, "COLUMNS": "200"})
    peak = [0]

    def poll():
        while proc.poll() is None:
            peak[0] = max(peak[0], _tree_rss(proc.pid))
            time.sleep(0.2)

    th = threading.Thread(target=poll, daemon=True)
    th.start()
    out, err = proc.communicate()
    th.join()
    wall = time.perf_counter() - t
    if proc.returncode:
        raise SystemExit(f"{' '.join(cmd)} failed ({proc.returncode}):\n{err[-3000:]}")
    return wall, peak[0] / 2**20, out


BASELINE = """
import json, sys
import pyarrow.parquet as pq
from presscut.baselines.article_dedup import MinHashLSHDedup
arts = pq.read_table(sys.argv[1], columns=["article_id", "title", "body"]).to_pylist()
pred = MinHashLSHDedup().fit(arts).predict(arts)
pq.write_table(__import__("pyarrow").table({"article_id": [a["article_id"] for a in arts],
                                            "dup_cluster": pred}), sys.argv[2])
"""


def f1_against_truth(truth_file: Path, pred_file: Path) -> tuple[float, float, float]:
    truth = pq.read_table(truth_file, columns=["article_id", "cluster"]).to_pydict()
    pred = pq.read_table(pred_file).to_pydict()
    got = dict(zip(pred["article_id"], pred["dup_cluster"]))
    return pairwise_prf(truth["cluster"], [got[a] for a in truth["article_id"]])


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--sizes", type=int, nargs="+", default=[100_000, 1_000_000])
    ap.add_argument("--workers", type=int, default=2)
    ap.add_argument("--words", type=int, default=300)
    ap.add_argument("--baseline-max", type=int, default=100_000)
    ap.add_argument("--ray-max", type=int, default=0)
    ap.add_argument("--workdir", type=Path, default=None)
    args = ap.parse_args()

    presscut = [sys.executable, "-m", "presscut.cli"]
    rows = []
    with tempfile.TemporaryDirectory(dir=args.workdir) as tmp:
        tmp = Path(tmp)
        for n in args.sizes:
            src = tmp / f"articles-{n}.parquet"
            t = time.perf_counter()
            synthetic.write(src, n, words=args.words)
            gen = time.perf_counter() - t
            jobs = [("presscut dedup", presscut + ["dedup", str(src), "-o", str(tmp / "o.parquet"),
                                                   "--workers", str(args.workers)])]
            if n <= args.ray_max:
                jobs.append((f"presscut dedup --ray local ({os.cpu_count()} CPUs)",
                             presscut + ["dedup", str(src), "-o", str(tmp / "o.parquet"),
                                         "--ray", "local"]))
            if n <= args.baseline_max:
                jobs.append(("in-memory MinHash baseline",
                             [sys.executable, "-c", BASELINE, str(src), str(tmp / "o.parquet")]))
            for name, cmd in jobs:
                wall, rss, _ = run_measured(cmd)
                p, r, f = f1_against_truth(src, tmp / "o.parquet")
                rows.append({"n": n, "job": name, "seconds": wall, "peak_rss_mib": rss,
                             "precision": p, "recall": r, "f1": f, "generate_s": gen})
                print(json.dumps(rows[-1]), flush=True)
                (tmp / "o.parquet").unlink()
            src.unlink()

    table = Table(title=f"presscut dedup on synthetic articles (~{args.words} words, "
                        f"--workers {args.workers}, {os.cpu_count()} cores)")
    for col in ("articles", "job", "wall s", "articles/s", "peak RSS MiB", "pair P", "pair R",
                "pair F1"):
        table.add_column(col, justify="left" if col == "job" else "right")
    for row in rows:
        table.add_row(f"{row['n']:,}", row["job"], f"{row['seconds']:.1f}",
                      f"{row['n'] / row['seconds']:,.0f}", f"{row['peak_rss_mib']:.0f}",
                      f"{row['precision']:.4f}", f"{row['recall']:.4f}", f"{row['f1']:.4f}")
    console = Console()
    console.print(table)
    ours = {r["n"]: r for r in rows if r["job"] == "presscut dedup"}
    if len(ours) >= 2:
        lo, hi = min(ours), max(ours)
        console.print(f"time ratio {hi:,}/{lo:,}: {ours[hi]['seconds'] / ours[lo]['seconds']:.2f} "
                      f"(x{hi / lo:.0f} articles)")
    for n, r in sorted(ours.items()):
        for other in rows:
            if other["n"] == n and other["job"] != "presscut dedup":
                console.print(f"{n:,}: {other['job']}: F1 {other['f1']:.4f} vs ours {r['f1']:.4f}; "
                              f"time {other['seconds']:.1f} s vs {r['seconds']:.1f} s "
                              f"(speed-up of ours x{other['seconds'] / r['seconds']:.2f})")


if __name__ == "__main__":
    main()
