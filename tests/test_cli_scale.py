"""presscut segment / presscut dedup at the command line: summary, named bad rows, atomic output."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import pyarrow.parquet as pq
import pytest

pytest.importorskip("duckdb")
pytest.importorskip("rensa")

import presscut.cli as cli  # noqa: E402

RAW = Path(__file__).resolve().parent.parent / "corpus" / "raw"


def run(monkeypatch, capsys, *args: str) -> tuple[int, str]:
    monkeypatch.setattr(sys, "argv", ["presscut", *args])
    monkeypatch.setenv("COLUMNS", "200")
    try:
        cli.main()
        code = 0
    except SystemExit as exc:
        code = exc.code or 0
    out, err = capsys.readouterr()
    return code, out + err


def test_segment_then_dedup(monkeypatch, capsys, tmp_path):
    seg = tmp_path / "seg.parquet"
    code, text = run(monkeypatch, capsys, "segment", str(RAW), "-o", str(seg))
    assert code == 0 and "pages" in text and seg.is_file()
    n_articles = sum(len(r["articles"]) for r in pq.read_table(seg).to_pylist())
    dups, uniq = tmp_path / "dups.parquet", tmp_path / "uniq.parquet"
    code, text = run(monkeypatch, capsys, "dedup", str(seg), "-o", str(dups), "--unique", str(uniq))
    assert code == 0 and "verified pairs" in text
    assert pq.read_table(dups).num_rows == n_articles
    assert pq.read_table(uniq).num_rows == len(set(pq.read_table(dups).column("dup_cluster")
                                                   .to_pylist()))


def test_bad_rows_are_listed_beside_the_output(monkeypatch, capsys, tmp_path):
    src = tmp_path / "a.jsonl"
    src.write_text(json.dumps({"id": "a", "text": "one two three four five six"}) + "\n"
                   + "{oops\n", encoding="utf-8")
    out = tmp_path / "d.parquet"
    code, text = run(monkeypatch, capsys, "dedup", str(src), "-o", str(out))
    assert code == 0 and "1 bad row(s)" in text and "line 2" in text
    listed = [json.loads(x) for x in (tmp_path / "d.parquet.errors.jsonl").read_text().splitlines()]
    assert listed == [{"source": str(src), "where": "line 2",
                       "reason": listed[0]["reason"]}] and "not JSON" in listed[0]["reason"]


def test_missing_corpus_is_one_line_and_writes_nothing(monkeypatch, capsys, tmp_path):
    code, text = run(monkeypatch, capsys, "dedup", str(tmp_path / "nope"), "-o",
                     str(tmp_path / "o.parquet"))
    assert code == 1 and "no such file or folder" in text and "Traceback" not in text
    assert list(tmp_path.iterdir()) == []


@pytest.mark.parametrize("extra", [["--ray-cpus", "2"], ["--ray", "auto", "--ray-cpus", "2"],
                                   ["--ray", "local", "--ray-cpus", "0"]])
def test_ray_cpus_only_sizes_a_local_cluster(monkeypatch, capsys, tmp_path, extra):
    for job in ("segment", "dedup"):
        code, text = run(monkeypatch, capsys, job, str(RAW), "-o", str(tmp_path / "o.parquet"),
                         *extra)
        assert code == 1 and "--ray-cpus" in text and "Traceback" not in text, (job, text)
        assert list(tmp_path.iterdir()) == []
