"""Which stage of ``presscut dedup`` holds the memory: peak RSS per stage, split by process.

    nice python benchmarks/bench_dedup_memory.py --n 1000000 --workers 2

Generates ``--n`` synthetic articles (:mod:`presscut.scale.synthetic`, not timed; or reads
``--input FILE``), then runs :func:`presscut.scale.dedup.dedup_corpus` in a child process
whose stage functions are wrapped to announce when each starts. The parent samples, every
0.1 s from /proc, the child's anonymous resident memory (heap, Arrow and DuckDB buffers),
its file-backed resident memory (the memory-mapped signature file, shared libraries) and
the resident memory of its worker processes; the child samples DuckDB's own accounting
(``duckdb_memory()``: the bytes its buffer manager holds, and its temporary files on
disk). Each column is the largest value seen while the stage ran, and "tree" is the
largest sum over the process tree (what bench_dedup.py's peak RSS measures).
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

from rich.console import Console
from rich.table import Table

from presscut.scale import synthetic

CHILD = r"""
import json, sys, threading, time
from pathlib import Path
import presscut.scale.dedup as d
from presscut.scale.stages import DedupParams

def mark(stage):
    print(json.dumps({"stage": stage}), flush=True)

cons = []
_connect = d.connect
def connect(*a, **k):
    con = _connect(*a, **k)
    con.execute("SET enable_progress_bar=false")  # it would print into the message stream
    cons.append(con.cursor())
    return con
d.connect = connect

def wrap(name, label):
    fn = getattr(d, name)
    def inner(*a, **k):
        mark(label)
        return fn(*a, **k)
    setattr(d, name, inner)

for name, label in (("write_signatures", "1 signatures"), ("candidate_pairs", "2 candidates"),
                    ("verified_pairs", "3 verify"), ("components", "4 components"),
                    ("named_clusters", "5 name + write")):
    wrap(name, label)

def duck():
    while True:
        time.sleep(0.25)
        if not cons:
            continue
        try:
            mem = cons[0].execute("SELECT sum(memory_usage_bytes), sum(temporary_storage_bytes) "
                                  "FROM duckdb_memory()").fetchall()[0]
            print(json.dumps({"duckdb": mem[0] or 0, "duckdb_tmp": mem[1] or 0}), flush=True)
        except Exception:
            pass
threading.Thread(target=duck, daemon=True).start()
rep = d.dedup_corpus(Path(sys.argv[1]), Path(sys.argv[2]), DedupParams(),
                     workers=int(sys.argv[3]), memory_limit=sys.argv[4])
mark("end")
print(json.dumps({"report": rep.summary()}), flush=True)
"""


def _status(pid: int) -> dict[str, int]:
    out = {}
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        key, _, val = line.partition(":")
        if key in ("VmRSS", "RssAnon", "RssFile", "RssShmem"):
            out[key] = int(val.split()[0]) * 1024
    return out


def _descendants(pid: int) -> list[int]:
    found, todo = [], [pid]
    while todo:
        p = todo.pop()
        for task in Path(f"/proc/{p}/task").glob("*"):
            try:
                kids = [int(x) for x in (task / "children").read_text().split()]
            except OSError:
                continue
            found += kids
            todo += kids
    return found


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--n", type=int, default=1_000_000)
    ap.add_argument("--input", type=Path, default=None, help="an existing synthetic Parquet file")
    ap.add_argument("--workers", type=int, default=2)
    ap.add_argument("--memory-limit", default="500MB")
    ap.add_argument("--workdir", type=Path, default=None)
    args = ap.parse_args()

    with tempfile.TemporaryDirectory(dir=args.workdir) as tmp:
        src = args.input
        if src is None:
            src = synthetic.write(Path(tmp) / "articles.parquet", args.n)
        proc = subprocess.Popen([sys.executable, "-c", CHILD, str(src), str(Path(tmp) / "o.parquet"),
                                 str(args.workers), args.memory_limit],
                                stdout=subprocess.PIPE, text=True)
        stage = ["0 start-up"]
        order: list[str] = []
        peaks: dict[str, dict[str, float]] = {}
        report = {}
        t0 = time.perf_counter()

        def bump(key: str, value: float):
            row = peaks.setdefault(stage[0], {})
            row[key] = max(row.get(key, 0), value)

        def read():
            for line in proc.stdout:
                try:
                    msg = json.loads(line)
                except ValueError:
                    continue
                if "stage" in msg:
                    stage[0] = msg["stage"]
                    order.append(msg["stage"])
                    peaks.setdefault(msg["stage"], {})["start"] = time.perf_counter() - t0
                elif "duckdb" in msg:
                    bump("duckdb", msg["duckdb"])
                    bump("duckdb_tmp", msg["duckdb_tmp"])
                elif "report" in msg:
                    report.update(msg["report"])

        reader = threading.Thread(target=read, daemon=True)
        reader.start()
        while proc.poll() is None:
            try:
                main_s = _status(proc.pid)
                kids = 0
                for k in _descendants(proc.pid):
                    try:
                        kids += _status(k).get("VmRSS", 0)
                    except OSError:
                        pass
            except OSError:
                break
            bump("anon", main_s.get("RssAnon", 0))
            bump("file", main_s.get("RssFile", 0) + main_s.get("RssShmem", 0))
            bump("workers", kids)
            bump("tree", main_s.get("VmRSS", 0) + kids)
            time.sleep(0.1)
        reader.join()
        if proc.returncode:
            raise SystemExit(f"dedup failed ({proc.returncode})")
        total = time.perf_counter() - t0

    mib = 2**20
    table = Table(title=f"presscut dedup, {report.get('articles', 0):,} articles, "
                        f"--workers {args.workers}, DuckDB memory_limit {args.memory_limit}: "
                        "peak resident memory per stage (MiB)")
    for col in ("stage", "from s", "main anon", "main file", "workers", "tree",
                "DuckDB buffers", "DuckDB temp"):
        table.add_column(col, justify="left" if col == "stage" else "right")
    for name in ["0 start-up"] + [s for s in order if s != "end"]:
        row = peaks.get(name, {})
        table.add_row(name, f"{row.get('start', 0):.0f}", *(f"{row.get(k, 0) / mib:,.0f}" for k in
                      ("anon", "file", "workers", "tree", "duckdb", "duckdb_tmp")))
    console = Console(width=150)
    console.print(table)
    tree = max(r.get("tree", 0) for r in peaks.values())
    console.print(f"peak tree RSS {tree / mib:,.0f} MiB; {total:.0f} s; "
                  f"{report.get('candidates', 0):,} candidate pairs, "
                  f"{report.get('verified', 0):,} verified")
    print(json.dumps({"peaks": peaks, "report": report}))


if __name__ == "__main__":
    main()
