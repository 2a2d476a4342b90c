"""How long ``presscut predict segmentation PAGE`` takes for one page, start-up included.

Each run is a fresh process (as a user's shell call is), with the default segmenter (the
committed seg-seq model). Wall time counts the neighbours on a shared machine; CPU time
(user + system of the child) does not, so both are printed.

    python benchmarks/bench_predict_one.py                  # the first gold seed page, 7 runs
    python benchmarks/bench_predict_one.py --runs 5 --page corpus/raw/001_31073af3c65c8448.txt
"""

from __future__ import annotations

import argparse
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def one_run(page: Path, out: Path) -> tuple[float, float]:
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    t = time.perf_counter()
    subprocess.run([sys.executable, "-m", "presscut.cli", "predict", "segmentation", str(page),
                    "-o", str(out)], check=True, capture_output=True, cwd=ROOT)
    wall = time.perf_counter() - t
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return wall, cpu


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--page", type=Path, default=sorted((ROOT / "corpus" / "raw").glob("*.txt"))[0])
    ap.add_argument("--runs", type=int, default=7)
    args = ap.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp) / "pred.jsonl"
        one_run(args.page, out)  # warm the file cache; not counted
        runs = [one_run(args.page, out) for _ in range(args.runs)]
    walls, cpus = [w for w, _ in runs], [c for _, c in runs]
    print(f"presscut predict segmentation {args.page.name} ({args.runs} fresh processes, "
          f"load average {os.getloadavg()[0]:.1f})")
    print(f"wall s: min {min(walls):.2f}  median {statistics.median(walls):.2f}  max {max(walls):.2f}")
    print(f"CPU s:  min {min(cpus):.2f}  median {statistics.median(cpus):.2f}  max {max(cpus):.2f}")


if __name__ == "__main__":
    main()
