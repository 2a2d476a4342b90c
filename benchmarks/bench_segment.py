"""Speed and memory of the segmentation and line-dedup baselines on generated pages.

Pages come from the project's synthetic generator (``presscut.builder.synth``, built-in
pools) or, with ``--toy``, from ``tests/toy_pages.py``. Each baseline runs in
a fresh subprocess, so the peak RSS printed is that baseline's alone (``ru_maxrss``:
the process's high-water mark, imports included). Pages are generated and predicted
in batches of 1000, so memory does not grow with ``--n``.

    python benchmarks/bench_segment.py                    # 2000 pages, rule-based ones
    python benchmarks/bench_segment.py --n 500 --baselines seg-rules,seg-learned
    python benchmarks/bench_segment.py --toy --n 5000

seg-learned is fitted on ``--train`` separate synthetic pages first; its fit time is
printed apart from prediction throughput.

``--real splits/real/test.parquet`` times the segmenters on real pages instead (the first
``--n`` of that file); seg-seq then loads its saved model (``models/seg-seq``) rather than
fitting. Each child runs on one core (BLAS/OpenMP threads 1, pinned to CPU 0 where
``os.sched_setaffinity`` exists); CPU seconds are reported beside wall seconds, since on a
shared machine wall time measures the neighbours too.

    python benchmarks/bench_segment.py --real splits/real/test.parquet --n 500 \
        --baselines seg-keep-all,seg-rules,seg-justext,seg-seq,peer-c4,peer-gopher,peer-fineweb,peer-trafilatura-text

``--models A,B`` adds rows for saved model folders (``seg_validation.py --save``'s, loaded
with ``estimator_io.load``), to compare a variant's speed with the committed model's.
"""

from __future__ import annotations

import argparse
import json
import resource
import subprocess
import sys
import time
from pathlib import Path

# the toy page maker the tests use (tests/toy_pages.py)
sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "tests"))

DEFAULT = "seg-keep-all,seg-rules,seg-justext,dedup-exact,dedup-near"


def _page_stream(n: int, seed: int, toy: bool, offset: int = 0):
    """Labelled pages one at a time, so a large run never holds them all."""
    if toy:
        from toy_pages import toy_pages  # tests/toy_pages.py (on sys.path below)

        yield from toy_pages(n, seed=seed + offset)
        return
    from presscut.builder.pools import default_pools
    from presscut.builder.synth import SyntheticGenerator

    pools = default_pools(use_gold=False, use_real=False, builtin=True)  # speed only: the built-in pool is enough
    gen = SyntheticGenerator(pools.articles, pools.boilerplate, seed=seed)
    for i in range(n):
        page = gen.page(f"bench-{offset}-{i}").page
        yield {"doc_id": page.doc_id, "lines": page.lines, "roles": page.roles,
               "articles": [[a.start_line, a.end_line] for a in page.articles]}


def _pages(n: int, seed: int, toy: bool, offset: int = 0) -> list[dict]:
    return list(_page_stream(n, seed, toy, offset))


def _real_stream(path: str, n: int):
    import pyarrow.parquet as pq

    rows = pq.read_table(path, columns=["doc_id", "lines"]).slice(0, n).to_pylist()
    yield from rows


def child(name: str, n: int, n_train: int, seed: int, toy: bool, batch: int = 1000,
          real: str | None = None) -> dict:
    """Fit, then predict ``n`` pages in batches; only prediction is timed."""
    import os
    from itertools import islice

    from presscut.baselines import registry

    if hasattr(os, "sched_setaffinity"):
        os.sched_setaffinity(0, {sorted(os.sched_getaffinity(0))[0]})
    fit_s = 0.0
    if Path(name).is_dir():  # a saved model folder (--models)
        from presscut.baselines.estimator_io import load

        t = time.perf_counter()
        model = load(name)
        fit_s = time.perf_counter() - t
        spec = None
    else:
        model = registry.create(name)
        spec = registry.get(registry.task_of(name), name)
    if spec is None:
        pass
    elif spec.saved:  # a committed model: loading it is what predict does
        t = time.perf_counter()
        model = registry.load_saved(spec)
        fit_s = time.perf_counter() - t
    elif spec.trains:
        train = _pages(n_train, seed, toy, offset=1)
        t = time.perf_counter()
        model.fit(train)
        fit_s = time.perf_counter() - t
        del train
    else:
        model.fit([])
    stream = _real_stream(real, n) if real else _page_stream(n, seed, toy)
    secs, cpu, lines, done = 0.0, 0.0, 0, 0
    while chunk := list(islice(stream, batch)):
        t, c = time.perf_counter(), time.process_time()
        preds = model.predict(chunk)
        secs += time.perf_counter() - t
        cpu += time.process_time() - c
        assert len(preds) == len(chunk)
        lines += sum(len(p["lines"]) for p in chunk)
        done += len(chunk)
    return {"baseline": name, "pages": done, "lines": lines, "seconds": secs, "cpu_seconds": cpu,
            "fit_seconds": fit_s,
            "peak_rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--n", type=int, default=2000, help="pages to predict")
    ap.add_argument("--train", type=int, default=1000, help="training pages for seg-learned")
    ap.add_argument("--baselines", default=DEFAULT)
    ap.add_argument("--models", default="",
                    help="comma-separated saved model folders to time as well")
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--toy", action="store_true", help="toy pages instead of synthetic ones")
    ap.add_argument("--real", help="a real split file (Parquet) to take the pages from")
    ap.add_argument("--child", help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.child:
        print(json.dumps(child(args.child, args.n, args.train, args.seed, args.toy,
                               real=args.real)))
        return

    from rich.console import Console
    from rich.table import Table

    kind = "real" if args.real else "toy" if args.toy else "synthetic"
    table = Table(title=f"{args.n} {kind} pages, one process per baseline, one core")
    for col in ("baseline", "pages/s (wall)", "pages/s (CPU)", "lines/s", "fit/load s",
                "peak RSS MB"):
        table.add_column(col, justify="right" if col != "baseline" else "left")
    names = [b for b in args.baselines.split(",") if b]
    names += [m for m in args.models.split(",") if m]
    for name in names:
        cmd = [sys.executable, __file__, "--child", name, "--n", str(args.n), "--train",
               str(args.train), "--seed", str(args.seed)] + (["--toy"] if args.toy else [])
        cmd += ["--real", args.real] if args.real else []
        import os

        env = {**os.environ, "OMP_NUM_THREADS": "1", "OPENBLAS_NUM_THREADS": "1",
               "MKL_NUM_THREADS": "1"}
        proc = subprocess.run(cmd, capture_output=True, text=True, env=env)
        label = Path(name).name if name in args.models.split(",") else name
        if proc.returncode != 0:
            table.add_row(label, "failed", "", "", "", proc.stderr.strip().splitlines()[-1][:60])
            continue
        r = json.loads(proc.stdout.strip().splitlines()[-1])
        table.add_row(label, f"{r['pages'] / r['seconds']:.0f}",
                      f"{r['pages'] / max(r['cpu_seconds'], 1e-9):.0f}",
                      f"{r['lines'] / r['seconds']:.0f}",
                      f"{r['fit_seconds']:.1f}" if r["fit_seconds"] else "-",
                      f"{r['peak_rss_mb']:.0f}")
    Console().print(table)


if __name__ == "__main__":
    main()
