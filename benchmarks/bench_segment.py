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

    pools = default_pools(use_gold=False)  # speed only: the built-in pool is enough
    gen = SyntheticGenerator(pools.articles, pools.boilerplate, seed=seed)
    for i in range(n):
        page = gen.page(f"bench-{offset}-{i}").page
        yield {"doc_id": page.doc_id, "lines": page.lines, "roles": page.roles,
               "articles": [[a.start_line, a.end_line] for a in page.articles]}


def _pages(n: int, seed: int, toy: bool, offset: int = 0) -> list[dict]:
    return list(_page_stream(n, seed, toy, offset))


def child(name: str, n: int, n_train: int, seed: int, toy: bool, batch: int = 1000) -> dict:
    """Fit, then predict ``n`` pages in batches; only prediction is timed."""
    from itertools import islice

    from presscut.baselines import registry

    model = registry.create(name)
    fit_s = 0.0
    if registry.get(registry.task_of(name), name).trains:
        train = _pages(n_train, seed, toy, offset=1)
        t = time.perf_counter()
        model.fit(train)
        fit_s = time.perf_counter() - t
        del train
    else:
        model.fit([])
    stream = _page_stream(n, seed, toy)
    secs, lines, done = 0.0, 0, 0
    while chunk := list(islice(stream, batch)):
        t = time.perf_counter()
        preds = model.predict(chunk)
        secs += time.perf_counter() - t
        assert len(preds) == len(chunk)
        lines += sum(len(p["lines"]) for p in chunk)
        done += len(chunk)
    return {"baseline": name, "pages": done, "lines": lines, "seconds": secs, "fit_seconds": fit_s,
            "peak_rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--n", type=int, default=2000, help="pages to predict")
    ap.add_argument("--train", type=int, default=1000, help="training pages for seg-learned")
    ap.add_argument("--baselines", default=DEFAULT)
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--toy", action="store_true", help="toy pages instead of synthetic ones")
    ap.add_argument("--child", help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.child:
        print(json.dumps(child(args.child, args.n, args.train, args.seed, args.toy)))
        return

    from rich.console import Console
    from rich.table import Table

    table = Table(title=f"{args.n} {'toy' if args.toy else 'synthetic'} pages, one process "
                        "per baseline")
    for col in ("baseline", "pages/s", "lines/s", "fit s", "peak RSS MB"):
        table.add_column(col, justify="right" if col != "baseline" else "left")
    for name in args.baselines.split(","):
        cmd = [sys.executable, __file__, "--child", name, "--n", str(args.n), "--train",
               str(args.train), "--seed", str(args.seed)] + (["--toy"] if args.toy else [])
        proc = subprocess.run(cmd, capture_output=True, text=True)
        if proc.returncode != 0:
            table.add_row(name, "failed", "", "", proc.stderr.strip().splitlines()[-1][:60])
            continue
        r = json.loads(proc.stdout.strip().splitlines()[-1])
        table.add_row(name, f"{r['pages'] / r['seconds']:.0f}", f"{r['lines'] / r['seconds']:.0f}",
                      f"{r['fit_seconds']:.1f}" if r["fit_seconds"] else "-",
                      f"{r['peak_rss_mb']:.0f}")
    Console().print(table)


if __name__ == "__main__":
    main()
