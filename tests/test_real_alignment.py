"""The alignment rule, the converter and each source importer on small hand-made inputs."""

from __future__ import annotations

import gzip
import json
from pathlib import Path

import pytest

from presscut.builder.real import aeb, align, cleaneval, cleanportaleval, convert, dragnet, records
from presscut.schema import PROVENANCES, ROLES

GOLD = (
    "North Korean leader Kim Jong Un presented unspecified goals to further bolster his "
    "military power next year at a meeting of the ruling party on Tuesday."
)


def test_partly_covered_line_is_body_only_above_half():
    lines = [
        "Home News World",
        "North Korean leader Kim Jong Un presented unspecified goals to further bolster",
        # 9 covered words and 10 that are not in the gold: under half → boilerplate
        "his military power next year at a meeting of Share this story with every network now please friends today",
        "",
        "the ruling party on Tuesday.",
    ]
    al = align.align(lines, [("p", GOLD)])
    assert al.roles == ["boilerplate", "body", "boilerplate", "blank", "body"]
    # line 2's 9 gold words lie in a run, but coverage counts the lines labelled body
    assert al.coverage == pytest.approx((12 + 5) / 26)
    assert al.covered_share[2] == pytest.approx(9 / 19)


def test_scattered_stop_words_do_not_make_a_menu_body():
    # "the", "of", "at" occur in the gold, but only as single words here
    lines = ["the of at", GOLD]
    assert align.align(lines, [("p", GOLD)]).roles == ["boilerplate", "body"]


def test_wordless_line_inside_the_article_is_body():
    half = GOLD.split(" ")
    lines = ["Menu", " ".join(half[:12]), "* * *", " ".join(half[12:]), "***"]
    roles = align.align(lines, [("p", GOLD)]).roles
    assert roles == ["boilerplate", "body", "body", "body", "boilerplate"]


def test_detached_fragment_far_from_the_article_is_boilerplate():
    head = "Kim Sets Goals For The Year"
    body = [GOLD, GOLD.replace("Tuesday", "Monday"), GOLD.replace("Tuesday", "Friday")]
    menu = [f"Section {k}" for k in range(align.MAX_GAP + 1)]
    lines = [head, *menu, head, *body]
    al = align.align(lines, [("h", head), *(("p", b) for b in body)])
    # the alignment takes the first copy of the headline, alone past the menu; the label
    # moves to the copy that opens the article
    assert al.roles[0] == "boilerplate"
    assert al.roles[len(menu) + 1 :] == ["title"] + ["body"] * 3
    assert al.coverage == pytest.approx(1.0)
    # a fragment with no copy near the article is simply dropped
    lines[len(menu) + 1] = "Other words entirely"
    al = align.align(lines, [("h", head), *(("p", b) for b in body)])
    assert al.roles[0] == al.roles[len(menu) + 1] == "boilerplate"
    assert al.coverage == pytest.approx(3 * 26 / (6 + 3 * 26))


def test_marked_heading_becomes_title():
    lines = ["Site", "Kim Sets Military Goals For The New Year", GOLD]
    al = align.align(lines, [("h", "Kim Sets Military Goals For The New Year"), ("p", GOLD)])
    assert al.roles == ["boilerplate", "title", "body"]


def test_low_coverage_and_tiny_gold_are_refused():
    lines = ["North Korean leader Kim Jong Un presented", "something else entirely here"]
    assert "coverage" in align.align(lines, [("p", GOLD)]).refused
    assert "words" in align.align(lines, [("p", "too short")]).refused


def test_converter_is_line_per_block_and_byte_stable():
    html = (
        b"<html><head><title>T</title><script>var x=1</script></head><body>"
        b"<ul><li>Home</li><li>World</li></ul><h1>Big  news</h1>"
        b"<p>First\n paragraph.</p><p>Second &amp; last.</p></body></html>"
    )
    text = convert.convert(html).text
    lines = [x for x in text.split("\n") if x.strip()]
    assert lines == ["Home", "World", "Big news", "First paragraph.", "Second & last."]
    assert convert.convert(html).text == text
    assert "var x" not in text and "resiliparse" in convert.converter_id()


def test_a_page_swallowed_by_noscript_is_rendered_by_the_retry():
    """``<noscript><div></noscript>`` leaves the page inside the <noscript> for a parser with
    scripting off; the retry keeps <noscript> content only when the page gave no text."""
    story = "The council voted on Tuesday to close the old bridge."
    swallowed = (f'<html><body><noscript><div id="nojs"></noscript><div><p>{story}</p>'
                 "</div></body></html>").encode()
    from resiliparse.extract.html2text import extract_plain_text

    assert not extract_plain_text(swallowed.decode(), **convert.OPTIONS).strip()
    conv = convert.convert(swallowed)
    assert conv.text == story and conv.text == convert.html_to_text(swallowed.decode())
    assert conv.converter == convert.converter_id(noscript=True) != convert.converter_id()
    assert "noscript=True" in conv.converter
    # a page with text keeps its <noscript> notice out, and the plain converter name
    notice = b"<html><body><noscript>Please enable JavaScript.</noscript><p>Voted.</p></body></html>"
    assert convert.convert(notice) == convert.Converted("Voted.", convert.converter_id())
    # a page with no text either way stays empty, under the plain name
    script = b"<html><body><noscript></noscript><script>var x = 1;</script></body></html>"
    assert convert.convert(script) == convert.Converted("", convert.converter_id())


