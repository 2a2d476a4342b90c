"""Where the project keeps its data. Every path can be overridden by a CLI option.

The project root is, in this order: ``--root`` (passed down as ``root``), ``$PRESSCUT_ROOT``,
the nearest folder at or above the current directory that is a presscut checkout, and only
then the checkout this package was installed from (an editable install). A second clone is
therefore built where you stand, not where the package happens to live.
"""

from __future__ import annotations

import os
from contextlib import contextmanager
from pathlib import Path

from presscut.errors import PresscutError

ENV = "PRESSCUT_ROOT"


def is_checkout(folder: Path) -> bool:
    """A presscut checkout holds the raw corpus and its labels."""
    return (folder / "corpus" / "raw").is_dir() and (folder / "corpus" / "labels").is_dir()


def resolve_root(root: Path | None = None) -> tuple[Path, str]:
    """The project root and where it came from (for the "root: ..." line of build/validate)."""
    if root is not None:
        return Path(root), "--root"
    env = os.environ.get(ENV)
    if env:
        return Path(env), f"${ENV}"
    cwd = Path.cwd().resolve()
    for folder in (cwd, *cwd.parents):
        if is_checkout(folder):
            return folder, "the current directory" if folder == cwd else "a parent folder"
    here = Path(__file__).resolve().parent.parent
    if is_checkout(here):
        return here, "the checkout presscut is installed from"
    raise PresscutError(
        f"{cwd} is not inside a presscut checkout (no corpus/raw and corpus/labels here or "
        f"above); run from a clone, pass --root, or set {ENV}"
    )


def project_root() -> Path:
    """The checkout holding corpus/ and splits/ (see the module docstring for the order)."""
    return resolve_root()[0]


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


def write_whole(path: Path, text: str) -> None:
    """Write ``text`` to ``path`` under a temporary name beside it, then rename it into
    place: a crash or a full disk never leaves half a file where a reader expects a whole
    one."""
    with writing_whole(path) as fh:
        fh.write(text)


@contextmanager
def writing_whole(path: Path):
    """``write_whole`` for a writer that streams: a text file to write into, under a
    temporary name beside ``path``, renamed into place when the block ends without an
    error and removed when it raises."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.partial")
    try:
        with tmp.open("w", encoding="utf-8") as fh:
            yield fh
        tmp.replace(path)
    finally:
        tmp.unlink(missing_ok=True)
