"""fundus's parser test data → ``real`` rows, on a small hand-made copy of its layout."""

from __future__ import annotations

import gzip
import json
import subprocess
import sys
from pathlib import Path

import pytest

from presscut.builder.real import fundus, records
from presscut.errors import PresscutError
from presscut.schema import ROLES

EARLY = (
    "The city council voted on Monday to close the old harbour bridge to cars for two years "
    "while engineers replace the rusted steel beams that hold up its eastern span."
)
EARLY_MORE = (
    "Cyclists and people on foot may still cross, the council said, and a ferry will run "
    "every twenty minutes between the two banks until the work is finished next spring."
)
LATE = (
    "Farmers in the northern valley began the apple harvest three weeks early this year after "
    "an unusually warm summer ripened the fruit before the pickers had been hired."
)


def _page(headline: str, paras: list[str]) -> bytes:
    body = "".join(f"<p>{p}</p>" for p in paras)
    return (
        f"<html><body><nav><a>Home</a> <a>World</a> <a>Sport</a></nav><h1>{headline}</h1>"
        f"{body}<footer>All rights reserved 2025</footer></body></html>"
    ).encode()


def _version(title: str, summary: list[str], sections: list[dict], published: str) -> dict:
    return {"title": title, "publishing_date": published,
            "body": {"summary": summary, "sections": sections}}


def _folder(tmp_path: Path, versions: dict) -> Path:
    country = tmp_path / "tests" / "resources" / "parser" / "test_data" / "xx"
    country.mkdir(parents=True)
    # the later crawl sorts first by name: pairing must follow the crawl dates
    pages = {
        "Daily_2024_01_02.html.gz": ("2025-06-30 10:00:00", _page("Apples early", [LATE])),
        "Daily_2025_01_01.html.gz": ("2024-03-01 09:00:00+02:00",
                                     _page("Bridge closes", [EARLY, "Analysis", EARLY_MORE])),
    }
    meta = {}
    for name, (crawled, html) in pages.items():
        (country / name).write_bytes(gzip.compress(html, mtime=0))
        meta[name] = {"url": f"https://daily.example/{name[:-8]}", "crawl_date": crawled}
    (country / "meta.info").write_text(json.dumps(meta), encoding="utf-8")
    (country / "Daily.json").write_text(json.dumps(versions), encoding="utf-8")
    return tmp_path


BRIDGE = _version("Bridge closes", [EARLY], [{"headline": ["Analysis"], "paragraphs": [EARLY_MORE]}],
                  "2024-02-29 08:00:00")
APPLES = _version("Apples early", [], [{"headline": [], "paragraphs": [LATE]}], "2025-06-30 08:00:00")


def _roles(row: dict) -> dict[str, str]:
    return {line: ROLES[r] for line, r in zip(row["lines"], row["roles"]) if line.strip()}


def test_pages_pair_with_versions_by_crawl_date_and_the_body_is_summary_and_sections(tmp_path):
    # keys out of version order on purpose: the names, not the JSON order, give the order
    src = list(fundus.pages(_folder(tmp_path, {"V1_1": APPLES, "V1": BRIDGE})))
    assert [p.page_id for p in src] == ["xx/Daily_2025_01_01", "xx/Daily_2024_01_02"]
    bridge, apples = (records.record(p).row for p in src)
    roles = _roles(bridge)
    assert [line for line, r in roles.items() if r == "body"] == [EARLY, "Analysis", EARLY_MORE]
    # fundus's title is not in its body: the line showing it just above the body is the title
    assert roles["Bridge closes"] == "title" and roles["Home World Sport"] == "boilerplate"
    assert bridge["articles"][0]["start_line"] == bridge["lines"].index("Bridge closes")
    assert [line for line, r in _roles(apples).items() if r == "body"] == [LATE]
    assert bridge["source"] == {"corpus": "fundus", "page_id": "xx/Daily_2025_01_01",
                                "url": "https://daily.example/Daily_2025_01_01"}
    assert bridge["licence"].startswith("MIT (flairNLP/fundus")
    assert [ROLES[r] for r in bridge["labelled_roles"]] == ["title", "body", "boilerplate"]
    assert {f for f, _ in src[0].input_files} == {"xx/Daily_2025_01_01.html.gz", "xx/Daily.json",
                                                   "xx/meta.info"}


