"""The cost of seg-seq's nets alone: a floor under its predict time, whatever the rest costs.

Featurises the first ``--n`` pages of a real split once, in the model's batches
(``batch_pages``, as ``predict`` does), then times only the forward passes of every
member's stage-1, stage-2 and start nets over those rows (stage 2's extra inputs are zeros:
the arithmetic is the same), on one BLAS thread, and prints the multiply-adds per row and
the pages per CPU-second those passes alone allow.

    python benchmarks/bench_seq_floor.py --split splits/real/validation.parquet --n 368
"""

from __future__ import annotations

import argparse
import time

import numpy as np
import pyarrow.parquet as pq
from threadpoolctl import threadpool_limits

from presscut.baselines.estimator_io import load
from presscut.baselines.segment_seq import _forward
from presscut.baselines.segment_seq_features import featurise


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--split", default="splits/real/validation.parquet")
    ap.add_argument("--n", type=int, default=368)
    ap.add_argument("--model", default="models/seg-seq")
    ap.add_argument("--runs", type=int, default=3)
    a = ap.parse_args()
    m = load(a.model)
    pages = pq.read_table(a.split, columns=["lines"]).slice(0, a.n).to_pylist()
    width = m.net2_[0]["weights"][0].shape[0]
    batches = []
    for at in range(0, len(pages), m.batch_pages):
        X = featurise([p["lines"] for p in pages[at:at + m.batch_pages]], m.lexicon_).X
        X = X.astype(np.float32)
        batches.append((X, np.hstack([X, np.zeros((len(X), width - X.shape[1]), np.float32)])))
    nets = [(n, 0) for n in m.net1_] + [(n, 1) for n in m.net2_ + m.net_start_]
    macs = sum(w.size for n, _ in nets for w in n["weights"])
    rows = sum(len(b[0]) for b in batches)
    with threadpool_limits(1):
        for _ in range(a.runs):
            t0 = time.process_time()
            for batch in batches:
                for net, which in nets:
                    _forward(net, batch[which])
            dt = time.process_time() - t0
            print(f"{len(pages)} pages, {rows} rows, {len(nets)} nets, {macs:,} multiply-adds "
                  f"a row: {dt:.3f} CPU-s, {len(pages) / dt:,.0f} pages/s for the nets alone")


if __name__ == "__main__":
    main()
