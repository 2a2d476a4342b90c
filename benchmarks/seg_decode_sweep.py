"""Sweep seg-seq's decoding settings on a real split without refitting.

    python benchmarks/seg_decode_sweep.py                        # committed model, real validation
    python benchmarks/seg_decode_sweep.py --prior 0.5,1 --transition 0.25,0.5,1 --start 0.8,0.9

The MLPs run once; each (prior_weight, transition_weight, start_threshold) is then only a
Viterbi decode. ``--stage1`` decodes stage 1's role distributions instead of stage 2's
(what stage 2 adds). Prints per-source body F1, pooled title F1 and boundary F1 (the scores of
``seg_validation.py``), so decoding settings are chosen on validation, never on test.
"""

from __future__ import annotations

import argparse
import itertools


def main() -> None:
    import sys
    from pathlib import Path

    import numpy as np
    from threadpoolctl import threadpool_limits

    sys.path.insert(0, str(Path(__file__).parent))
    from seg_validation import read_rows, score, warn_in_sample

    from presscut.baselines.estimator_io import load
    from presscut.baselines.segment_seq import _forward
    from presscut.baselines.segment_seq_features import featurise

    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--split", default="splits/real/validation.parquet",
                    help="split files (Parquet, comma-separated); never a test split")
    ap.add_argument("--model", default="models/seg-seq")
    ap.add_argument("--prior", default="0.5,0.75,1,1.25")
    ap.add_argument("--transition", default="0.25,0.5,0.75,1")
    ap.add_argument("--start", default="0.9")
    ap.add_argument("--stage1", action="store_true",
                    help="decode stage 1's distributions (the model's own net1) instead")
    args = ap.parse_args()
    rows = read_rows(args.split)
    model = load(args.model)
    warn_in_sample(args.model, model, args.split)
    pages = [{"doc_id": r["doc_id"], "lines": r["lines"]} for r in rows]
    step = max(1, int(model.batch_pages))
    cached = []
    with threadpool_limits(1):
        for b in range(0, len(pages), step):
            chunk = pages[b:b + step]
            batch = featurise([p["lines"] for p in chunk], model.lexicon_)
            P, start = model._rows(batch)
            if args.stage1:
                P = np.mean([_forward(net, batch.X) for net in model.net1_], 0)
            cached.append((chunk, batch, P, start))
    grid = itertools.product(*(map(float, s.split(",")) for s in
                               (args.prior, args.transition, args.start)))
    for pw, tw, st in grid:
        model.prior_weight, model.transition_weight, model.start_threshold = pw, tw, st
        preds = []
        for chunk, batch, P, start in cached:
            preds += model._decode(chunk, batch, P, start)
        s = score(rows, preds)
        srcs = " ".join(f"{k}={v['body_f1']:.3f}" for k, v in sorted(s.items()) if k != "pooled")
        pooled = s["pooled"]
        title = "-" if pooled["title_f1"] is None else f"{pooled['title_f1']:.3f}"
        print(f"prior={pw:<5g} trans={tw:<5g} start={st:<5g} {srcs} pooled={pooled['body_f1']:.3f} "
              f"title={title} bound={pooled['boundary_f1']:.3f} split1={pooled['false_splits']}",
              flush=True)


if __name__ == "__main__":
    main()
