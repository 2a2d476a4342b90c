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


def test_interval_of_equal_page_scores_is_that_score():
    out = html_refs._summary([0.5, 0.5, 0.5])
    assert out == {"pages": 3, "body_f1": 0.5, "ci": [0.5, 0.5]}


def _real_test(root, html: bytes):
    from tinydata import segmentation_row, write_rows

    from presscut.builder.real.source import sha256
    from presscut.schema import ROLES

    lines = ["Menu", *GOLD.split("\n")]
    row = segmentation_row("aeb/1", lines, ["boilerplate"] + ["body"] * (len(lines) - 1),
                           [(1, len(lines))])
    row.update(source={"corpus": "aeb", "page_id": "1", "url": ""}, html_sha256=sha256(html),
               labelled_roles=[ROLES.index("body"), ROLES.index("boilerplate")],
               out_of_source=True)
    write_rows(root, "real", "test", [row])


def _sources(monkeypatch, pages):
    from presscut.builder.real import build
    from presscut.builder.real.source import SourcePage

    def fake(_root, progress=False):  # noqa: ARG001
        for doc, html in pages:
            corpus, page_id = doc.split("/")
            yield corpus, SourcePage(corpus, page_id, None, html, (), (), ())

    monkeypatch.setattr(build, "source_pages", fake)


def test_run_scores_the_test_pages_html_against_their_body_lines(tmp_path, monkeypatch):
    _real_test(tmp_path, HTML)
    _sources(monkeypatch, [("aeb/1", HTML), ("dragnet/9", b"<html>not a test page</html>")])
    out = html_refs.run(tmp_path / "sources", tmp_path, ["trafilatura"])
    want = body_prf(GOLD, html_refs.trafilatura_text(HTML))[2]
    (row,) = out["rows"]
    assert row["pooled"]["pages"] == 1 and row["pooled"]["body_f1"] == pytest.approx(want)
    assert set(row["per_source"]) == {"aeb"}
    assert out["inputs"]["pages"] == 1 and list(out["inputs"]["html_sha256"]) == ["aeb/1"]
    rows = html_refs.board_rows(out)["segmentation"]
    assert rows[0]["label"] == "`trafilatura` (uses HTML)"


@pytest.mark.parametrize(("pages", "said"), [
    ([("aeb/1", HTML + b" ")], "1 with other HTML than the config was built from (first aeb/1)"),
    ([], "1 missing (first aeb/1)"),
])
def test_run_refuses_sources_that_are_not_the_ones_built_from(tmp_path, monkeypatch, pages,
                                                              said):
    from presscut.errors import PresscutError

    _real_test(tmp_path, HTML)
    _sources(monkeypatch, pages)
    with pytest.raises(PresscutError, match=said.replace("(", r"\(").replace(")", r"\)")):
        html_refs.run(tmp_path / "sources", tmp_path, ["trafilatura"])
