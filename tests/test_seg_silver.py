"""benchmarks/seg_silver.py: silver training pages from two HTML extractors' agreement."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent
pytest.importorskip("trafilatura")
pytest.importorskip("readability")
pytest.importorskip("resiliparse")
sys.path.insert(0, str(REPO / "benchmarks"))

PARAS = [
    "The harbour council approved the new breakwater plan on Tuesday evening after a debate "
    "that ran for more than four hours and drew a crowd of fishermen to the town hall.",
    "Work on the first section is due to start in the spring, and the engineers expect the "
    "whole wall to take about two years to build if the winter storms allow it.",
    "Opponents said the cost had doubled since the plan was first shown to residents, and "
    "that the money would be better spent on repairing the old pier and the lifeboat slip.",
    "The mayor said the wall would protect the houses on the front from flooding, which has "
    "reached them three times in the past ten years, and that the grant covers most of it.",
]
HEADLINE = "Harbour council approves breakwater plan"


def _page(paras=PARAS) -> bytes:
    nav = "".join(f'<li><a href="/{w}">{w}</a></li>' for w in ("Home", "World", "Sport", "Weather"))
    body = "".join(f"<p>{p}</p>" for p in paras)
    return (f"<!DOCTYPE html><html><head><title>{HEADLINE} - The Coast Gazette</title></head>"
            f"<body><header><ul>{nav}</ul></header><main><article><h1>{HEADLINE}</h1>{body}"
            "</article></main><footer><p>Copyright 2024 The Coast Gazette. All rights "
            "reserved.</p><a href='/privacy'>Privacy policy</a></footer></body></html>"
            ).encode()


def test_an_article_page_is_labelled_by_the_extractors_agreement():
    from seg_silver import label

    page, reason = label(_page(), 0.95)
    assert reason == "kept", reason
    roles = dict(zip(page["lines"], page["roles"]))
    assert roles[HEADLINE] == "title"
    assert all(roles[p] == "body" for p in PARAS)
    assert all(roles[w] == "boilerplate" for w in ("Home", "Sport", "Privacy policy"))
    first = page["lines"].index(HEADLINE)
    assert page["articles"] == [[first, page["lines"].index(PARAS[-1]) + 1]]


def test_a_page_with_too_little_main_text_is_not_labelled():
    from seg_silver import label

    page, reason = label(_page(["Short note."]), 0.95)
    assert page is None and "too short" in reason


def test_a_page_saved_twice_is_kept_once(tmp_path):
    src = tmp_path / "crawl"
    src.mkdir()
    (src / "a.html").write_bytes(_page())
    (src / "b.php").write_bytes(_page())  # the same page saved twice, under another name
    out = tmp_path / "silver.jsonl"
    run = subprocess.run([sys.executable, str(REPO / "benchmarks" / "seg_silver.py"), str(src),
                          "-o", str(out), "--root", str(REPO)], capture_output=True, text=True)
    assert run.returncode == 0, run.stderr
    kept = [json.loads(x) for x in out.read_text("utf-8").split("\n") if x]
    assert [p["doc_id"] for p in kept] == ["silver/a"]
    assert "kept 1" in run.stdout and "a copy of a kept silver page 1" in run.stdout
    from presscut.runner import predict_pages
    from presscut.schema import ROLES

    run = subprocess.run([sys.executable, str(REPO / "benchmarks" / "seg_silver.py"),
                          "--agreement", str(out), str(REPO / "models" / "seg-seq")],
                         capture_output=True, text=True, cwd=REPO)
    assert run.returncode == 0, run.stderr
    sys.path.insert(0, str(REPO / "benchmarks"))
    from seg_validation import page_body_prf

    pred = predict_pages("segmentation", [{"doc_id": "a", "lines": kept[0]["lines"]}])[0]
    f1 = page_body_prf({"lines": kept[0]["lines"],
                        "roles": [ROLES.index(r) for r in kept[0]["roles"]]}, pred["roles"])[2]
    assert f"seg-seq: {f1:.3f} pooled; a {f1:.3f} (1)" in run.stdout
