"""MinHash throughput: presscut's article-dedup MinHash stage vs datasketch's own bulk path.

Our stage *is* datasketch's bulk path (``MinHash.generator``, which ``MinHash.bulk``
wraps) streamed one signature at a time and kept as ``LeanMinHash``; this measures
what our wrapping costs (streaming, progress, None slots for empty articles).

    python benchmarks/bench_minhash.py --n 5000 --words 300

Throughput is measured in this process, paths alternated, best of ``--repeats``.
Memory is measured per path in a fresh child process (a process's peak RSS never
goes down, so two paths cannot be told apart in one process): the peak RSS before
and after the path, and the path's own allocation peak from tracemalloc.
"""

from __future__ import annotations

import argparse
import itertools
import json
import random
import resource
import subprocess
import sys
import time
import tracemalloc

from datasketch import LeanMinHash, MinHash
from rich.console import Console
from rich.table import Table

from presscut.baselines.article_dedup import MinHashLSHDedup, shingles


def synthetic_articles(n: int, words: int, seed: int = 0) -> list[dict]:
    """Zipf-ish word salad; every tenth article is a lightly edited copy of an earlier one."""
    rng = random.Random(seed)
    vocab = [f"w{i}" for i in range(20_000)]
    cum = list(itertools.accumulate(1.0 / (r + 1) for r in range(len(vocab))))
    arts = []
    for i in range(n):
        if i % 10 == 9:
            src = arts[rng.randrange(len(arts))]["body"].split()
            src[rng.randrange(len(src))] = "edited"
            body = " ".join(src)
        else:
            body = " ".join(rng.choices(vocab, cum_weights=cum, k=words))
        arts.append({"article_id": f"a{i}/0", "title": f"Title {i}", "body": body})
    return arts


def run_ours(arts, num_perm, k):
    return MinHashLSHDedup(num_perm=num_perm, shingle_k=k).signatures(arts)


def run_bulk(arts, num_perm, k):
    # fed lazily, as bulk allows: the comparison is about hashing, not about holding inputs
    sets = (shingles(a["body"], k) for a in arts)
    return [LeanMinHash(m) for m in MinHash.bulk(sets, num_perm=num_perm, seed=1)]


def run_pipeline(arts, num_perm, k):
    return MinHashLSHDedup(num_perm=num_perm, shingle_k=k).fit(arts).predict(arts)


PATHS = {"ours": run_ours, "datasketch_bulk": run_bulk, "ours_full_dedup": run_pipeline}


def peak_rss_mib_child(path: str, args) -> tuple[float, float, float]:
    """Peak RSS of a child that builds the articles and runs one path, and the path's own peak."""
    out = subprocess.run(
        [sys.executable, __file__, "--child", path, "--n", str(args.n), "--words", str(args.words),
         "--num-perm", str(args.num_perm), "--k", str(args.k)],
        check=True, capture_output=True, text=True,
    )
    rec = json.loads(out.stdout)
    return rec["before_mib"], rec["peak_rss_mib"], rec["path_peak_alloc_mib"]


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--n", type=int, default=5000)
    ap.add_argument("--words", type=int, default=300)
    ap.add_argument("--num-perm", type=int, default=128)
    ap.add_argument("--k", type=int, default=5)
    ap.add_argument("--repeats", type=int, default=3)
    ap.add_argument("--child", choices=sorted(PATHS))
    args = ap.parse_args()

    arts = synthetic_articles(args.n, args.words)
    if args.child:
        # tracemalloc sees numpy's buffers too: the path's own peak, apart from the inputs
        before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
        tracemalloc.start()
        PATHS[args.child](arts, args.num_perm, args.k)
        path_peak = tracemalloc.get_traced_memory()[1]
        tracemalloc.stop()
        peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss  # KiB on Linux
        print(json.dumps({"peak_rss_mib": peak / 1024, "before_mib": before / 1024,
                          "path_peak_alloc_mib": path_peak / 2**20}))
        return

    # same signatures from both paths, or the comparison means nothing
    ours, bulk = run_ours(arts[:200], args.num_perm, args.k), run_bulk(arts[:200], args.num_perm, args.k)
    assert all((a.hashvalues == b.hashvalues).all() for a, b in zip(ours, bulk))

    best = {name: float("inf") for name in PATHS}
    for _ in range(args.repeats):
        for name, fn in PATHS.items():
            t = time.perf_counter()
            fn(arts, args.num_perm, args.k)
            best[name] = min(best[name], time.perf_counter() - t)

    table = Table(title=f"MinHash: {args.n} articles x {args.words} words, "
                        f"{args.num_perm} perms, {args.k}-word shingles (best of {args.repeats})")
    for col in ("path", "seconds", "articles/s", "vs bulk", "RSS before MiB", "peak RSS MiB",
                "path peak MiB"):
        table.add_column(col, justify="right" if col != "path" else "left")
    for name in PATHS:
        rate = args.n / best[name]
        ratio = best["datasketch_bulk"] / best[name]
        before, peak, share = peak_rss_mib_child(name, args)
        table.add_row(name, f"{best[name]:.2f}", f"{rate:,.0f}", f"{ratio:.3f}",
                      f"{before:.0f}", f"{peak:.0f}", f"{share:.1f}")
    console = Console()
    console.print(table)
    ratio = best["datasketch_bulk"] / best["ours"]
    console.print(f"ours / datasketch bulk throughput: {ratio:.3f} (goal >= 0.9): "
                  f"{'met' if ratio >= 0.9 else 'NOT met'}")


if __name__ == "__main__":
    main()