def test_cleaneval_gold_markers():
    url, segs = cleaneval.parse_gold(
        "URL: http://x.org/a\n <h> A  heading\n<p> One\n para &amp; more\n<l> item"
    )
    assert url == "http://x.org/a"
    assert segs == [("h", "A heading"), ("p", "One para & more"), ("p", "item")]


def _cleaneval_folder(tmp_path: Path) -> Path:
    (tmp_path / "input").mkdir()
    (tmp_path / "GoldStandard").mkdir()
    page = (b'<text id="http://x.org/a"><html><body><p>Home | About</p><h1>Kim Sets Goals</h1>'
            b"<p>" + GOLD.encode() + b"</p><h2>Background</h2><p>" + GOLD.encode()
            + b"</p></body></html></text>")
    (tmp_path / "input" / "7.html").write_bytes(page)
    gold = f"URL: http://x.org/a\n<h>Kim Sets Goals\n<p>{GOLD}\n<h>Background\n<p>{GOLD}\n"
    (tmp_path / "GoldStandard" / "7.txt").write_text(gold, encoding="utf-8")
    return tmp_path


def test_cleaneval_headings_are_body_cleanportaleval_headline_is_the_title(tmp_path):
    # CleanEval's <h> opens every header (section heads too), so it labels no title;
    # CleanPortalEval's first <h> is the headline and its later ones are section heads
    folder = _cleaneval_folder(tmp_path)
    for importer, want in ((cleaneval, "body"), (cleanportaleval, "title")):
        (src,) = importer.pages(folder)
        row = records.record(src, out_of_source=False).row
        got = {line: ROLES[r] for line, r in zip(row["lines"], row["roles"])}
        assert got["Kim Sets Goals"] == want and got["Background"] == "body"
        assert got[GOLD] == "body" and got["Home | About"] == "boilerplate"
        labelled = {ROLES[r] for r in row["labelled_roles"]}
        assert ("title" in labelled) == (want == "title")


def test_dragnet_comments_are_not_body():
    gold = "Article line one.\n!@ $%^&*()  COMMENTS\nGreat post!"
    assert dragnet.article_part(gold) == "Article line one.\n"


def _aeb_folder(tmp_path: Path, body: str, page: bytes) -> Path:
    (tmp_path / "html").mkdir()
    (tmp_path / "html" / "abc.html.gz").write_bytes(gzip.compress(page, mtime=0))
    truth = {"abc": {"articleBody": body, "url": "https://example.com/a"}}
    (tmp_path / "ground-truth.json").write_text(json.dumps(truth), encoding="utf-8")
    return tmp_path


def test_aeb_page_becomes_an_imported_record(tmp_path):
    page = (
        b"<html><body><nav><a>Home</a> <a>Sport</a></nav><h1>Kim sets goals</h1>"
        b"<p>" + GOLD.encode() + b"</p><footer>All rights reserved 2020</footer></body></html>"
    )
    (src,) = aeb.pages(_aeb_folder(tmp_path, GOLD, page))
    out = records.record(src, out_of_source=True)
    row = out.row
    roles = [ROLES[r] for r in row["roles"]]
    body = [line for line, r in zip(row["lines"], roles) if r == "body"]
    assert body == [GOLD]
    assert PROVENANCES[row["provenance"]] == "imported"
    assert row["source"] == {"corpus": "aeb", "page_id": "abc", "url": "https://example.com/a"}
    assert row["licence"].startswith("MIT") and row["out_of_source"]
    assert [ROLES[r] for r in row["labelled_roles"]] == ["body", "boilerplate"]
    (span,) = row["articles"]
    assert roles[span["start_line"]] == "body" == roles[span["end_line"] - 1]
    text = "\n".join(row["lines"])
    assert text[span["start_char"] : span["end_char"]] == GOLD


def test_aeb_missing_page_is_named(tmp_path):
    folder = _aeb_folder(tmp_path, GOLD, b"<p>x</p>")
    (folder / "html" / "abc.html.gz").unlink()
    with pytest.raises(Exception, match="abc"):
        list(aeb.pages(folder))


def test_presscut_import_writes_real_rows_and_lists_refusals(tmp_path):
    import pyarrow.parquet as pq

    from presscut.builder.importers import import_corpus

    page = b"<html><body><p>Menu</p><p>" + GOLD.encode() + b"</p></body></html>"
    (tmp_path / "aeb").mkdir()
    folder = _aeb_folder(tmp_path / "aeb", GOLD, page)
    truth = json.loads((folder / "ground-truth.json").read_text())
    truth["tiny"] = {"articleBody": "two words", "url": None}
    (folder / "html" / "tiny.html.gz").write_bytes(gzip.compress(b"<p>two words</p>", mtime=0))
    (folder / "ground-truth.json").write_text(json.dumps(truth))
    report = import_corpus("aeb", folder, tmp_path / "out")
    rows = pq.read_table(report["output"]).to_pylist()
    assert [r["doc_id"] for r in rows] == ["aeb/abc"]
    assert report["records"] == 1 and len(report["refused"]) == 1
    assert report["refused"][0].startswith("aeb/tiny: gold body has 2 words")
