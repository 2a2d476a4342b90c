"""Where seg-seq's predict time goes: CPU seconds of its stages on real pages, warm, in one
process (one BLAS thread), repeated.

    python benchmarks/bench_seq_stages.py                       # validation pages, 3 runs
    python benchmarks/bench_seq_stages.py --model DIR --runs 5

``bench_segment.py`` times one cold predict call per fresh process, and on a shared machine
its spread is wider than a stage's cost, so a change to one stage is measured here. Stages
nest: ``rows`` (line features and the stage-1 nets) holds part of ``nets``; ``cut`` is the
comment cut, ``pick`` the title picker.
"""

from __future__ import annotations

import argparse
import time


def main() -> None:
    from seg_validation import read_rows
    from threadpoolctl import threadpool_limits

    from presscut.baselines import segment_seq as sq
    from presscut.baselines import segment_seq_titles as titles
    from presscut.baselines.estimator_io import load

    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--model", default="models/seg-seq")
    ap.add_argument("--split", default="splits/real/validation.parquet")
    ap.add_argument("--runs", type=int, default=3)
    a = ap.parse_args()

    spent: dict[str, float] = {}

    def timed(owner, name: str, key: str) -> None:
        inner = getattr(owner, name)

        def run(*args, **kwargs):
            t = time.process_time()
            try:
                return inner(*args, **kwargs)
            finally:
                spent[key] = spent.get(key, 0.0) + time.process_time() - t
        setattr(owner, name, run)

    timed(sq, "_forward", "nets")
    timed(sq.SequenceSegmenter, "_rows", "rows")
    timed(sq, "viterbi", "viterbi")
    timed(sq.SequenceSegmenter, "_cut_comments", "cut")
    timed(titles, "pick", "pick")
    rows = read_rows(a.split)
    pages = [{"doc_id": r["doc_id"], "lines": r["lines"]} for r in rows]
    model = load(a.model)
    with threadpool_limits(1):
        model.predict(pages[:50])  # first-touch memory and one-off tables
        for run in range(a.runs):
            spent.clear()
            t = time.process_time()
            model.predict(pages)
            total = time.process_time() - t
            stages = ", ".join(f"{k} {v:.3f}" for k, v in sorted(spent.items()))
            print(f"run {run + 1}: {len(pages)} pages, {total:.3f} CPU-s "
                  f"({len(pages) / total:.0f} pages/s); {stages}")


if __name__ == "__main__":
    main()
