"""``presscut show``: escaped, one row per line, links and disagreement marks; real browser render."""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import struct
import subprocess
from html.parser import HTMLParser
from pathlib import Path

import pytest

from presscut.annotations import Article, DupGroup, Page, page_to_yaml
from presscut.curation.page_html import render_page, show
from presscut.errors import PredictionError

LINES = [
    "Nav | <b>Home</b> & More",
    "Title with <script>alert('x')</script>",
    "By A. Writer",
    "\u00a0",
    "Body says 5 < 7 && “quotes” 漢字.",
    "Nav | <b>Home</b> & More",
    "Second body line.",
]
ROLES = ["boilerplate", "title", "byline", "blank", "body", "boilerplate", "body"]


def make_page() -> Page:
    text = "\n".join(LINES)
    return Page(
        doc_id="007_test",
        text=text,
        sha256=hashlib.sha256(text.encode()).hexdigest(),
        roles=list(ROLES),
        articles=[Article(0, 1, 7, "d<1>", "s&1", note="check <this>")],
        dup_groups=[DupGroup([0, 5], "exact")],
        outlet="The <Gazette>",
        outlet_evidence_lines=[0],
        note="page note <i>raw</i>",
        line_notes={2: "byline & note"},
    )


class Rows(HTMLParser):
    """Collects each table row's classes, id, cell texts and links."""

    def __init__(self):
        super().__init__()
        self.rows: list[dict] = []
        self.ids: set[str] = set()
        self._cell: list[str] | None = None

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if "id" in attrs:
            self.ids.add(attrs["id"])
        if tag == "tr" and "line" in (attrs.get("class") or "").split():
            self.rows.append({"id": attrs.get("id"), "classes": attrs["class"].split(),
                              "cells": [], "links": []})
        elif tag == "td" and self.rows:
            self._cell = []
            self.rows[-1]["cells"].append((attrs.get("class") or "", self._cell))
        elif tag == "a" and self.rows and self._cell is not None:
            self.rows[-1]["links"].append(attrs.get("href"))

    def handle_endtag(self, tag):
        if tag == "td":
            self._cell = None

    def handle_data(self, data):
        if self._cell is not None:
            self._cell.append(data)

    def cell(self, row: dict, cls: str) -> str:
        return next("".join(parts) for c, parts in row["cells"] if c.split()[0] == cls)


def parse(html: str) -> Rows:
    parser = Rows()
    parser.feed(html)
    return parser


def test_every_line_is_one_row_with_its_text_escaped():
    html = render_page(make_page())
    assert "<script>" not in html and "<b>Home</b>" not in html and "<Gazette>" not in html
    assert "<i>raw</i>" not in html and "d<1>" not in html
    rows = parse(html).rows
    assert [r["id"] for r in rows] == [f"L{i}" for i in range(len(LINES))]
    for row, line in zip(rows, LINES):
        assert parse(html).cell(row, "text").startswith(
            ("outlet: The <Gazette>" if row["id"] == "L0" else "") + line
        )
    assert "evidence" in rows[0]["classes"]
    assert "article-start" in rows[1]["classes"] and "article-end" in rows[6]["classes"]


def test_duplicate_members_link_to_each_other():
    parsed = parse(render_page(make_page()))
    rows = parsed.rows
    assert "#L5" in rows[0]["links"] and "#L0" in rows[5]["links"]
    assert {"L0", "L5"} <= parsed.ids
    assert not any(h in ("#L5", "#L0") for h in rows[4]["links"])


def test_notes_are_shown():
    html = render_page(make_page())
    for note in ("page note &lt;i&gt;raw&lt;/i&gt;", "check &lt;this&gt;", "byline &amp; note"):
        assert note in html


def _predict(tmp_path: Path, roles: list[str], doc_id: str = "007_test") -> Path:
    path = tmp_path / "pred.jsonl"
    records = [{"doc_id": "other", "roles": ["body"], "articles": []},
               {"doc_id": doc_id, "roles": roles, "articles": [[1, 5], [6, 7]]}]
    path.write_text("\n".join(json.dumps(r) for r in records) + "\n", encoding="utf-8")
    return path


