"""Every kind of broken input is refused with a message naming the file, the line and the rule."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from presscut.builder.build import build
from presscut.builder.corpus import load_corpus, require_clean
from presscut.errors import AnnotationError

PAGE = "002_70abb2c0b52d4adb"


def _labels(root: Path, doc: str = PAGE) -> Path:
    return root / "corpus" / "labels" / f"{doc}.yaml"


def _edit(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text, f"fixture drifted: {old!r} not in {path.name}"
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


def _messages(root: Path) -> str:
    with pytest.raises(AnnotationError) as info:
        require_clean(load_corpus(root))
    return info.value.render(limit=1000)


def test_clean_corpus_passes(project_copy):
    corpus = load_corpus(project_copy)
    require_clean(corpus)
    assert len(corpus.pages) == 5


def test_non_utf8_page(project_copy):
    raw = project_copy / "corpus" / "raw" / f"{PAGE}.txt"
    raw.write_bytes(raw.read_bytes()[:50] + b"\xff\xfe" + raw.read_bytes()[50:])
    msg = _messages(project_copy)
    assert f"{PAGE}.txt: not UTF-8 (byte 50" in msg


def test_empty_page(project_copy):
    (project_copy / "corpus" / "raw" / f"{PAGE}.txt").write_bytes("\n\u00a0\n".encode())
    assert f"{PAGE}.txt: empty page" in _messages(project_copy)


def test_missing_page_listed_in_sums(project_copy):
    (project_copy / "corpus" / "raw" / f"{PAGE}.txt").unlink()
    msg = _messages(project_copy)
    assert re.search(rf"SHA256SUMS:\d+: missing page: {PAGE}.txt is listed", msg)
    # its label file is now an annotation for a page that does not exist
    assert f"{PAGE}.yaml: annotation for a page that does not exist" in msg


def test_page_without_annotation(project_copy):
    _labels(project_copy).unlink()
    assert f"{PAGE}.txt: page without annotation" in _messages(project_copy)


def test_annotation_for_unknown_page(project_copy):
    extra = _labels(project_copy, "999_0000000000000000")
    extra.write_text(_labels(project_copy).read_text(encoding="utf-8"), encoding="utf-8")
    assert "999_0000000000000000.yaml: annotation for a page that does not exist" in _messages(
        project_copy
    )


def test_stale_sha256(project_copy):
    raw = project_copy / "corpus" / "raw" / f"{PAGE}.txt"
    raw.write_text(raw.read_text(encoding="utf-8") + " ", encoding="utf-8")
    msg = _messages(project_copy)
    assert f"{PAGE}.yaml" in msg and "stale sha256" in msg


def test_overlapping_spans(project_copy):
    path = _labels(project_copy, "000_8aceb1973127ff81")
    _edit(path, "lines: 25-41", "lines: 20-41")
    msg = _messages(project_copy)
    assert "000_8aceb1973127ff81/0 0-21 and 000_8aceb1973127ff81/1 20-41 overlap" in msg


def test_out_of_range_line(project_copy):
    _edit(_labels(project_copy), "[48-56, boilerplate,", "[48-60, boilerplate,")
    assert "range 48-60 is out of range (page has lines 0-56)" in _messages(project_copy)


def test_unknown_role(project_copy):
    _edit(_labels(project_copy), "[2, dek]", "[2, standfirst]")
    msg = _messages(project_copy)
    assert "unknown role 'standfirst'" in msg and "line 2: non-blank line has no role" in msg


def test_line_with_two_roles(project_copy):
    _edit(_labels(project_copy), "[2, dek]", "[2, dek]\n  - [2, title]")
    assert "line 2: given two roles (dek and title" in _messages(project_copy)


def test_blank_line_given_a_role(project_copy):
    _edit(_labels(project_copy), "[2, dek]", "[2, dek]\n  - [3, body]")
    assert "line 3: blank line labelled 'body'" in _messages(project_copy)


def test_article_role_outside_every_span(project_copy):
    _edit(_labels(project_copy), "[48-56, boilerplate,", "[48, body]\n  - [50-56, boilerplate,")
    assert "line 48: role 'body' outside every article span" in _messages(project_copy)


def test_duplicate_group_naming_missing_and_blank_lines(project_copy):
    _edit(
        _labels(project_copy), "{lines: [35, 36], kind: near}", "{lines: [35, 37, 99], kind: near}"
    )
    msg = _messages(project_copy)
    assert "line_duplicates[1] (yaml line 42): line 37 is blank" in msg
    assert "line_duplicates[1] (yaml line 42).lines[2]: line 99 is out of range" in msg


def test_exact_group_whose_lines_differ(project_copy):
    _edit(_labels(project_copy), "{lines: [35, 36], kind: near}", "{lines: [35, 36], kind: exact}")
    assert "line_duplicates[1] (yaml line 42): marked exact but lines [35, 36] differ" in (
        _messages(project_copy)
    )


def test_dup_cluster_spanning_two_stories(project_copy):
    _edit(
        _labels(project_copy, "001_31073af3c65c8448"),
        "story_cluster: kim-2023-military-goals",
        "story_cluster: some-other-story",
    )
    msg = _messages(project_copy)
    assert "dup_cluster 'kim-goals-wire' spans two stories" in msg


def test_stance_pair_naming_unknown_article(project_copy):
    stance = project_copy / "corpus" / "labels" / "_stance.yaml"
    _edit(
        stance,
        "[000_8aceb1973127ff81/0, 001_31073af3c65c8448/0, agree",
        "[000_8aceb1973127ff81/7, 001_31073af3c65c8448/0, agree",
    )
    assert "_stance.yaml" in (msg := _messages(project_copy))
    assert "article '000_8aceb1973127ff81/7' does not exist" in msg


def test_invalid_yaml(project_copy):
    _edit(_labels(project_copy), "roles:", "roles: [unclosed")
    assert re.search(rf"{PAGE}.yaml: not valid YAML \(yaml line \d+\)", _messages(project_copy))


def test_lenient_build_accounts_for_every_page(project_copy):
    _labels(project_copy).unlink()
    report = build(project_copy, strict=False)
    statuses = {p["doc_id"]: p["status"] for p in report.pages}
    raw = sorted(p.stem for p in (project_copy / "corpus" / "raw").glob("*.txt"))
    assert sorted(d for d in statuses if d in raw) == raw
    assert statuses[PAGE] == "refused"
    assert sum(s == "built" for s in statuses.values()) == 4


def test_cli_exits_nonzero_without_traceback(project_copy):
    _edit(_labels(project_copy), "[2, dek]", "[2, standfirst]")
    env = dict(os.environ, PYTHONPATH=str(Path(__file__).resolve().parent.parent))
    proc = subprocess.run(
        [sys.executable, "-m", "presscut.cli", "validate", "--root", str(project_copy)],
        capture_output=True,
        text=True,
        env=env,
        timeout=120,
    )
    assert proc.returncode == 1
    assert "Traceback" not in proc.stderr + proc.stdout
    assert f"{PAGE}.yaml" in proc.stderr and "unknown role 'standfirst'" in proc.stderr
