"""Refit only seg-seq's title picker on a saved model, and score titles on real splits.

    python benchmarks/seg_picker.py --model DIR                            # the recipe
    python benchmarks/seg_picker.py --model DIR --seeds 1 --shifts 0 --far-echo 0

The role nets, the lexicon and body F1 stay the saved model's; the pickers are refitted on
the real train pages (``--seeds``: one picker per seed, averaged; ``--shifts``: the body
started k lines late, ``segment_seq_titles.SHIFTS``), and ``--far-echo`` / ``--far-copy``
set the far-title rule (``--far-echo 0`` keeps every far title, the rule before
2026-12-07's fifth session); ``--title-lead`` sets the first body line's challenge (0: off;
a model saved before it has the default, 0.02). How docs/segmentation.md's "Picker members,
late starts, far titles" (with ``--title-lead 0``) and "The first body line challenges for
the headline" rows were made. DIR should be a fit on train alone (``seg_validation.py --fit
... --save DIR``): the committed model's pickers saw the validation pages.
"""

from __future__ import annotations

import argparse


def main() -> None:
    from seg_validation import read_rows, score
    from threadpoolctl import threadpool_limits

    from presscut.baselines import segment_seq_titles as titles
    from presscut.baselines.estimator_io import load
    from presscut.baselines.segment_seq import fit_pages

    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--model", required=True, help="a saved seg-seq folder (train-only fit)")
    ap.add_argument("--seeds", default="0,1,2", help="one picker per seed, averaged")
    ap.add_argument("--shifts", default=",".join(map(str, titles.SHIFTS)))
    ap.add_argument("--far-echo", type=float, default=titles.FAR_ECHO)
    ap.add_argument("--far-copy", type=float, default=titles.FAR_COPY)
    ap.add_argument("--title-lead", type=float, default=None,
                    help="the model's title_lead (0: no first-body-line challenge)")
    ap.add_argument("--save", help="also save the model with its refitted pickers here")
    ap.add_argument("--split", default="splits/real/validation.parquet,"
                                       "splits/synthetic/validation.parquet",
                    help="comma-separated split files, each scored on its own")
    a = ap.parse_args()
    titles.FAR_ECHO, titles.FAR_COPY = a.far_echo, a.far_copy
    model = load(a.model)
    real, _ = fit_pages(("train",), 0)
    shifts = tuple(int(k) for k in a.shifts.split(","))
    # one BLAS thread, as SequenceSegmenter.fit has: with more, the pickers come out
    # last-bit different, and fundus validation title F1 moved 0.684 -> 0.658 on T0
    with threadpool_limits(1):
        model.title_net_ = [titles.fit(real, int(model.title_window), int(s), shifts)
                            for s in a.seeds.split(",")]
    if a.title_lead is not None:
        model.title_lead = a.title_lead
    if a.save:
        model.save(a.save)
    print(f"seeds {a.seeds}, shifts {shifts}, far echo {a.far_echo}, far copy {a.far_copy}, "
          f"title_lead {getattr(model, 'title_lead', 0.0)}")
    for split in a.split.split(","):
        rows = read_rows(split)
        preds = model.predict([{"doc_id": r["doc_id"], "lines": r["lines"]} for r in rows])
        scores = score(rows, preds)
        if len(scores) == 2:  # one source: its pooled row says the same
            del scores["pooled"]
        for src, s in sorted(scores.items()):
            title = "-" if s["title_f1"] is None else f"{s['title_f1']:.3f}"
            print(f"  {split:40s} {src:16s} {s['pages']:5d} body F1 {s['body_f1']:.4f} "
                  f"title F1 {title} boundary F1 {s['boundary_f1']:.3f}")


if __name__ == "__main__":
    main()
