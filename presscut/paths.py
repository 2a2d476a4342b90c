"""Where the project keeps its data. Every path can be overridden by a CLI option."""

from __future__ import annotations

import os
from pathlib import Path


def project_root() -> Path:
    """The checkout holding corpus/ and splits/ (``PRESSCUT_ROOT`` overrides)."""
    env = os.environ.get("PRESSCUT_ROOT")
    if env:
        return Path(env)
    here = Path(__file__).resolve().parent.parent
    if (here / "corpus").is_dir():
        return here
    return Path.cwd()


def corpus_dir(root: Path | None = None) -> Path:
    return (root or project_root()) / "corpus"


def raw_dir(root: Path | None = None) -> Path:
    return corpus_dir(root) / "raw"


def labels_dir(root: Path | None = None) -> Path:
    return corpus_dir(root) / "labels"


def splits_dir(root: Path | None = None) -> Path:
    return (root or project_root()) / "splits"


def leaderboard_dir(root: Path | None = None) -> Path:
    return (root or project_root()) / "leaderboard"
