"""Importers: public formats in, presscut rows out; bad input named by file and row."""

from __future__ import annotations

import hashlib
import json
import shutil
import subprocess
import sys
from pathlib import Path

import pyarrow.parquet as pq
import pytest

from presscut.builder.importers import align_gold, html_to_lines, import_corpus
from presscut.errors import PresscutError
from presscut.schema import (
    FNC1_STANCE_FEATURES,
    PAGES_FEATURES,
    PROVENANCES,
    ROLES,
    SEGMENTATION_FEATURES,
    STANCES,
)

FIX = Path(__file__).parent / "fixtures" / "importers"


def _rows(path: Path) -> list[dict]:
    return pq.read_table(path).to_pylist()


def test_raw_folder(tmp_path):
    rep = import_corpus("raw-folder", FIX / "raw", tmp_path)
    out = Path(rep["output"])
    assert out == tmp_path / "pages.parquet" and rep["records"] == 2
    assert pq.read_schema(out).remove_metadata() == PAGES_FEATURES.arrow_schema.remove_metadata()
    rows = {r["doc_id"]: r for r in _rows(out)}
    for name in ("page_a", "page_b"):
        data = (FIX / "raw" / f"{name}.txt").read_bytes()
        assert rows[name]["sha256"] == hashlib.sha256(data).hexdigest()
        assert rows[name]["text"] == data.decode("utf-8")
        assert rows[name]["n_lines"] == data.count(b"\n") + 1
        assert PROVENANCES[rows[name]["provenance"]] == "silver"


def test_raw_folder_refuses_non_utf8_by_name(tmp_path):
    folder = tmp_path / "in"
    shutil.copytree(FIX / "raw", folder)
    (folder / "broken.txt").write_bytes(b"caf\xe9 page")
    with pytest.raises(PresscutError, match=r"broken\.txt: not UTF-8"):
        import_corpus("raw-folder", folder, tmp_path / "out.parquet")


def test_fnc1_keeps_every_row(tmp_path):
    rep = import_corpus("fnc1", FIX / "fnc1", tmp_path / "fnc1")
    assert Path(rep["output"]) == tmp_path / "fnc1"
    train = _rows(tmp_path / "fnc1" / "splits" / "stance" / "train.parquet")
    val = _rows(tmp_path / "fnc1" / "splits" / "stance" / "validation.parquet")
    rows = sorted(train + val, key=lambda r: r["fnc1_row"])
    # 5 stance rows, one an exact repeat -> 5 rows kept, the repeat marked; hand-read
    got = [(r["headline"], r["body_article_id"], STANCES[r["stance"]], r["repeat_of_row"])
           for r in rows]
    assert got == [
        ("Plane makes emergency landing on motorway", "fnc1-train-body-0/0", "agree", -1),
        ("Plane makes emergency landing on motorway", "fnc1-train-body-7/0", "unrelated", -1),
        ("Pilot, 54, denies engine failure", "fnc1-train-body-0/0", "disagree", -1),
        ("Mayor promises parks", "fnc1-train-body-7/0", "discuss", -1),
        ("Mayor promises parks", "fnc1-train-body-7/0", "discuss", 3),
    ]
    assert rows[0]["body"].endswith(
        "police said.\n\nThe pilot was unhurt."
    )  # multi-line field kept
    assert rows[0]["headline_article_id"] == rows[1]["headline_article_id"]
    schema = pq.read_schema(tmp_path / "fnc1" / "splits" / "stance" / "train.parquet")
    assert schema.remove_metadata() == FNC1_STANCE_FEATURES.arrow_schema.remove_metadata()


def test_html_to_lines_like_an_extractor():
    lines, heads = html_to_lines((FIX / "html_gold" / "html" / "p1.html").read_bytes())
    assert lines == [
        "Home > News",
        "Ferry returns to Morrin",
        "The ferry at the south pier.",
        "Ferry services to the island of Morrin resumed on Thursday after three weeks in dry dock.",
        "Islanders had relied on a smaller boat",  # <br> breaks the line
        "that could not carry vehicles.",
        "Share Tweet",
        "The operator said a second ferry would be added next year.",
        "© Island News. All rights reserved.",
        "Share Tweet",
    ]
    assert "Ferry returns to Morrin" in heads


def test_align_gold_marks_the_lines_carrying_the_body():
    lines = ["Menu", "The cat sat on the mat today.", "Advert here", "It then slept."]
    body, coverage = align_gold(lines, "The cat sat on the mat today. It then slept.")
    assert body == [False, True, False, True] and coverage == 1.0
    body, coverage = align_gold(
        lines, "The cat sat on the mat today. Something else entirely happened."
    )
    assert body == [False, True, False, False] and coverage == pytest.approx(7 / 11)


