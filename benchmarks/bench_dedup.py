"""``presscut dedup`` at 100k and 1M synthetic articles: wall time, peak RSS, time ratio, F1.

    nice python benchmarks/bench_dedup.py --sizes 100000 1000000 --workers 2
    nice python benchmarks/bench_dedup.py --sizes 20000 --ray-max 20000 --baseline-max 20000

Articles come from :mod:`presscut.scale.synthetic` (Zipf word salad with graded
near-duplicates and hard-negative siblings — synthetic, not news text), generated as a
stream into a Parquet file first (not timed). Each job then runs as its own process:

- ``presscut dedup FILE -o OUT --workers W`` (the single-machine path);
- with ``--unverified-max``, ``presscut dedup --no-verify`` (every LSH candidate kept);
- with ``--ray-max``, ``presscut dedup --ray local`` on sizes up to it (a local Ray
  cluster on all cores, started inside the timed run);
- with ``--baseline-max``, the in-memory baseline (``MinHashLSHDedup``: datasketch
  MinHash + ``MinHashLSH``, the same threshold, permutations and shingles);
- with ``--peer-max`` (and the ``peers`` extra installed), datatrove's MinHash dedup
  (signatures → buckets → clusters on its ``LocalPipelineExecutor`` with ``--workers``
  tasks, 5-word n-grams), once with datatrove's default banding (14 buckets × 8 hashes)
  and once with the baseline's banding (b × r, datasketch's optimum for the threshold).
  datatrove takes every bucket collision as a duplicate (no Jaccard check).
  Its shingles are hashed with its sha1 option: its default xxhash path hands ``str``
  to the ``xxhash`` package, which version 4 refuses.

Peak RSS is the largest sum of resident memory over the job's process tree (the command
and its worker processes, Ray's included), sampled every 0.2 s from /proc. Pairwise F1
is against the generator's clusters (every copy, however edited, belongs with its
source; siblings do not).

With ``--exact-max``, each job is also scored against what the recipe itself aims at:
pairs whose *exact* Jaccard over the baseline's word shingles reaches the threshold. The
pairs judged are pooled from the generator's clusters and every job's clusters of that
size (pairs inside clusters of more than 50 members are left out of the pool); the
reference clusters are the connected components of the pooled pairs that pass.
"""

from __future__ import annotations

import argparse
import importlib.util
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
from presscut.scale.stages import DedupParams


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
pred = MinHashLSHDedup().fit(arts).predict_labels(arts)
pq.write_table(__import__("pyarrow").table({"article_id": [a["article_id"] for a in arts],
                                            "dup_cluster": pred}), sys.argv[2])
"""


DATATROVE = r"""
import sys
from pathlib import Path
import numpy as np, pyarrow as pa, pyarrow.parquet as pq
from datatrove.executor import LocalPipelineExecutor
from datatrove.pipeline.dedup.minhash import (MinhashConfig, MinhashDedupBuckets,
                                              MinhashDedupCluster, MinhashDedupSignature)
from datatrove.pipeline.readers import ParquetReader
from datatrove.utils.hashing import HashConfig

shards, out, work = Path(sys.argv[1]), Path(sys.argv[2]), Path(sys.argv[3])
tasks, b, r = int(sys.argv[4]), int(sys.argv[5]), int(sys.argv[6])
# datatrove's default xxhash path passes str to xxhash, which xxhash >= 4 refuses
cfg = MinhashConfig(n_grams=5, num_buckets=b, hashes_per_bucket=r,
                    hash_config=HashConfig(hash_fc="sha1"))

def run(steps, n, name):
    LocalPipelineExecutor(steps, tasks=n, workers=min(n, tasks),
                          logging_dir=str(work / f"logs-{name}")).run()

run([ParquetReader(str(shards), glob_pattern="*.parquet", text_key="body", id_key="article_id"),
     MinhashDedupSignature(str(work / "sigs"), config=cfg)], tasks, "sigs")
