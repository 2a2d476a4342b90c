"""Label files, raw pages and SHA256SUMS that must not get through (#10.6, 8, 10-13, 16).

Each test breaks one committed page of a private copy of the corpus and checks the refusal:
an AnnotationError naming the file and what is wrong, never another exception.
"""

from __future__ import annotations

import hashlib
import os
import tracemalloc
from pathlib import Path

import pytest

from presscut import paths
from presscut.annotations import HEADER, page_to_yaml, parse_page, parse_stance, read_raw
from presscut.builder import build as build_mod
from presscut.builder.corpus import load_corpus, load_page, require_clean
from presscut.errors import AnnotationError, PresscutError

PAGE = "002_70abb2c0b52d4adb"
ROOT = Path(__file__).resolve().parent.parent


def _files(root: Path, doc: str = PAGE) -> tuple[Path, Path]:
    return root / "corpus" / "raw" / f"{doc}.txt", root / "corpus" / "labels" / f"{doc}.yaml"


def _parse(root: Path, doc: str = PAGE):
    raw, label = _files(root, doc)
    text, sha = read_raw(raw)
    return parse_page(label, text, sha)


def _edit(root: Path, old: str, new: str, doc: str = PAGE) -> None:
    label = _files(root, doc)[1]
    text = label.read_text(encoding="utf-8")
    assert old in text, f"fixture drifted: {old!r} not in {label.name}"
    label.write_text(text.replace(old, new, 1), encoding="utf-8")


def _refusal(root: Path, doc: str = PAGE) -> str:
    with pytest.raises(AnnotationError) as info:
        _parse(root, doc)
    rendered = info.value.render(limit=1000)
    assert str(_files(root, doc)[1]) in rendered
    return rendered


def _corpus_refusal(root: Path) -> str:
    with pytest.raises(AnnotationError) as info:
        require_clean(load_corpus(root))
    return info.value.render(limit=1000)


# ------------------------------------------------------------------ #10.6 one range convention
def test_every_label_file_states_the_range_convention_at_the_top():
    for label in sorted((ROOT / "corpus" / "labels").glob("0*.yaml")):
        assert label.read_text(encoding="utf-8").startswith(HEADER), label.name
    assert "both included" in HEADER


def test_article_lines_are_inclusive_like_every_other_range(project_copy):
    page = _parse(project_copy)
    # the file says `lines: 0-46`: first and last content line, both included
    (article,) = page.articles
    assert (article.start_line, article.end_line) == (0, 47)
    lines = page.lines
    assert lines[46].strip() and not any(line.strip() for line in lines[47:48])


def test_old_end_exclusive_list_form_is_refused_with_the_rewrite(project_copy):
    _edit(project_copy, "lines: 0-46", "lines: [0, 47]")
    msg = _refusal(project_copy)
    assert "[0, 47) is now written 0-46" in msg


def test_written_silver_files_use_the_same_convention_and_round_trip(project_copy, tmp_path):
    page = _parse(project_copy)
    out = tmp_path / f"{PAGE}.yaml"
    out.write_text(page_to_yaml(page), encoding="utf-8")
    assert out.read_text(encoding="utf-8").startswith(HEADER)
    again = parse_page(out, page.text, page.sha256)
    assert [(a.start_line, a.end_line) for a in again.articles] == [
        (a.start_line, a.end_line) for a in page.articles]
    assert again.roles == page.roles and again.outlet == page.outlet


# ------------------------------------------------------------------ #10.8 memory bombs
def test_a_huge_range_is_refused_without_expanding_it(project_copy):
    _edit(project_copy, "roles:\n", 'roles:\n  - ["0-100000000", body]\n')
    tracemalloc.start()
    try:
        msg = _refusal(project_copy)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert "range 0-100000000 is out of range" in msg
    assert peak < 20_000_000


def test_yaml_alias_bombs_are_refused(project_copy):
    levels = ['a0: &a0 ["lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol"]']
    levels += [f"a{i}: &a{i} [{', '.join([f'*a{i - 1}'] * 9)}]" for i in range(1, 6)]
    bomb = "note:\n  " + "\n  ".join(levels) + "\n"
    label = _files(project_copy)[1]
    text = label.read_text(encoding="utf-8")
    start = text.index("note: >-")
    end = text.index("outlet:")
    label.write_text(text[:start] + bomb + text[end:], encoding="utf-8")
    assert "anchors and aliases" in _refusal(project_copy)


def test_error_messages_quote_at_most_a_short_excerpt(project_copy):
    _edit(project_copy, "roles:\n", f'roles:\n  - ["{"9" * 200_000}x", body]\n')
    msg = _refusal(project_copy)
    assert max(len(line) for line in msg.splitlines()) < 400


# ------------------------------------------------------------------ #10.11 duplicate/unknown keys
def test_duplicate_keys_are_errors_naming_the_line(project_copy):
    _edit(project_copy, "provenance: gold\n", "provenance: gold\nprovenance: silver\n")
    msg = _refusal(project_copy)
    assert "yaml line 8: key 'provenance' given twice (first on yaml line 7)" in msg


