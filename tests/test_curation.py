"""Curation: add (copy, sums, duplicates, silver file), promote, agreement."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml
from sklearn.metrics import adjusted_rand_score, cohen_kappa_score

from presscut.annotations import Article, Page, page_to_yaml, parse_page, read_raw
from presscut.builder.corpus import load_corpus, require_clean
from presscut.curation.add import add_pages
from presscut.curation.agreement import agreement, kappa
from presscut.curation.promote import promote
from presscut.curation.silver import silver_page
from presscut.errors import AnnotationError, PresscutError
from presscut.schema import ARTICLE_ROLES, SCORED_ROLES, is_blank

FIXTURES = Path(__file__).parent / "fixtures" / "curation"
NEW_PAGE = FIXTURES / "new_page.txt"


def naive_prelabel(doc_id: str, lines: list[str]) -> dict:
    """First content line is the title, the rest body, one article over everything."""
    content = [i for i, line in enumerate(lines) if not is_blank(line)]
    roles = ["blank" if is_blank(line) else "body" for line in lines]
    roles[content[0]] = "title"
    return {"roles": roles, "articles": [[content[0], content[-1] + 1]]}


def sloppy_prelabel(doc_id: str, lines: list[str]) -> dict:
    """Breaks the rules a baseline may not know: body outside spans, blank span edges."""
    roles = ["body"] * len(lines)  # blank lines too
    # one span starting on the NBSP line (5) and one overlapping it; lines 0-1 left outside
    return {"roles": roles, "articles": [[5, 12], [9, len(lines)]]}


def _sums(root: Path) -> list[str]:
    return (root / "corpus" / "raw" / "SHA256SUMS").read_text(encoding="utf-8").splitlines()


def _snapshot(root: Path) -> dict[str, bytes]:
    return {str(p.relative_to(root)): p.read_bytes() for p in sorted((root / "corpus").rglob("*"))
            if p.is_file()}


# ------------------------------------------------------------------ add
def test_add_copies_page_records_sum_and_writes_silver_that_parses(project_copy):
    before = _sums(project_copy)
    n_existing = len(list((project_copy / "corpus" / "raw").glob("*.txt")))
    (added,), skipped = add_pages([NEW_PAGE], project_copy, prelabel=naive_prelabel)
    assert skipped == []

    data = NEW_PAGE.read_bytes()
    sha = hashlib.sha256(data).hexdigest()
    assert added.doc_id == f"{n_existing:03d}_{sha[:16]}"
    assert added.raw_path.read_bytes() == data  # byte-identical copy
    assert _sums(project_copy) == before + [f"{sha}  {added.doc_id}.txt"]

    text, got_sha = read_raw(added.raw_path)
    page = parse_page(added.label_path, text, got_sha)
    assert page.provenance == "silver"
    assert [(a.dup_cluster, a.story_cluster) for a in page.articles] == [
        (f"{added.doc_id}/{a.k}", f"{added.doc_id}/{a.k}") for a in page.articles
    ]
    assert "review" in page.note
    # "Share  0" twice verbatim, "share 0" differs only in case and spacing
    lines = text.split("\n")
    share = sorted(i for i, line in enumerate(lines) if line.strip().lower().startswith("share"))
    groups = {tuple(g.lines): g.kind for g in page.dup_groups}
    assert groups == {tuple(share): "near"}


def test_add_refuses_exact_duplicate_naming_existing_page(project_copy, tmp_path):
    existing = sorted((project_copy / "corpus" / "raw").glob("*.txt"))[2]
    copy = tmp_path / "rescrape.txt"
    shutil.copy(existing, copy)
    before = _snapshot(project_copy)
    with pytest.raises(AnnotationError) as err:
        add_pages([NEW_PAGE, copy], project_copy, prelabel=naive_prelabel)
    rendered = err.value.render()
    assert existing.stem in rendered and str(copy) in rendered
    assert _snapshot(project_copy) == before  # the good page was not added either

    added, skipped = add_pages([copy], project_copy, prelabel=naive_prelabel, skip_duplicates=True)
    assert added == [] and skipped[0].existing_doc_id == existing.stem
    assert _snapshot(project_copy) == before


def test_add_refuses_duplicate_inside_one_batch(project_copy, tmp_path):
    twin = tmp_path / "twin.txt"
    shutil.copy(NEW_PAGE, twin)
    with pytest.raises(AnnotationError) as err:
        add_pages([NEW_PAGE, twin], project_copy, prelabel=naive_prelabel)
    assert f"{twin}: exact duplicate" in err.value.render()


@pytest.mark.parametrize(
    ("content", "message"),
    [(b"caf\xe9 au lait\nsecond line", "not UTF-8"), (b"", "empty"), (b" \n\xc2\xa0\n", "empty")],
)
def test_add_refuses_bad_files_by_name(project_copy, tmp_path, content, message):
    bad = tmp_path / "bad_page.txt"
    bad.write_bytes(content)
    before = _snapshot(project_copy)
    with pytest.raises(AnnotationError) as err:
        add_pages([bad], project_copy, prelabel=naive_prelabel)
    assert str(bad) in err.value.render() and message in err.value.render()
    assert _snapshot(project_copy) == before


def test_add_refuses_a_malformed_sums_file_by_line_and_writes_nothing(project_copy):
    """add reads SHA256SUMS with the build's reader: a line the build would refuse stops it."""
    sums = project_copy / "corpus" / "raw" / "SHA256SUMS"
    sums.write_text(sums.read_text(encoding="utf-8") + "not-a-sum  x.txt\n", encoding="utf-8")
    n_line = len(sums.read_text(encoding="utf-8").splitlines())
    before = sorted(p.name for p in (project_copy / "corpus" / "raw").iterdir())
    with pytest.raises(AnnotationError, match=rf"SHA256SUMS:{n_line}: malformed line"):
        add_pages([NEW_PAGE], project_copy, prelabel=naive_prelabel)
    assert sorted(p.name for p in (project_copy / "corpus" / "raw").iterdir()) == before