def test_a_wrong_pairing_is_refused_by_the_alignment(tmp_path):
    # versions named the other way round: each page gets the other article's gold
    src = list(fundus.pages(_folder(tmp_path, {"V1": APPLES, "V1_1": BRIDGE})))
    outs = [records.record(p) for p in src]
    assert all(o.row is None and o.refused.startswith("alignment coverage") for o in outs)


def test_the_test_data_folder_itself_is_read_too(tmp_path):
    root = _folder(tmp_path, {"V1": BRIDGE, "V1_1": APPLES})
    inner = root / fundus.TEST_DATA
    assert [p.page_id for p in fundus.pages(inner)] == [p.page_id for p in fundus.pages(root)]


@pytest.mark.parametrize(
    "versions, message",
    [
        ({"V1": BRIDGE}, r"Daily\.json: 1 parser version\(s\) but 2 page\(s\)"),
        ({"V1": BRIDGE, "later": APPLES}, r"Daily\.json: parser version 'later' is not named"),
        ({"V1": BRIDGE, "V1_1": {"title": "x"}}, r"Daily\.json: version V1_1: no body object"),
    ],
)
def test_bad_gold_is_one_error_naming_the_file(tmp_path, versions, message):
    with pytest.raises(PresscutError, match=message):
        list(fundus.pages(_folder(tmp_path, versions)))


CLI = [sys.executable, "-c", "from presscut.cli import main; main()"]


def test_presscut_import_fundus_reports_a_bad_file_in_one_line(tmp_path):
    root = _folder(tmp_path, {"V1": BRIDGE, "V1_1": APPLES})
    (root / fundus.TEST_DATA / "xx" / "meta.info").write_text("{not json", encoding="utf-8")
    run = subprocess.run([*CLI, "import", "fundus", str(root), "-o", str(tmp_path / "out")],
                         capture_output=True, text=True)
    assert run.returncode != 0 and "Traceback" not in run.stderr
    assert "meta.info: not valid JSON" in run.stderr
    assert not (tmp_path / "out").exists() or not any((tmp_path / "out").iterdir())
    gone = subprocess.run([*CLI, "import", "fundus", str(root / "nowhere"), "-o", str(tmp_path / "out")],
                          capture_output=True, text=True)
    assert gone.returncode != 0 and "Traceback" not in gone.stderr and "nowhere" in gone.stderr


def test_a_publisher_whose_name_extends_another_keeps_its_own_pages(tmp_path):
    root = _folder(tmp_path, {"V1": BRIDGE, "V1_1": APPLES})
    country = root / fundus.TEST_DATA / "xx"
    name = "Daily_Extra_2024_05_05.html.gz"
    (country / name).write_bytes(gzip.compress(_page("Apples early", [LATE]), mtime=0))
    meta = json.loads((country / "meta.info").read_text(encoding="utf-8"))
    meta[name] = {"url": "https://extra.example/a", "crawl_date": "2024-05-05 12:00:00"}
    (country / "meta.info").write_text(json.dumps(meta), encoding="utf-8")
    (country / "Daily_Extra.json").write_text(json.dumps({"V1": APPLES}), encoding="utf-8")
    ids = [p.page_id for p in fundus.pages(root)]
    assert ids == ["xx/Daily_2025_01_01", "xx/Daily_2024_01_02", "xx/Daily_Extra_2024_05_05"]


BODY = "The harbour bridge closes to cars for two years while its beams are replaced."