def _corpus(tmp_path: Path) -> Path:
    page = make_page()
    (tmp_path / "corpus" / "raw").mkdir(parents=True)
    (tmp_path / "corpus" / "labels").mkdir()
    (tmp_path / "corpus" / "raw" / f"{page.doc_id}.txt").write_bytes(page.text.encode())
    (tmp_path / "corpus" / "labels" / f"{page.doc_id}.yaml").write_text(page_to_yaml(page))
    return tmp_path


def test_against_predictions_marks_and_counts_disagreements(tmp_path):
    root = _corpus(tmp_path)
    predicted = list(ROLES)
    predicted[2] = "body"  # byline -> body: a disagreement
    predicted[5] = "body"  # boilerplate -> body: a disagreement
    predicted[3] = "body"  # blank line: never scored, never marked
    html = show("007_test", against=_predict(tmp_path, predicted), root=root)
    rows = parse(html).rows
    marked = [r["id"] for r in rows if "disagree" in r["classes"]]
    assert marked == ["L2", "L5"]
    assert 'data-count="2"' in html and "2 of 6 non-blank lines" in html
    assert [parse(html).cell(r, "mark") for r in rows].count("✗") == 2


@pytest.mark.parametrize(
    ("roles", "message"),
    # the harness's own messages: one check of a segmentation record everywhere
    [(["body"] * 3, "3 roles for a page of 7 lines"), (["heading"] * 7, "'heading' is not a role")],
)
def test_bad_prediction_record_is_named(tmp_path, roles, message):
    root = _corpus(tmp_path)
    path = _predict(tmp_path, roles)
    with pytest.raises(PredictionError) as err:
        show("007_test", against=path, root=root)
    assert f"{path}:2" in err.value.render() and message in err.value.render()


def test_missing_doc_in_predictions_is_named(tmp_path):
    root = _corpus(tmp_path)
    with pytest.raises(PredictionError, match="no prediction for doc_id '007_test'"):
        show("007_test", against=_predict(tmp_path, ROLES, doc_id="zzz"), root=root)


# ------------------------------------------------------------------ real browser
def _chromium() -> str | None:
    for name in ("chromium", "chromium-browser", "google-chrome"):
        found = shutil.which(name)
        if found:
            return found
    return None


CHROMIUM_FLAGS = [
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
]


@pytest.mark.skipif(
    _chromium() is None and not os.environ.get("CI"),
    reason="no chromium binary (under CI=true this test must run)",
)
def test_headless_chromium_renders_one_row_per_line(tmp_path):
    binary = _chromium()
    assert binary, "CI is set but no chromium binary is installed"
    root = _corpus(tmp_path)
    predicted = list(ROLES)
    predicted[2] = "body"
    html_path = tmp_path / "page.html"
    html_path.write_text(show("007_test", against=_predict(tmp_path, predicted), root=root),
                         encoding="utf-8")
    png = tmp_path / "page.png"
    base = [binary, *CHROMIUM_FLAGS]
    shot = subprocess.run(
        [*base, f"--user-data-dir={tmp_path / 'profile1'}", f"--screenshot={png}",
         "--window-size=1200,800", html_path.as_uri()],
        capture_output=True, timeout=60,
    )
    assert shot.returncode == 0, shot.stderr.decode(errors="replace")[-2000:]
    data = png.read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    width, height = struct.unpack(">II", data[16:24])
    assert (width, height) == (1200, 800)
    assert len(data) > 20_000  # a blank page compresses to a few hundred bytes

    dom = subprocess.run(
        [*base, f"--user-data-dir={tmp_path / 'profile2'}", "--dump-dom", html_path.as_uri()],
        capture_output=True, timeout=60,
    )
    assert dom.returncode == 0, dom.stderr.decode(errors="replace")[-2000:]
    rows = parse(dom.stdout.decode("utf-8")).rows
    assert len(rows) == len(LINES)
    assert [r["id"] for r in rows if "disagree" in r["classes"]] == ["L2"]
    # the browser sees the escaped markup as text, not as elements
    assert "<script>" in parse(dom.stdout.decode("utf-8")).cell(rows[1], "text")
