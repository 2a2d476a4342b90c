"""Shared fixtures: a private copy of the project's corpus that a test may break."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture
def project_copy(tmp_path: Path) -> Path:
    """corpus/ and the committed split manifest copied into tmp_path (splits are rebuilt there)."""
    shutil.copytree(ROOT / "corpus", tmp_path / "corpus")
    (tmp_path / "splits").mkdir()
    shutil.copy(ROOT / "splits" / "manifest.json", tmp_path / "splits" / "manifest.json")
    return tmp_path
