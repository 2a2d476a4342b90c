"""How seg-seq's real validation score grows with its real train pages: a learning curve.

    python benchmarks/seg_learning_curve.py --share 0.7 --seeds 1,2

Fits the committed settings on a random share of the real train pages (the pages drawn by
``--seeds``; the same evenly spread synthetic train pages every time) and scores real
validation (body F1 per source and pooled, title F1). It is how the committed model came to
be fitted on train + validation: a steep curve says more real pages are worth more than a
held-out copy of them. Validation only, never test.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path


def main() -> None:
    import numpy as np

    sys.path.insert(0, str(Path(__file__).parent))
    from seg_validation import read_rows, score

    from presscut.baselines.segment_seq import (
        SYNTHETIC_TRAIN_PAGES,
        SequenceSegmenter,
        fit_pages,
    )

    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--share", type=float, default=0.7, help="share of the real train pages")
    ap.add_argument("--seeds", default="1,2", help="comma-separated draws")
    ap.add_argument("--synthetic", type=int, default=SYNTHETIC_TRAIN_PAGES)
    args = ap.parse_args()
    real, synth = fit_pages(("train",), args.synthetic)
    rows = read_rows("splits/real/validation.parquet")
    pages = [{"doc_id": r["doc_id"], "lines": r["lines"]} for r in rows]
    for seed in map(int, args.seeds.split(",")):
        rng = np.random.default_rng(seed)
        keep = np.sort(rng.permutation(len(real))[: int(round(args.share * len(real)))])
        t = time.process_time()
        model = SequenceSegmenter().fit([real[i] for i in keep] + synth)
        res = score(rows, model.predict(pages))
        body = " ".join(f"{k} {v['body_f1']:.4f}" for k, v in sorted(res.items()))
        print(f"share {args.share} seed {seed}: {len(keep)} real train pages, "
              f"{time.process_time() - t:.0f} CPU-s; body F1 {body}; "
              f"title F1 {res['pooled']['title_f1']:.3f}", flush=True)


if __name__ == "__main__":
    main()