@pytest.mark.parametrize(("old", "new", "needle"), [
    ("line_duplicates:\n", "line_duplicate:\n",
     "unknown key 'line_duplicate' (yaml line 40); did you mean 'line_duplicates'?"),
    ("    dup_cluster: kim", "    dupcluster: kim", "unknown key 'dupcluster'"),
    ("  evidence_lines: [11", "  evidence: [11", "outlet: unknown key 'evidence'"),
    ("{lines: [6, 52], kind: exact}", "{lines: [6, 52], knd: exact}", "unknown key 'knd'"),
])
def test_misspelt_keys_are_errors(project_copy, old, new, needle):
    _edit(project_copy, old, new)
    assert needle in _refusal(project_copy)


# ------------------------------------------------------------------ #10.12 validate = buildable
@pytest.mark.parametrize(("old", "new", "needle"), [
    ("  name: The Independent", "  name: 42", "outlet.name: expected text or null, got 42"),
    ("note: >-\n", 'note: "\\ud800 lone"\nx_note: >-\n', "lone surrogate"),
    ("note: >-\n", "note: 7\nx_note: >-\n", "note: expected text or null, got 7"),
    ("    byline: Alisha Rahaman Sarkar", "    byline: [Alisha]", "byline: expected text"),
])
def test_values_build_cannot_write_are_refused_by_validate(project_copy, old, new, needle):
    _edit(project_copy, old, new)
    assert needle in _refusal(project_copy)


def test_build_is_all_or_nothing(project_copy, monkeypatch):
    build_mod.build(project_copy, synthetic=False)
    splits = project_copy / "splits"
    before = {p: p.read_bytes() for p in sorted(splits.rglob("*")) if p.is_file()}
    _edit(project_copy, "  name: The Independent", "  name: The Independent!")
    calls = []
    real_write = build_mod.write_parquet

    def failing_write(rows, config, path):
        calls.append(config)
        if len(calls) == 4:
            raise OSError("disk full")
        return real_write(rows, config, path)

    monkeypatch.setattr(build_mod, "write_parquet", failing_write)
    with pytest.raises(OSError):
        build_mod.build(project_copy, synthetic=False)
    after = {p: p.read_bytes() for p in sorted(splits.rglob("*")) if p.is_file()}
    assert after == before  # old manifest, report and Parquet files, all together
    assert not (splits / ".staging").exists()


# ------------------------------------------------------------------ #10.13 named errors
@pytest.mark.parametrize(("old", "new", "needle"), [
    ("{lines: [6, 52], kind: exact}", "{lines: 5, kind: exact}", "expected a list of line"),
    ("  evidence_lines: [11, 15, 50]", "  evidence_lines: 3", "expected a list of line"),
    ("outlet:\n", "outlet: 5\nx:\n", "outlet (yaml line 13): expected a mapping"),
    ("line_duplicates:\n", "line_notes: [1, 2]\nline_duplicates:\n",
     "line_notes (yaml line 40): expected a mapping"),
    ("articles:\n", "articles: 3\nx:\n", "articles: expected a list, got 3"),
    ("note: >-\n", 'note: !!float "x"\nx_note: >-\n', "YAML tags"),
    ("note: >-\n", "note: !!timestamp 2020-01-01\nx_note: >-\n", "YAML tags"),
    ("note: >-\n", "note: 2020-01-01\nx_note: >-\n", "unknown key 'x_note'"),  # date stays text
    ("note: >-\n", "note: [[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[\nx_note: >-\n", "not valid YAML"),
    ("  - k: 0\n", "  - k: 99999999999999999999999999999999\n", "article numbers must be"),
])
def test_wrong_shapes_are_named_errors(project_copy, old, new, needle):
    _edit(project_copy, old, new)
    assert needle in _refusal(project_copy)


def test_roles_that_are_not_a_list(project_copy):
    label = _files(project_copy)[1]
    text = label.read_text(encoding="utf-8")
    start, end = text.index("roles:\n"), text.index("articles:\n")
    label.write_text(text[:start] + "roles: 7\n" + text[end:], encoding="utf-8")
    assert "roles: expected a list, got 7" in _refusal(project_copy)


def test_deeply_nested_yaml(project_copy):
    _files(project_copy)[1].write_text("a: " + "[" * 5000 + "]" * 5000 + "\n", encoding="utf-8")
    msg = _refusal(project_copy)
    assert "nested too deeply" in msg or "unknown key 'a'" in msg


@pytest.mark.parametrize(("content", "needle"), [
    (b"- [a, b, agree]\n", "expected a mapping with 'pairs'"),
    (b"pairs:\n  - [[x], 000_8aceb1973127ff81/0, agree]\n", "article ids must be text"),
    (b"pairs: [\xff]\n", "stance file is not UTF-8"),
    (b"pairs: 5\n", "pairs: expected a list"),
    (b"pairs: []\npair: []\n", "unknown key 'pair'"),
])
def test_broken_stance_files(tmp_path, content, needle):
    path = tmp_path / "_stance.yaml"
    path.write_bytes(content)
    with pytest.raises(AnnotationError) as info:
        parse_stance(path, {"000_8aceb1973127ff81/0": "s"})
    assert needle in info.value.render() and str(path) in info.value.render()