run([MinhashDedupBuckets(str(work / "sigs"), str(work / "buckets"), config=cfg)], b, "buckets")
run([MinhashDedupCluster(str(work / "buckets"), str(work / "clusters"), config=cfg,
                         save_cluster_id=True)], 1, "clusters")
# rank k read shard k; its .clusters file holds (document index, cluster id) pairs
ids, names = [], []
for rank, f in enumerate(sorted(shards.glob("*.parquet"))):
    aid = pq.read_table(f, columns=["article_id"]).column(0).to_pylist()
    cf = work / "clusters" / f"{rank:06d}.clusters"
    pairs = np.fromfile(cf, dtype="<u4").reshape(-1, 2) if cf.exists() else np.zeros((0, 2))
    lab = dict(zip(pairs[:, 0].tolist(), pairs[:, 1].tolist()))
    ids += aid
    names += [f"#{lab[i]}" if i in lab else a for i, a in enumerate(aid)]
pq.write_table(pa.table({"article_id": ids, "dup_cluster": names}), out)
"""


def shard(src: Path, folder: Path, k: int) -> Path:
    """``src`` split into ``k`` Parquet files of consecutive rows (datatrove shards by file)."""
    folder.mkdir(parents=True, exist_ok=True)
    t = pq.read_table(src, columns=["article_id", "title", "body"])
    step = -(-t.num_rows // k)
    for i in range(k):
        pq.write_table(t.slice(i * step, step), folder / f"{i:03d}.parquet")
    return folder


def _pairs_of(labels: list[str], cap: int = 50) -> set[tuple[int, int]]:
    members: dict[str, list[int]] = {}
    for i, lab in enumerate(labels):
        members.setdefault(lab, []).append(i)
    out = set()
    for m in members.values():
        if 1 < len(m) <= cap:
            out.update((a, b) for x, a in enumerate(m) for b in m[x + 1:])
    return out


def exact_reference(src: Path, predictions: list[list[str]], threshold: float, k: int
                    ) -> list[int]:
    """Reference cluster per article: components of pooled pairs with exact Jaccard >= t."""
    from presscut.baselines.article_dedup import article_text, labels_from_components, shingles

    t = pq.read_table(src, columns=["title", "body", "cluster"]).to_pydict()
    pool = _pairs_of(t["cluster"])
    for labels in predictions:
        pool |= _pairs_of(labels)
    need = sorted({i for pair in pool for i in pair})
    sh = {i: shingles(article_text({"title": t["title"][i], "body": t["body"][i]}, False), k)
          for i in need}
    keep = [(a, b) for a, b in pool
            if sh[a] and sh[b] and len(sh[a] & sh[b]) >= threshold * len(sh[a] | sh[b])]
    return labels_from_components(len(t["cluster"]), sorted(keep)).tolist()


def f1_against_truth(truth_file: Path, pred_file: Path) -> tuple[float, float, float]:
    truth = pq.read_table(truth_file, columns=["article_id", "cluster"]).to_pydict()
    pred = pq.read_table(pred_file).to_pydict()
    got = dict(zip(pred["article_id"], pred["dup_cluster"]))
    return pairwise_prf(truth["cluster"], [got[a] for a in truth["article_id"]])


def _labels_in_order(truth_file: Path, pred_file: Path) -> list[str]:
    order = pq.read_table(truth_file, columns=["article_id"]).column(0).to_pylist()
    pred = pq.read_table(pred_file).to_pydict()
    got = dict(zip(pred["article_id"], pred["dup_cluster"]))
    return [got[a] for a in order]


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--sizes", type=int, nargs="+", default=[100_000, 1_000_000])
    ap.add_argument("--workers", type=int, default=2)
    ap.add_argument("--words", type=int, default=300)
    ap.add_argument("--baseline-max", type=int, default=100_000)
    ap.add_argument("--ray-max", type=int, default=0)
    ap.add_argument("--ray-cpus", type=int, nargs="+", default=None,
                    help="local Ray cluster sizes to run (default: one, with every CPU)")
    ap.add_argument("--peer-max", type=int, default=0,
                    help="run datatrove's MinHash dedup on sizes up to this")
    ap.add_argument("--unverified-max", type=int, default=0,
                    help="also run presscut dedup --no-verify on sizes up to this")
    ap.add_argument("--exact-max", type=int, default=0,
                    help="also score against exact-Jaccard pairs on sizes up to this")
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
            if n <= args.unverified_max:
                jobs.append(("presscut dedup --no-verify",
                             presscut + ["dedup", str(src), "-o", str(tmp / "o.parquet"),
                                         "--workers", str(args.workers), "--no-verify"]))
            if n <= args.ray_max:
                for cpus in args.ray_cpus or [os.cpu_count()]:
                    jobs.append((f"presscut dedup --ray local ({cpus} CPUs)",
                                 presscut + ["dedup", str(src), "-o", str(tmp / "o.parquet"),
                                             "--ray", "local", "--ray-cpus", str(cpus)]))
            if n <= args.baseline_max:
                jobs.append(("in-memory MinHash baseline",
                             [sys.executable, "-c", BASELINE, str(src), str(tmp / "o.parquet")]))
            if n <= args.peer_max:
                if importlib.util.find_spec("datatrove") is None:
                    print("datatrove is not installed (pip install 'presscut[peers]'): "
                          "no datatrove rows", flush=True)
                else:
                    shards = shard(src, tmp / "shards", args.workers)
                    b, r = DedupParams(verify=False).bands()
                    for bb, rr, what in ((14, 8, "defaults"), (b, r, "the baseline's banding")):
                        jobs.append((f"datatrove MinHash ({what}: {bb}x{rr})",
                                     [sys.executable, "-c", DATATROVE, str(shards),
                                      str(tmp / "o.parquet"), str(tmp / f"dt-{bb}x{rr}"),
                                      str(args.workers), str(bb), str(rr)]))
            done = []
            for name, cmd in jobs:
                wall, rss, _ = run_measured(cmd)
                p, r, f = f1_against_truth(src, tmp / "o.parquet")
                rows.append({"n": n, "job": name, "seconds": wall, "peak_rss_mib": rss,
                             "precision": p, "recall": r, "f1": f, "generate_s": gen})
                print(json.dumps(rows[-1]), flush=True)
                if n <= args.exact_max:
                    done.append((rows[-1], _labels_in_order(src, tmp / "o.parquet")))
                (tmp / "o.parquet").unlink()
            if done:
                params = DedupParams()
                ref = exact_reference(src, [lab for _, lab in done], params.threshold,
                                      params.shingle_k)
                for row, lab in done:
                    row["exact"] = pairwise_prf(ref, lab)
                    print(json.dumps({"n": n, "job": row["job"], "exact": row["exact"]}),
                          flush=True)
            src.unlink()

    table = Table(title=f"presscut dedup on synthetic articles (~{args.words} words, "
                        f"--workers {args.workers}, {os.cpu_count()} cores)")
    exact = any("exact" in row for row in rows)
    for col in ("articles", "job", "wall s", "articles/s", "peak RSS MiB", "pair P", "pair R",
                "pair F1") + (("exact-J P", "exact-J R", "exact-J F1") if exact else ()):
        table.add_column(col, justify="left" if col == "job" else "right")
    for row in rows:
        ex = [f"{x:.4f}" for x in row["exact"]] if "exact" in row else ["-"] * 3
        table.add_row(f"{row['n']:,}", row["job"], f"{row['seconds']:.1f}",
                      f"{row['n'] / row['seconds']:,.0f}", f"{row['peak_rss_mib']:.0f}",
                      f"{row['precision']:.4f}", f"{row['recall']:.4f}", f"{row['f1']:.4f}",
                      *(ex if exact else []))
    console = Console(width=200)
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
