"""HTML references: each extractor, through its own library, finds the article of a page."""

from __future__ import annotations

from pathlib import Path

import pytest

pytest.importorskip("trafilatura", reason="needs the presscut[peers] extra (CI installs it)")

from presscut.baselines import html_refs  # noqa: E402
from presscut.harness.metrics import body_prf  # noqa: E402

FIX = Path(__file__).parent / "fixtures" / "html"
HTML = (FIX / "article.html").read_bytes()
GOLD = (FIX / "article.gold.txt").read_text(encoding="utf-8")


@pytest.mark.parametrize("name", list(html_refs.EXTRACTORS))
def test_extractor_keeps_the_article_and_drops_the_menus(name):
    text = html_refs.EXTRACTORS[name][1](HTML)
    p, r, _ = body_prf(GOLD, text)
    assert r > 0.9, text  # the article's paragraphs are there
    assert "Section 7" not in text and "Another headline number 3" not in text


def test_score_per_source_counts_failures_and_skips_pages_without_gold(monkeypatch):
    def broken(html):
        raise ValueError("boom")

    monkeypatch.setitem(html_refs.EXTRACTORS, "broken", ("trafilatura", broken))
    pages = [("a/1", "a", HTML), ("b/1", "b", HTML), ("c/1", "c", HTML)]
    out = html_refs.score(pages, {"a/1": GOLD, "b/1": GOLD},
                          extractors=["trafilatura", "broken"])
    rows = {r["extractor"]: r for r in out["rows"]}
    assert set(rows["trafilatura"]["per_source"]) == {"a", "b"}
    assert rows["broken"]["failures"] == 2 and rows["broken"]["pooled"]["body_f1"] == 0.0
    assert rows["trafilatura"]["library"].startswith("trafilatura ")
    md = html_refs.markdown(out)
    assert "| trafilatura |" in md and "(n=2)" in md