def test_html_gold_rows(tmp_path):
    rep = import_corpus("html-gold", FIX / "html_gold", tmp_path / "seg.parquet")
    assert rep["records"] == 1 and rep["low_coverage"] == []
    (row,) = _rows(tmp_path / "seg.parquet")
    roles = [ROLES[r] for r in row["roles"]]
    assert roles == [
        "boilerplate",
        "title",
        "boilerplate",
        "body",
        "body",
        "body",
        "boilerplate",
        "body",
        "boilerplate",
        "boilerplate",
    ]
    assert [(a["start_line"], a["end_line"]) for a in row["articles"]] == [(1, 8)]
    assert row["dup_groups"] == [{"lines": [6, 9], "kind": 0}]
    text = "\n".join(row["lines"])
    a = row["articles"][0]
    assert text[a["start_char"] : a["end_char"]].startswith("Ferry returns to Morrin")
    assert text[a["start_char"] : a["end_char"]].endswith("added next year.")
    assert pq.read_schema(tmp_path / "seg.parquet").remove_metadata() == (
        SEGMENTATION_FEATURES.arrow_schema.remove_metadata()
    )


def test_html_gold_missing_gold_is_named(tmp_path):
    folder = tmp_path / "hg"
    shutil.copytree(FIX / "html_gold", folder)
    (folder / "html" / "p2.html").write_text("<p>hello</p>")
    with pytest.raises(PresscutError, match=r"p2\.html: no gold body .*p2\.txt"):
        import_corpus("html-gold", folder, tmp_path / "seg.parquet")


def test_html_gold_empty_gold_is_refused(tmp_path):
    """#10.14: an empty gold file counted as 100% coverage."""
    folder = tmp_path / "hg"
    shutil.copytree(FIX / "html_gold", folder)
    gold = next((folder / "gold").glob("*.txt"))
    gold.write_text(" \n\n")
    with pytest.raises(PresscutError, match=rf"{gold.name}: empty gold body"):
        import_corpus("html-gold", folder, tmp_path / "seg.parquet")
    assert align_gold(["some words here"], "")[1] == 0.0


def test_jsonl_articles_not_utf8_or_deep_is_named(tmp_path):
    bad = tmp_path / "bad.jsonl"
    good = (FIX / "articles.jsonl").read_bytes()
    bad.write_bytes(good + b'{"id": "caf\xe9"}\n')
    n = good.count(b"\n") + 1
    with pytest.raises(PresscutError, match=rf"bad.jsonl:{n}: not UTF-8"):
        import_corpus("jsonl-articles", bad, tmp_path / "pool.jsonl")
    bad.write_bytes(b"[" * 100_000 + b"\n")
    with pytest.raises(PresscutError, match="bad.jsonl:1: JSON nested too deeply"):
        import_corpus("jsonl-articles", bad, tmp_path / "pool.jsonl")
    assert not (tmp_path / "pool.jsonl").exists()


def test_jsonl_articles_round_trip(tmp_path):
    rep = import_corpus("jsonl-articles", FIX / "articles.jsonl", tmp_path / "pool.jsonl")
    assert rep["records"] == 2
    src = [json.loads(line) for line in (FIX / "articles.jsonl").read_text().splitlines()]
    out = [json.loads(line) for line in (tmp_path / "pool.jsonl").read_text().splitlines()]
    assert out == src  # nothing lost or invented for valid input


def test_cli_reports_bad_input_without_traceback(tmp_path):
    folder = tmp_path / "fnc"
    folder.mkdir()
    shutil.copy(FIX / "fnc1" / "train_bodies.csv", folder)
    (folder / "train_stances.csv").write_text("Headline,Body ID,Stance\nA,0,maybe\n")
    proc = subprocess.run(
        [
            sys.executable,
            "-m",
            "presscut.cli",
            "import",
            "fnc1",
            str(folder),
            "-o",
            str(tmp_path / "x"),
        ],
        capture_output=True,
        text=True,
    )
    assert proc.returncode == 1
    # rich may wrap a long path: compare without whitespace
    assert "train_stances.csv:line2:stance'maybe'" in "".join(proc.stderr.split())
    assert "Traceback" not in proc.stderr


def test_output_name_must_match_what_the_format_writes(tmp_path):
    """#10.7: raw-folder -o out.jsonl used to write Parquet under a .jsonl name."""
    with pytest.raises(PresscutError, match=r"writes \.parquet"):
        import_corpus("raw-folder", FIX / "raw", tmp_path / "out.jsonl")
    assert not (tmp_path / "out.jsonl").exists()
    with pytest.raises(PresscutError, match="unknown import format"):
        import_corpus("raw-folders", FIX / "raw", tmp_path)