def test_sloppy_prelabel_is_repaired_into_a_valid_file(project_copy):
    (added,), _ = add_pages([NEW_PAGE], project_copy, prelabel=sloppy_prelabel)
    text, sha = read_raw(added.raw_path)
    page = parse_page(added.label_path, text, sha)  # must not raise
    lines = text.split("\n")
    inside = set(i for a in page.articles for i in range(a.start_line, a.end_line))
    for i, role in enumerate(page.roles):
        assert (role == "blank") == is_blank(lines[i])
        if role in ARTICLE_ROLES:
            assert i in inside
    assert {0, 1} <= set(page.line_notes)  # the repair is explained to the reviewer
    spans = [(a.start_line, a.end_line) for a in page.articles]
    assert all(e1 <= s2 for (_, e1), (s2, _) in zip(spans, spans[1:]))


def test_prelabel_with_wrong_length_is_a_named_error():
    with pytest.raises(PresscutError, match="one role per line"):
        silver_page("x", "a\nb", "0" * 64, {"roles": ["body"], "articles": []})


# ------------------------------------------------------------------ promote
def _add_one(root: Path) -> tuple[str, Path]:
    (added,), _ = add_pages([NEW_PAGE], root, prelabel=naive_prelabel)
    return added.doc_id, added.label_path


def test_promote_only_changes_the_provenance_and_keeps_comments(project_copy, review_label):
    doc_id, label_path = _add_one(project_copy)
    review_label(label_path, project_copy)
    reviewed = label_path.read_text(encoding="utf-8").replace(
        "provenance: silver\n", "# checked line by line\nprovenance: silver  # was pre-labelled\n"
    )
    label_path.write_text(reviewed, encoding="utf-8")
    promote(doc_id, project_copy, reviewed_by="A. Curator", today=dt.date(2026, 12, 1))
    after = label_path.read_text(encoding="utf-8")
    assert after == reviewed.replace(
        "provenance: silver  # was pre-labelled\n",
        'provenance: gold  # was pre-labelled\nreviewed_by: "A. Curator"\n'
        'reviewed_on: "2026-12-01"\n',
    )
    text, sha = read_raw(project_copy / "corpus" / "raw" / f"{doc_id}.txt")
    page = parse_page(label_path, text, sha)
    assert (page.provenance, page.reviewed_by, page.reviewed_on) == (
        "gold", "A. Curator", "2026-12-01")


def test_promote_requires_a_review_mark_and_touched_silver_notes(project_copy, review_label):
    """#10.5: promote used to publish unreviewed silver with only a warning."""
    doc_id, label_path = _add_one(project_copy)
    untouched = label_path.read_bytes()
    with pytest.raises(AnnotationError, match="no review mark"):
        promote(doc_id, project_copy)
    with pytest.raises(AnnotationError) as err:  # a name alone does not make notes reviewed
        promote(doc_id, project_copy, reviewed_by="A. Curator")
    assert "pre-labeler's note" in err.value.render()
    assert "placeholder-cluster note untouched" in err.value.render()
    assert label_path.read_bytes() == untouched
    review_label(label_path, project_copy)
    with pytest.raises(AnnotationError, match="no review mark"):
        promote(doc_id, project_copy)
    promote(doc_id, project_copy, reviewed_by="A. Curator")
    text, sha = read_raw(project_copy / "corpus" / "raw" / f"{doc_id}.txt")
    assert parse_page(label_path, text, sha).reviewed_by == "A. Curator"


