"""presscut.scale.segment: the batch stage gives the default segmenter's own predictions."""

from __future__ import annotations

import json
from pathlib import Path

import pyarrow.parquet as pq
import pytest

from presscut.baselines import registry
from presscut.harness.metrics import body_text
from presscut.scale.segment import default_model, segment_corpus
from presscut.schema import split_lines

RAW = Path(__file__).resolve().parent.parent / "corpus" / "raw"


def test_folder_segmentation_is_the_default_baselines_prediction(tmp_path):
    out = tmp_path / "seg.parquet"
    rep = segment_corpus(RAW, out, batch_size=2)
    rows = pq.read_table(out).to_pylist()
    files = sorted(RAW.glob("*.txt"))
    assert [r["doc_id"] for r in rows] == [f.stem for f in files]
    model = registry.ready(registry.get("segmentation", default_model()))
    for r, f in zip(rows, files):
        lines = split_lines(f.read_text(encoding="utf-8"))
        pred = model.predict([{"doc_id": f.stem, "lines": lines}])[0]
        assert r["roles"] == pred["roles"] and r["n_lines"] == len(lines)
        assert [[a["start_line"], a["end_line"]] for a in r["articles"]] == pred["articles"]
        for a in r["articles"]:
            span = range(a["start_line"], a["end_line"])
            assert a["body"] == body_text([lines[i] for i in span], [r["roles"][i] for i in span])
            titles = [lines[i] for i in span if r["roles"][i] == "title"]
            assert a["title"] == (titles[0] if titles else None)
    assert rep.pages == len(files) and rep.bad_rows == 0
    assert rep.articles == sum(len(r["articles"]) for r in rows)


def test_jsonl_pages_with_bad_rows_and_workers(tmp_path):
    src = tmp_path / "pages.jsonl"
    good = [{"doc_id": f.stem, "text": f.read_text(encoding="utf-8")} for f in sorted(RAW.glob("*.txt"))]
    lines = [json.dumps(good[0]), "[1, 2]", json.dumps({"doc_id": "x", "lines": ["a", 3]}),
             *[json.dumps(g) for g in good[1:]]]
    src.write_text("\n".join(lines), encoding="utf-8")
    one, two = tmp_path / "one.parquet", tmp_path / "two.parquet"
    rep = segment_corpus(src, one, batch_size=2)
    segment_corpus(src, two, batch_size=2, workers=2)
    assert rep.bad_rows == 2 and rep.pages == len(good)
    assert sorted(b.where for b in rep.bad) == ["line 2", "line 3"]
    assert pq.read_table(one).equals(pq.read_table(two))
    again = tmp_path / "again.parquet"
    segment_corpus(src, again, batch_size=2)
    assert one.read_bytes() == again.read_bytes()  # same input, same settings: same bytes


def test_segment_output_feeds_dedup(tmp_path):
    pytest.importorskip("duckdb")
    from presscut.scale.dedup import dedup_corpus

    seg = tmp_path / "seg.parquet"
    segment_corpus(RAW, seg)
    out = tmp_path / "dups.parquet"
    rep = dedup_corpus(seg, out)
    arts = [a["article_id"] for r in pq.read_table(seg).to_pylist() for a in r["articles"]]
    assert pq.read_table(out).column("article_id").to_pylist() == arts
    assert rep.articles == len(arts)


def test_unreadable_page_file_is_counted(tmp_path):
    (tmp_path / "pages").mkdir()
    (tmp_path / "pages" / "ok.txt").write_text("Title\n\nBody text of the page.", encoding="utf-8")
    (tmp_path / "pages" / "bad.txt").write_bytes(b"\xff\xfe broken")
    rep = segment_corpus(tmp_path / "pages", tmp_path / "o.parquet")
    assert rep.pages == 1 and rep.bad_rows == 1 and "not UTF-8" in str(rep.bad[0])


_HTML = ("<html><body><div>Home | World | Sport</div><h1>Harbour plan approved</h1><p>The "
         "council approved the new harbour plan on Tuesday after a long debate.</p><p>Work "
         "starts in the spring and should take two years.</p></body></html>")


def test_folder_of_html_and_gzipped_pages(tmp_path):
    """A crawl as scrapers keep it: HTML and gzipped pages in nested folders. Each page is
    rendered as `presscut predict` renders it (the real config's converter), ids are paths
    inside the folder, and a broken or clashing file is counted by name, not dropped."""
    pytest.importorskip("resiliparse")
    import gzip

    from presscut.annotations import read_page

    src = tmp_path / "crawl"
    (src / "site-a").mkdir(parents=True)
    (src / "site-b").mkdir()
    (src / "site-a" / "index.html").write_text(_HTML, encoding="utf-8")
    (src / "site-b" / "index.html.gz").write_bytes(gzip.compress(_HTML.encode("latin-1")))
    first = sorted(RAW.glob("*.txt"))[0]
    (src / "site-b" / "page.txt.gz").write_bytes(gzip.compress(first.read_bytes()))
    (src / "site-b" / "broken.htm.gz").write_bytes(b"not gzip at all")
    (src / "site-b" / "page.html").write_text(_HTML, encoding="utf-8")  # id site-b/page again
    (src / "notes.md").write_text("not a page", encoding="utf-8")
    (src / "site-c").mkdir()
    (src / "site-c" / "story.php").write_text(_HTML, encoding="utf-8")  # HTML by its content
    out = tmp_path / "seg.parquet"
    rep = segment_corpus(src, out)
    rows = {r["doc_id"]: r for r in pq.read_table(out).to_pylist()}
    assert sorted(rows) == ["site-a/index", "site-b/index", "site-b/page", "site-c/story"]
    assert rep.pages == 4 and rep.bad_rows == 2
    assert rows["site-c/story"]["roles"] == rows["site-a/index"]["roles"]
    bad = sorted(str(b) for b in rep.bad)
    assert "broken.htm.gz: file: not a readable gzip file" in bad[0]
    assert "site-b/page.txt.gz" in bad[1] and "taken by" in bad[1]  # sorted paths: .html first
    model = registry.ready(registry.get("segmentation", default_model()))
    lines = split_lines(read_page(src / "site-a" / "index.html"))
    assert rows["site-a/index"]["n_lines"] == len(lines) > 3
    assert rows["site-a/index"]["roles"] == model.predict([{"doc_id": "x", "lines": lines}])[0]["roles"]
    assert rows["site-b/index"]["roles"] == rows["site-a/index"]["roles"]  # gzip changes nothing
