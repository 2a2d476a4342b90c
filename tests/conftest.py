"""Shared fixtures: a private copy of the project's corpus that a test may break."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture
def project_copy(tmp_path: Path) -> Path:
    """corpus/, the committed split manifest and real config copied into tmp_path (splits are
    rebuilt there)."""
    shutil.copytree(ROOT / "corpus", tmp_path / "corpus")
    (tmp_path / "splits").mkdir()
    shutil.copy(ROOT / "splits" / "manifest.json", tmp_path / "splits" / "manifest.json")
    # the real config is kept, not rebuilt, when its raw sources are absent: it is an input
    if (ROOT / "splits" / "real").is_dir():
        shutil.copytree(ROOT / "splits" / "real", tmp_path / "splits" / "real")
    return tmp_path


@pytest.fixture
def review_label():
    """What a reviewer does last before promote: drop the pre-labeler's notes once each
    was checked (a file with untouched silver notes is refused)."""
    from presscut.annotations import page_to_yaml, parse_page, read_raw

    def review(label_path: Path, root: Path) -> None:
        text, sha = read_raw(root / "corpus" / "raw" / label_path.with_suffix(".txt").name)
        page = parse_page(label_path, text, sha)
        page.note, page.line_notes = "reviewed", {}
        for a in page.articles:
            a.note = ""
        label_path.write_text(page_to_yaml(page), encoding="utf-8")

    return review
