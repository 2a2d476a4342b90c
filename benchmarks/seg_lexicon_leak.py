"""How many real train lines get a whole-line lexicon entry out of fold, with and without
the synthetic pages seg-seq trains on, and with ``source_guard`` (docs/segmentation.md).

    python benchmarks/seg_lexicon_leak.py            # 1,000 synthetic pages, as the model

Synthetic pages hold lines of real train pages; without the guard a real page in fold f
finds its own lines counted on synthetic copies in the other folds.
"""

from __future__ import annotations

import argparse


def main() -> None:
    import numpy as np

    from presscut.baselines.segment_seq import SYNTHETIC_TRAIN_PAGES, lexicon_pages
    from presscut.baselines.segment_seq_features import Lexicon, normalise_line
    from presscut.harness.gold import config_files
    from presscut.schema import is_blank
    from presscut.tasks._pages import labelled_pages, spread

    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--synthetic", type=int, default=SYNTHETIC_TRAIN_PAGES)
    ap.add_argument("--folds", type=int, default=3)
    args = ap.parse_args()
    real = labelled_pages(config_files("real", ["train"]))
    synth = spread(labelled_pages(config_files("synthetic", ["train"])), args.synthetic)
    pages = real + synth
    fold = np.arange(len(pages)) % args.folds
    counts = {"real pages only": 0, "+ synthetic, plain folds": 0, "+ synthetic, source_guard": 0}
    total = 0
    for f in range(args.folds):
        lexicons = {
            "real pages only": Lexicon.fit([p for p, g in zip(real, fold) if g != f]),
            "+ synthetic, plain folds": Lexicon.fit(lexicon_pages(pages, fold, f, guard=False)),
            "+ synthetic, source_guard": Lexicon.fit(lexicon_pages(pages, fold, f, guard=True)),
        }
        for p, g in zip(real, fold):
            if g != f:
                continue
            keys = [normalise_line(t) for t in p["lines"] if not is_blank(t)]
            total += len(keys)
            for name, lex in lexicons.items():
                counts[name] += sum(k in lex.line_logodds for k in keys)
    print(f"real train lines: {total:,} ({len(real)} pages, {len(synth)} synthetic pages)")
    for name, n in counts.items():
        print(f"  with a whole-line lexicon entry out of fold, {name}: {n:,}")


if __name__ == "__main__":
    main()