def test_folders_named_like_pages_and_labels(project_copy):
    (project_copy / "corpus" / "raw" / "zzz.txt").mkdir()
    (project_copy / "corpus" / "labels" / "zzz.yaml").mkdir()
    msg = _corpus_refusal(project_copy)
    assert "zzz.txt: is a folder, not a page" in msg


# ------------------------------------------------------------------ #10.10 SHA256SUMS
def _sums(root: Path) -> Path:
    return root / "corpus" / "raw" / "SHA256SUMS"


def test_a_page_edited_with_its_label_hash_updated_is_caught_by_the_sums(project_copy):
    raw, label = _files(project_copy)
    old = hashlib.sha256(raw.read_bytes()).hexdigest()
    raw.write_bytes(raw.read_bytes().replace(b"Kim", b"Kin", 1))
    new = hashlib.sha256(raw.read_bytes()).hexdigest()
    label.write_text(label.read_text(encoding="utf-8").replace(old, new), encoding="utf-8")
    _parse(project_copy)  # the label alone agrees with the edited page ...
    msg = _corpus_refusal(project_copy)  # ... the committed sum does not
    assert f"{PAGE}.txt: the page's sha256 is {new}, the list says {old}" in msg


def test_zeroed_unlisted_and_undecodable_sums(project_copy):
    sums = _sums(project_copy)
    text = sums.read_text(encoding="utf-8")
    sha = hashlib.sha256(_files(project_copy)[0].read_bytes()).hexdigest()
    sums.write_text(text.replace(sha, "0" * 64), encoding="utf-8")
    assert "the list says " + "0" * 64 in _corpus_refusal(project_copy)
    sums.write_text("".join(line + "\n" for line in text.splitlines() if PAGE not in line),
                    encoding="utf-8")
    assert f"{PAGE}.txt: not listed in SHA256SUMS" in _corpus_refusal(project_copy)
    sums.write_bytes(text.encode() + b"\xff\n")
    assert "SHA256SUMS:6: not UTF-8" in _corpus_refusal(project_copy)


# ------------------------------------------------------------------ #10.16 hygiene
def test_crlf_and_nul_pages_are_refused_by_line(project_copy):
    raw = _files(project_copy)[0]
    data = raw.read_bytes()
    raw.write_bytes(data.replace(b"\n", b"\r\n"))
    with pytest.raises(AnnotationError, match=r"line 1: carriage return"):
        read_raw(raw)
    text, _ = read_raw(raw, normalize_newlines=True)
    assert "\r" not in text and text.encode() == data
    raw.write_bytes(data.replace(b"\n", b"\n\x00", 3))
    with pytest.raises(AnnotationError, match=r"line 2: NUL character"):
        read_raw(raw)


def test_a_refusal_names_its_file_once(project_copy):
    raw = _files(project_copy)[0]
    raw.write_bytes(b"\xff" + raw.read_bytes())
    msg = _corpus_refusal(project_copy)
    assert msg.count(str(raw)) == 1


@pytest.mark.parametrize("doc_id", ["../../etc/passwd", "../raw/x", "/etc/hosts", ".."])
def test_page_ids_are_names_not_paths(project_copy, doc_id):
    with pytest.raises(AnnotationError, match="is not a page id"):
        load_page(doc_id, project_copy)


# ------------------------------------------------------------------ #10.2 project root
def test_the_root_is_the_checkout_you_stand_in(project_copy, monkeypatch):
    monkeypatch.delenv(paths.ENV, raising=False)
    (project_copy / "sub" / "dir").mkdir(parents=True)
    monkeypatch.chdir(project_copy / "sub" / "dir")
    assert paths.resolve_root() == (project_copy.resolve(), "a parent folder")
    assert paths.resolve_root(Path("/x")) == (Path("/x"), "--root")
    monkeypatch.setenv(paths.ENV, "/y")
    assert paths.resolve_root() == (Path("/y"), "$PRESSCUT_ROOT")


def test_outside_every_checkout_is_one_line(tmp_path, monkeypatch):
    monkeypatch.delenv(paths.ENV, raising=False)
    monkeypatch.chdir(tmp_path)
    assert paths.resolve_root()[1] == "the checkout presscut is installed from"
    monkeypatch.setattr(paths, "__file__", str(tmp_path / "site" / "presscut" / "paths.py"))
    with pytest.raises(PresscutError, match="not inside a presscut checkout") as info:
        paths.resolve_root()
    assert "\n" not in info.value.render()


def test_build_and_validate_say_which_root(project_copy, monkeypatch, capsys):
    import sys

    from presscut import cli

    monkeypatch.delenv(paths.ENV, raising=False)
    monkeypatch.chdir(project_copy)
    monkeypatch.setattr(sys, "argv", ["presscut", "validate"])
    with pytest.raises(SystemExit) as exc:
        cli.main()
    assert exc.value.code == 0
    out = capsys.readouterr().out
    assert f"root: {project_copy.resolve()} (the current directory)" in out
    assert os.path.samefile(project_copy, Path.cwd())
