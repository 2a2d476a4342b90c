"""Development check for #14 (never reads the test split): would a heavier disagree weight
than ``WEIGHT_GRID``'s largest (4) help fnc1-sentences-cv? Its folds chose 4, the edge of
the grid, so the grid is extended on the same out-of-fold probabilities.

    python benchmarks/fnc1_fold_weights.py FNC1CFG OUT.npz   # fits the 3 folds (~4 min) once

The out-of-fold boosting and MLP probabilities of the 3 story folds are saved to OUT.npz
(reused when it exists). Printed: the tuning on the committed grid (it must give what
``presscut baselines fnc1`` recorded as the validation score), on the grid with disagree
weights up to 8, and the disagree weight alone at the committed blend (0.75) and agree
weight (1), all scored on the held pairs with their fold weights.
"""

from __future__ import annotations

import sys
from pathlib import Path

import numpy as np

from presscut.baselines import fnc1_bench
from presscut.baselines.stance_blend import BLEND_GRID
from presscut.baselines.stance_stack import WEIGHT_GRID, weighted_labels, weighted_objective

WIDE_GRID = tuple((a, d, 1.0, 1.0) for a in (1.0, 1.25, 1.5, 2.0)
                  for d in (1.0, 1.5, 2.0, 3.0, 4.0, 5.0, 6.0, 8.0))


def out_of_fold(cfg: Path, out: Path) -> dict:
    if out.is_file():
        return dict(np.load(out))
    data = fnc1_bench.Fnc1Data.load(cfg)
    spec = {s.name: s for s in fnc1_bench.stance_baselines()}["fnc1-sentences-cv"]
    _, (gbdt, mlp), held, weights = fnc1_bench.story_fold_parts(spec, data)
    z = {"gbdt": gbdt, "mlp": mlp, "labels": np.array(held), "weights": np.array(weights)}
    np.savez(out, **z)
    return z


def main(cfg: str, out: str) -> None:
    z = out_of_fold(Path(cfg), Path(out))
    labels, w = [str(y) for y in z["labels"]], z["weights"]

    def show(what, pred):
        s = fnc1_bench.score_stance(labels, pred, n_resamples=0, weights=w)["scores"]
        print(f"{what}: objective {weighted_objective(labels, pred, w):.4f}, FNC "
              f"{100 * s['fnc_score']:.2f} %, macro-F1 {s['macro_f1']:.4f}, F1 disagree "
              f"{s['f1_disagree']:.3f}, F1 agree {s['f1_agree']:.3f}")

    for name, grid in (("committed grid", WEIGHT_GRID), ("disagree up to 8", WIDE_GRID)):
        best = max(((b, cw) for b in BLEND_GRID for cw in grid),
                   key=lambda g: weighted_objective(labels, weighted_labels(
                       g[0] * z["gbdt"] + (1 - g[0]) * z["mlp"], g[1]), w))
        show(f"{name} -> blend {best[0]}, weights {best[1]}", weighted_labels(
            best[0] * z["gbdt"] + (1 - best[0]) * z["mlp"], best[1]))
    proba = 0.75 * z["gbdt"] + 0.25 * z["mlp"]
    for d in (2, 3, 4, 5, 6, 8, 10, 12):
        show(f"  disagree weight {d}", weighted_labels(proba, (1.0, d, 1.0, 1.0)))


if __name__ == "__main__":
    if len(sys.argv) != 3:
        sys.exit("usage: python benchmarks/fnc1_fold_weights.py FNC1CFG OUT.npz")
    main(*sys.argv[1:])