@pytest.mark.parametrize("lines, expected", [
    # the nearest exact match above the body, case and spacing aside, past blank lines
    (["Home", "Bridge  CLOSES", "", "By A. Writer", "", BODY], [1]),
    # punctuation aside too (a curly quote, a colon the metadata has and the page drops)
    (["Home", "Bridge: closes!", "By A. Writer", BODY], [1]),
    # a copy printed just above it (a double header) is the headline too
    (["Home", "Bridge closes", "Share", "Bridge closes", "By A. Writer", BODY], [1, 3]),
    # a copy further up (a teaser list) and one below the body's start stay boilerplate
    (["Bridge closes", "World", "Sport", "Science", "Menu", "Sport", "Science", "Bridge closes",
      BODY, "Bridge closes"], [7]),
    # five lines between (byline, date, reading time, audio player, share box) still count
    (["Bridge closes", "By A. Writer", "2 June 2025", "2 min", "Listen", "Share", BODY], [0]),
    # six between: more often a metadata title above the navigation than the headline
    (["Bridge closes", "News", "By A. Writer", "2 June 2025", "2 min", "Listen", "Share",
      BODY], []),
    # another wording of the headline between them: which one the page shows is unknown
    (["Bridge closes", "Harbour: the bridge closes to cars", "By A. Writer", BODY], []),
    # a kicker before the headline on its line: that line shows the headline
    (["Live: Bridge closes", BODY], [0]),
    (["Harbour - Bridge closes", BODY], [0]),
    # but not a breadcrumb ending in it, nor a line longer before the headline than the
    # headline itself (a sentence that happens to end with its words)
    (["Home News Bridge closes", BODY], []),
    (["Start / News / Bridge closes", BODY], []),
    (["The council said the bridge closes", BODY], []),
    # a match below the first body line is not the headline
    ([BODY, "Bridge closes"], []),
])
def test_the_headline_is_the_nearest_line_showing_it_just_above_the_body(lines, expected):
    roles = ["blank" if not t.strip() else "body" if t == BODY else "boilerplate" for t in lines]
    assert records.headline_lines(lines, roles, "Bridge closes") == expected


@pytest.mark.parametrize("line, expected", [
    ("Harbour works: Bridge closes to cars for two years", [0]),  # a kicker of two words
    ("Home News Bridge closes to cars for two years", []),  # the same length, a breadcrumb
    ("Startseite Verkehr Bridge closes to cars for two years", []),
])
def test_a_breadcrumb_ending_in_a_long_headline_is_not_it(line, expected):
    # a headline longer than the prefix, so only the breadcrumb rule tells these apart
    got = records.headline_lines([line, BODY], ["boilerplate", "body"],
                                 "Bridge closes to cars for two years")
    assert got == expected


def test_a_line_read_not_to_be_the_headline_counts_as_a_line_between():
    lines = ["Bridge closes", "News", "Bridge closes today", "By A. Writer", BODY]
    roles = ["boilerplate"] * 4 + ["body"]
    # the nearer line is another wording: no title, unless a reader ruled it out
    assert records.headline_lines(lines, roles, "Bridge closes") == []
    assert records.headline_lines(lines, roles, "Bridge closes",
                                  ("Bridge closes today",)) == [0]
    assert records.headline_lines(["Bridge closes", BODY], ["boilerplate", "body"],
                                  "Bridge closes", ("bridge  closes",)) == []


def test_a_page_whose_headline_is_not_found_labels_no_title(tmp_path):
    untitled = {**BRIDGE, "title": "Council shuts the harbour crossing"}
    src = list(fundus.pages(_folder(tmp_path, {"V1": untitled, "V1_1": APPLES})))
    row = records.record(src[0]).row
    assert ROLES.index("title") not in row["roles"]
    assert [ROLES[r] for r in row["labelled_roles"]] == ["body", "boilerplate"]


def test_a_gold_gap_found_by_reading_is_the_records_note(tmp_path, monkeypatch):
    monkeypatch.setitem(fundus.GOLD_NOTES, "xx/Daily_2024_01_02", "gold gap: a test note")
    rows = {p.page_id: records.record(p).row
            for p in fundus.pages(_folder(tmp_path, {"V1": BRIDGE, "V1_1": APPLES}))}
    assert rows["xx/Daily_2024_01_02"]["note"] == "gold gap: a test note"
    assert rows["xx/Daily_2025_01_01"]["note"] == ""


