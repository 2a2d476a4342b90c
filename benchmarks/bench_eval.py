"""Scoring speed and memory of the segmentation harness on generated pages.

For each size: one subprocess writes N generated pages as a segmentation split (Parquet,
written by record batch) plus a predictions file; a fresh subprocess then scores them
with ``presscut.harness.evaluate.evaluate`` so its peak RSS is the scorer's alone.

    python benchmarks/bench_eval.py                 # 10k and 100k pages
    python benchmarks/bench_eval.py --sizes 1000 --resamples 200 --workers 1
    python benchmarks/bench_eval.py --sizes 100000 --workers 1 --breakdown none memory file
    python benchmarks/bench_eval.py --sizes 100000 1000000 --workers 1 --distinct 100000

Peak RSS is the scoring process's own (``ru_maxrss``); pool workers are not included.
"""

from __future__ import annotations

import argparse
import json
import random
import subprocess
import sys
import tempfile
import time
from pathlib import Path

# the small-splits writer the tests use (tests/tinydata.py)
sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "tests"))

WORDS = ("the minister said on tuesday that talks with the north would resume after "
         "months of tension over missile tests and drones near the border").split()
BOILER = ["Share", "Comments", "Your support helps us to tell the story", "TT", "20",
          "Join our commenting forum", "\u00a0"]


def _page(rng: random.Random, i: int) -> tuple[dict, dict]:
    from tinydata import segmentation_row  # tests/tinydata.py (on sys.path below)

    lines, roles, arts = [], [], []
    for _ in range(rng.randint(1, 3)):
        lines += [rng.choice(BOILER)] * 2
        roles += ["boilerplate"] * 2
        start = len(lines)
        lines += [" ".join(rng.choices(WORDS, k=8)).capitalize(), ""]
        roles += ["title", "blank"]
        for _ in range(rng.randint(5, 25)):
            lines += [" ".join(rng.choices(WORDS, k=rng.randint(8, 30))) + ".", ""]
            roles += ["body", "blank"]
        arts.append((start, len(lines) - 1))
    row = segmentation_row(f"bench-{i}", lines, roles, arts)
    # a plausible system: every line body, one article over the page
    pred = {"doc_id": row["doc_id"], "roles": ["body"] * len(lines),
            "articles": [[0, len(lines)]]}
    return row, pred


def generate(root: Path, n: int, seed: int = 0, distinct: int | None = None) -> None:
    """``n`` pages; with ``distinct``, pages past the first ``distinct`` repeat them in
    order under new ids (generating is slower than scoring; the scorer keeps nothing per
    text, so a repeated page costs what a new one does)."""
    import pyarrow as pa
    import pyarrow.parquet as pq
    from tinydata import complete

    from presscut.schema import SEGMENTATION_FEATURES

    rng = random.Random(seed)
    out = root / "splits" / "segmentation"
    out.mkdir(parents=True, exist_ok=True)
    schema = SEGMENTATION_FEATURES.arrow_schema
    first = min(n, distinct or n)
    made: list[tuple[pa.Table, list[dict]]] = []  # the distinct pages, by batch
    with pq.ParquetWriter(out / "test.parquet", schema) as writer, \
            (root / "preds.jsonl").open("w", encoding="utf-8") as preds:
        batch, batch_preds = [], []
        for i in range(first):
            row, pred = _page(rng, i)
            batch.append(complete("segmentation", row))
            batch_preds.append(pred)
            if len(batch) == 2000 or i == first - 1:
                table = pa.Table.from_pylist(batch, schema=schema)
                writer.write_table(table)
                preds.writelines(json.dumps(p) + "\n" for p in batch_preds)
                if distinct:
                    made.append((table, batch_preds))
                batch, batch_preds = [], []
        done = first
        while done < n:
            for table, batch_preds in made:
                k = min(table.num_rows, n - done)
                if k <= 0:
                    break
                ids = [f"bench-{done + j}" for j in range(k)]
                writer.write_table(table.slice(0, k).set_column(
                    0, "doc_id", pa.array(ids, pa.string())))
                preds.writelines(json.dumps({**p, "doc_id": d}) + "\n"
                                 for p, d in zip(batch_preds, ids))
                done += k


def score(root: Path, resamples: int, workers: int, breakdown: str = "none") -> dict:
    """``breakdown``: none (not asked for), memory (``per_item``, in the result) or file
    (streamed to a JSONL file with ``per_item_path``)."""
    import resource

    from presscut.harness.evaluate import evaluate

    t0 = time.perf_counter()
    res = evaluate("segmentation", root / "preds.jsonl", root=root, n_resamples=resamples,
                   per_item=breakdown == "memory", workers=workers,
                   per_item_path=root / "per_item.jsonl" if breakdown == "file" else None)
    seconds = time.perf_counter() - t0
    return {"n": res["n_items"], "seconds": seconds,
            "peak_rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
            "body_f1": res["scores"]["body_f1"]}


def _child(args: list[str]) -> str:
    out = subprocess.run([sys.executable, __file__, *args], capture_output=True, text=True,
                         check=True)
    return out.stdout.strip().splitlines()[-1]


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--sizes", type=int, nargs="+", default=[10_000, 100_000])
    ap.add_argument("--resamples", type=int, default=1000)
    ap.add_argument("--distinct", type=int, default=None,
                    help="generate this many distinct pages and repeat them (see generate)")
    ap.add_argument("--_generate", nargs=3, help=argparse.SUPPRESS)
    ap.add_argument("--workers", type=int, nargs="+", default=[1, 2])
    ap.add_argument("--breakdown", nargs="+", default=["none"],
                    choices=["none", "memory", "file"],
                    help="per-page breakdown: not asked for, held in the result, or streamed")
    ap.add_argument("--_score", nargs=4, help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args._generate:
        generate(Path(args._generate[0]), int(args._generate[1]),
                 distinct=int(args._generate[2]) or None)
        print("ok")
        return
    if args._score:
        print(json.dumps(score(Path(args._score[0]), int(args._score[1]), int(args._score[2]),
                               args._score[3])))
        return

    from rich.console import Console
    from rich.table import Table

    table = Table(title=f"presscut eval segmentation ({args.resamples} bootstrap resamples)")
    for col in ("pages", "workers", "breakdown", "MB parquet", "MB preds", "seconds", "pages/s",
                "peak RSS MB"):
        table.add_column(col, justify="right")
    for n in args.sizes:
        with tempfile.TemporaryDirectory() as tmp:
            _child(["--_generate", tmp, str(n), str(args.distinct or 0)])
            pq_mb = (Path(tmp) / "splits/segmentation/test.parquet").stat().st_size / 1e6
            js_mb = (Path(tmp) / "preds.jsonl").stat().st_size / 1e6
            for w in args.workers:
                for mode in args.breakdown:
                    r = json.loads(_child(["--_score", tmp, str(args.resamples), str(w), mode]))
                    print(json.dumps({**r, "workers": w, "breakdown": mode}), flush=True)
                    table.add_row(f"{r['n']:,}", str(w), mode, f"{pq_mb:.1f}", f"{js_mb:.1f}",
                                  f"{r['seconds']:.1f}", f"{r['n'] / r['seconds']:,.0f}",
                                  f"{r['peak_rss_mb']:.0f}")
    Console().print(table)


if __name__ == "__main__":
    main()