def test_promote_refuses_a_repair_note_left_in(project_copy):
    (added,), _ = add_pages([NEW_PAGE], project_copy, prelabel=sloppy_prelabel)
    text, sha = read_raw(added.raw_path)
    page = parse_page(added.label_path, text, sha)
    assert page.line_notes
    page.note, page.line_notes = "checked", dict(page.line_notes)
    for a in page.articles:
        a.note = ""
    added.label_path.write_text(page_to_yaml(page), encoding="utf-8")
    with pytest.raises(AnnotationError) as err:
        promote(added.doc_id, project_copy, reviewed_by="A. Curator")
    assert "pre-labeler repair note" in err.value.render()


def _break_overlap(text: str) -> str:
    doc = yaml.safe_load(text)
    span = doc["articles"][0]["lines"]
    return text + f"  - k: 1\n    lines: {span}\n"


@pytest.mark.parametrize(
    "breakage",
    [
        lambda t: t.replace(", title]", ", headline]", 1),  # unknown role
        lambda t: t.replace("sha256: ", "sha256: 0", 1),  # stale hash
        lambda t: t.replace("provenance: silver", "provenance: gold"),  # already gold
        lambda t: t + "articles: [oops\n",  # not YAML
    ],
    ids=["unknown-role", "stale-sha", "already-gold", "bad-yaml"],
)
def test_promote_refuses_and_leaves_file_byte_for_byte(project_copy, breakage):
    doc_id, label_path = _add_one(project_copy)
    broken = breakage(label_path.read_text(encoding="utf-8")).encode("utf-8")
    label_path.write_bytes(broken)
    with pytest.raises(AnnotationError) as err:
        promote(doc_id, project_copy)
    assert str(label_path) in err.value.render()
    assert label_path.read_bytes() == broken


def test_promote_refuses_dup_cluster_that_spans_two_stories(project_copy, review_label):
    doc_id, label_path = _add_one(project_copy)
    review_label(label_path, project_copy)
    gold_label = sorted((project_copy / "corpus" / "labels").glob("0*.yaml"))[0]
    gold = yaml.safe_load(gold_label.read_text(encoding="utf-8"))["articles"][0]
    text = label_path.read_text(encoding="utf-8")
    text = text.replace(f"dup_cluster: {doc_id}/0", f"dup_cluster: {gold['dup_cluster']}")
    label_path.write_text(text, encoding="utf-8")  # story_cluster stays the placeholder
    with pytest.raises(AnnotationError) as err:
        promote(doc_id, project_copy, reviewed_by="A. Curator")
    assert "spans two" in err.value.render()
    assert label_path.read_text(encoding="utf-8") == text


# ------------------------------------------------------------------ agreement
def test_kappa_matches_sklearn_and_hand_computation():
    a = ["title", "body", "body", "boilerplate"]
    b = ["title", "body", "boilerplate", "boilerplate"]
    # p_o = 3/4; p_e = (1*1 + 2*1 + 1*2) / 16 = 5/16; kappa = (3/4 - 5/16) / (1 - 5/16)
    assert kappa(a, b) == pytest.approx((0.75 - 5 / 16) / (1 - 5 / 16))
    assert kappa(a, b) == pytest.approx(cohen_kappa_score(a, b))
    c = ["body", "caption", "byline", "body", "boilerplate", "title", "body"]
    d = ["body", "body", "byline", "caption", "boilerplate", "body", "body"]
    assert kappa(c, d) == pytest.approx(cohen_kappa_score(c, d, labels=list(SCORED_ROLES)))
    assert kappa(["body"] * 5, ["body"] * 5) == 1.0  # sklearn gives nan here


RAW = "Big Title\nFirst body line.\n\nSecond body line.\nFooter links\nOther title\nOther body."


def _page(doc_id: str, roles: list[str], spans, clusters) -> Page:
    articles = [
        Article(k=k, start_line=s, end_line=e, dup_cluster=d, story_cluster=st)
        for k, ((s, e), (d, st)) in enumerate(zip(spans, clusters))
    ]
    sha = hashlib.sha256(RAW.encode()).hexdigest()
    return Page(doc_id, RAW, sha, roles, articles, provenance="gold")


def _write_set(folder: Path, pages: list[Page]) -> Path:
    folder.mkdir(parents=True)
    for page in pages:
        (folder / f"{page.doc_id}.yaml").write_text(page_to_yaml(page), encoding="utf-8")
    return folder