def test_every_gold_note_is_on_its_committed_record():
    import pyarrow.parquet as pq

    from presscut.schema import SPLITS

    real = Path(__file__).resolve().parent.parent / "splits" / "real"
    notes = {r["doc_id"]: r["note"] for s in SPLITS
             for r in pq.read_table(real / f"{s}.parquet", columns=["doc_id", "note"]).to_pylist()
             if r["note"]}
    assert notes == {f"{fundus.CORPUS}/{k}": v for k, v in fundus.GOLD_NOTES.items()}


def test_a_hand_read_headline_is_the_nearest_such_line_with_its_double_header():
    lines = ["Council shuts crossing", "", "Harbour", "Council shuts crossing", "By A. Writer",
             "", "Council shuts crossing", "Share", BODY, "Council shuts crossing"]
    roles = ["blank" if not t.strip() else "body" if t == BODY else "boilerplate" for t in lines]
    # line 6 is nearest; line 3 is one non-blank line above it (a double header); line 0 is
    # two above line 3, within the gap too; the copy below the body is not the headline
    assert records.shown_headline_lines(lines, roles, ("council  shuts crossing",)) == [0, 3, 6]
    far = ["Council shuts crossing"] + ["menu item"] * (records.HEADLINE_GAP + 1) + lines[3:]
    far_roles = ["boilerplate"] * (records.HEADLINE_GAP + 2) + roles[3:]
    assert records.shown_headline_lines(far, far_roles, ("Council shuts crossing",)) == [
        records.HEADLINE_GAP + 2, records.HEADLINE_GAP + 5]  # line 0 is too far above
    # a headline split over two lines: both are named, and both are the title
    assert records.shown_headline_lines(["Stuttgart", ": Superlative", BODY],
                                        ["boilerplate", "boilerplate", "body"],
                                        ("Stuttgart", ": Superlative")) == [0, 1]
    assert records.shown_headline_lines(lines, roles, ("Bridge closes",)) is None


def test_a_hand_read_headline_titles_a_page_the_rule_leaves_untitled(tmp_path, monkeypatch):
    untitled = {**BRIDGE, "title": "Council shuts the harbour crossing"}
    folder = _folder(tmp_path, {"V1": untitled, "V1_1": APPLES})
    monkeypatch.setitem(fundus.SHOWN_HEADLINES, "xx/Daily_2025_01_01", ("Bridge closes",))
    row = records.record(next(iter(fundus.pages(folder)))).row
    assert [row["lines"][i] for i, r in enumerate(row["roles"]) if r == ROLES.index("title")] == [
        "Bridge closes"]
    assert "title" in [ROLES[r] for r in row["labelled_roles"]]
    assert row["articles"][0]["start_line"] == row["lines"].index("Bridge closes")


@pytest.mark.parametrize("title, shown, message", [
    ("Bridge closes", ("Bridge closes",), "headline rule titles line"),  # the rule decides
    ("Council shuts the harbour crossing", ("Not on the page",), "not above the body"),
])
def test_a_stale_hand_read_headline_is_one_error_naming_the_page(tmp_path, monkeypatch, title,
                                                                 shown, message):
    folder = _folder(tmp_path, {"V1": {**BRIDGE, "title": title}, "V1_1": APPLES})
    monkeypatch.setitem(fundus.SHOWN_HEADLINES, "xx/Daily_2025_01_01", shown)
    with pytest.raises(PresscutError, match=f"fundus/xx/Daily_2025_01_01: .*{message}"):
        records.record(next(iter(fundus.pages(folder))))


def test_every_hand_read_headline_is_a_title_of_its_committed_record():
    import pyarrow.parquet as pq

    from presscut.curation.silver import normalise_line
    from presscut.schema import SPLITS

    real = Path(__file__).resolve().parent.parent / "splits" / "real"
    titles = {}
    for s in SPLITS:
        for r in pq.read_table(real / f"{s}.parquet", columns=["doc_id", "lines", "roles"]).to_pylist():
            titles[r["doc_id"]] = {normalise_line(r["lines"][i]) for i, x in enumerate(r["roles"])
                                   if x == ROLES.index("title")}
    for page_id, shown in fundus.SHOWN_HEADLINES.items():
        assert titles[f"{fundus.CORPUS}/{page_id}"] == {normalise_line(t) for t in shown}, page_id
