"""Is one saved seg-seq variant better than another? Per-page paired body F1 differences.

    python benchmarks/seg_validation.py --fit '{}' --synthetic 1000 --save /tmp/a
    python benchmarks/seg_validation.py --fit '{"members": 5}' --synthetic 1000 --save /tmp/b
    python benchmarks/seg_paired.py /tmp/a /tmp/b        # real validation; b - a

Both models predict the same pages; per source and pooled, the mean of b's body F1 minus
a's (the harness's shingle F1, macro over pages, as ``seg_validation.py`` scores), a
percentile bootstrap 95% interval over pages, and how many pages got better or worse.
Fits move validation by ±0.005-0.01 from seed and data changes alone, so a variant is
only "better" when its interval clears zero. Validation only, never the test split.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path


def main() -> None:
    import numpy as np

    sys.path.insert(0, str(Path(__file__).parent))
    from seg_validation import by_site, page_body_prf, read_rows

    from presscut.baselines.estimator_io import load

    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("a", help="a saved model folder (the reference)")
    ap.add_argument("b", help="a saved model folder (the variant)")
    ap.add_argument("--split", default="splits/real/validation.parquet")
    ap.add_argument("--resamples", type=int, default=2000)
    ap.add_argument("--by-site", action="store_true",
                    help="also by whether a page's site has real train pages")
    args = ap.parse_args()
    rows = read_rows(args.split)
    pages = [{"doc_id": r["doc_id"], "lines": r["lines"]} for r in rows]
    f1 = []
    for path in (args.a, args.b):
        preds = load(path).predict(pages)
        f1.append(np.array([page_body_prf(r, p["roles"])[2] for r, p in zip(rows, preds)]))
    source = np.array([r["source"]["corpus"] for r in rows])
    site = np.array([r["source"]["corpus"] for r in by_site(rows)]) if args.by_site else None
    diff = f1[1] - f1[0]
    rng = np.random.default_rng(0)
    print(f"{'source':16s} {'pages':>5s} {'a':>6s} {'b':>6s} {'b - a':>7s} {'95% CI':>18s} "
          f"{'better':>6s} {'worse':>5s}")
    groups = [("pooled", np.ones(len(diff), bool))]
    groups += [(n, source == n) for n in sorted(set(source))]
    groups += [(n, site == n) for n in sorted(set(site))] if site is not None else []
    for name, keep in groups:
        d = diff[keep]
        boot = d[rng.integers(0, len(d), (args.resamples, len(d)))].mean(1)
        lo, hi = np.percentile(boot, [2.5, 97.5])
        print(f"{name:16s} {len(d):5d} {f1[0][keep].mean():6.3f} {f1[1][keep].mean():6.3f} "
              f"{d.mean():+7.4f} [{lo:+.4f}, {hi:+.4f}] {int((d > 1e-9).sum()):6d} "
              f"{int((d < -1e-9).sum()):5d}")


if __name__ == "__main__":
    main()