def _raw_dir(tmp_path: Path, ids: list[str]) -> Path:
    raw = tmp_path / "raw"
    raw.mkdir()
    for doc_id in ids:
        (raw / f"{doc_id}.txt").write_text(RAW, encoding="utf-8")
    return raw


A_ROLES = ["title", "body", "blank", "body", "boilerplate", "title", "body"]


def test_identical_sets_agree_fully(tmp_path):
    pages = [
        _page("p1", A_ROLES, [(0, 4), (5, 7)], [("d1", "s1"), ("d2", "s2")]),
        _page("p2", A_ROLES, [(0, 4), (5, 7)], [("d1", "s1"), ("d3", "s2")]),
    ]
    raw = _raw_dir(tmp_path, ["p1", "p2"])
    a = _write_set(tmp_path / "a", pages)
    result = agreement(a, a, raw)
    for key in ("role_kappa", "boundary_f1_exact", "boundary_f1_within_1",
                "dup_cluster_ari", "story_cluster_ari"):
        assert result[key] == 1.0, key
    assert result["n_lines"] == 12 and result["n_pages"] == 2


def test_agreement_on_hand_built_disagreement(tmp_path):
    raw = _raw_dir(tmp_path, ["p1", "p2", "p3"])
    a = _write_set(tmp_path / "a", [
        _page("p1", A_ROLES, [(0, 4), (5, 7)], [("d1", "s1"), ("d2", "s2")]),
        _page("p2", A_ROLES, [(0, 4), (5, 7)], [("d1", "s1"), ("d3", "s2")]),
        _page("p3", A_ROLES, [(0, 4), (5, 7)], [("d1", "s1"), ("d4", "s3")]),
    ])
    # B: p1 calls the footer body (article 0 ends one content line later, on line 4);
    # p2 merges everything into one article; B clusters under other names and puts
    # p3/1 into story s1; p3 itself appears only in A
    b_roles = ["title", "body", "blank", "body", "body", "title", "body"]
    b = _write_set(tmp_path / "b", [
        _page("p1", b_roles, [(0, 5), (5, 7)], [("x", "u"), ("y", "v")]),
        _page("p2", ["title", "body", "blank", "body", "body", "body", "body"],
              [(0, 7)], [("x", "u")]),
    ])
    result = agreement(a, b, raw)
    assert result["only_in_a"] == ["p3"] and result["n_pages"] == 2

    roles_a = [r for r in A_ROLES if r != "blank"] * 2
    roles_b = [r for r in b_roles if r != "blank"] + ["title", "body", "body", "body", "body", "body"]
    assert result["role_kappa"] == pytest.approx(cohen_kappa_score(roles_a, roles_b))

    # boundaries as (start, last content line); positions over non-blank lines
    # p1: A starts {0,5} ends {3,6}; B starts {0,5} ends {4,6} -> exact 3 of 4; ±1: 4 of 4
    # p2: A starts {0,5} ends {3,6}; B starts {0} ends {6}      -> 2 matches, 4 vs 2
    assert result["boundary_f1_exact"] == pytest.approx(2 * 5 / (8 + 6))
    assert result["boundary_f1_within_1"] == pytest.approx(2 * 6 / (8 + 6))

    # paired articles: p1/0, p1/1 and p2/0 (A's p2/0 covers 3 of B's 6 content lines: 0.5,
    # not paired) -> A dup d1,d2 ; B x,y ; then p2: none paired
    assert result["n_paired_articles"] == 2
    assert result["dup_cluster_ari"] == pytest.approx(adjusted_rand_score(["d1", "d2"], ["x", "y"]))


# ------------------------------------------------------------------ CLI
def _cli(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "presscut.cli", *args],
                          capture_output=True, text=True, timeout=120)


def test_cli_reports_refusal_without_traceback_and_prints_json(project_copy, tmp_path):
    doc_id, label_path = _add_one(project_copy)
    label_path.write_text(label_path.read_text().replace(", title]", ", headline]", 1))
    done = _cli("promote", doc_id, "--root", str(project_copy))
    assert done.returncode == 1
    assert "unknown role 'headline'" in done.stderr and "Traceback" not in done.stderr

    raw = _raw_dir(tmp_path, ["p1"])
    a = _write_set(tmp_path / "a", [_page("p1", A_ROLES, [(0, 4), (5, 7)],
                                          [("d1", "s1"), ("d2", "s2")])])
    done = _cli("agreement", str(a), str(a), "--raw", str(raw), "--json")
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout)["role_kappa"] == 1.0


def test_add_prints_markup_like_paths_and_writes_nothing_when_a_step_fails(
        project_copy, tmp_path, monkeypatch, capsys):
    """#10.15: a source path `[/x].txt` crashed rich after the page was written."""
    from presscut import cli
    from presscut.curation import add as add_mod

    weird = tmp_path / "[" / "x].txt"
    weird.parent.mkdir()
    shutil.copy(NEW_PAGE, weird)
    before = _snapshot(project_copy)

    def failing_replace(src, dst):
        raise OSError("disk full")

    monkeypatch.setattr(add_mod.os, "replace", failing_replace)
    with pytest.raises(OSError):
        add_pages([weird], project_copy, prelabel=naive_prelabel)
    assert _snapshot(project_copy) == before  # not even a temporary file is left
    monkeypatch.undo()

    monkeypatch.setattr(add_mod, "default_prelabeler", lambda root: (naive_prelabel, "naive"))
    monkeypatch.setattr(sys, "argv", ["presscut", "add", str(weird), "--root", str(project_copy)])
    with pytest.raises(SystemExit) as exc:
        cli.main()
    out, err = capsys.readouterr()
    assert exc.value.code == 0, err
    assert f"added {weird}" in out


def test_add_turns_crlf_into_lf_and_sums_what_it_stores(project_copy, tmp_path):
    crlf = tmp_path / "crlf.txt"
    crlf.write_bytes(NEW_PAGE.read_bytes().replace(b"\n", b"\r\n"))
    (added,), _ = add_pages([crlf], project_copy, prelabel=naive_prelabel)
    assert added.raw_path.read_bytes() == NEW_PAGE.read_bytes()
    require_clean(load_corpus(project_copy, provenances=("gold", "silver")))


def test_add_converts_an_html_page_and_says_so_on_its_label(project_copy, tmp_path):
    page = tmp_path / "old_news.htm"
    page.write_bytes("<html><body><h1>Caf\xe9 owners protest</h1><p>The owners met on "
                     "Monday.</p></body></html>".encode("latin-1"))
    (added,), _ = add_pages([page], project_copy, prelabel=naive_prelabel)
    # by hand: resiliparse's rendering, one block a line, a blank line between blocks
    assert added.raw_path.read_text(encoding="utf-8") == ("Café owners protest\n\n"
                                                          "The owners met on Monday.")
    label = added.label_path.read_text(encoding="utf-8")
    assert "converted from the HTML file old_news.htm by resiliparse" in label
    import hashlib

    sha = hashlib.sha256(added.raw_path.read_bytes()).hexdigest()
    assert f"{sha}  {added.raw_path.name}" in _sums(project_copy)
    require_clean(load_corpus(project_copy, provenances=("gold", "silver")))


def test_add_takes_a_folder_with_a_gzipped_html_page(project_copy, tmp_path, monkeypatch):
    """`presscut add FOLDER`: every page under it, a gzipped HTML page unpacked and
    converted (its label says from which file); other files are not pages."""
    import gzip

    from presscut.cli import main

    folder = tmp_path / "incoming"
    folder.mkdir()
    html = ("<html><body><h1>Caf\xe9 owners protest</h1><p>The owners met on "
            "Monday.</p></body></html>").encode("latin-1")
    (folder / "old_news.html.gz").write_bytes(gzip.compress(html))
    shutil.copy(NEW_PAGE, folder / "plain.txt")
    (folder / "notes.md").write_text("not a page", encoding="utf-8")
    before = set((project_copy / "corpus" / "raw").glob("*.txt"))
    # the copy holds no fitted model: the CLI's default pre-labeler is swapped for a rule
    monkeypatch.setattr("presscut.curation.add.default_prelabeler",
                        lambda root=None: (naive_prelabel, "naive"))
    monkeypatch.setattr(sys, "argv", ["presscut", "add", str(folder), "--root", str(project_copy)])
    with pytest.raises(SystemExit) as done:
        main()
    assert done.value.code in (0, None)
    new = sorted(set((project_copy / "corpus" / "raw").glob("*.txt")) - before)
    texts = sorted(p.read_text(encoding="utf-8") for p in new)
    assert texts == sorted(["Café owners protest\n\nThe owners met on Monday.",
                            NEW_PAGE.read_text(encoding="utf-8")])
    labels = [(project_copy / "corpus" / "labels" / f"{p.stem}.yaml").read_text(encoding="utf-8")
              for p in new]
    assert sum("converted from the HTML file old_news.html.gz" in x for x in labels) == 1
    require_clean(load_corpus(project_copy, provenances=("gold", "silver")))
