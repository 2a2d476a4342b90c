"""What the text-only peers share: a per-line keep/drop filter read as a segmentation.

LLM-corpus pipelines clean pages by dropping lines (C4) or whole documents (Gopher,
FineWeb). Read as a segmenter, a kept line is ``body``, a dropped one ``boilerplate``,
and one article runs from the first to the last kept line: the same reading as the
keep-everything floor, so the rows compare like with like. These peers never name a
title, so their title F1 is 0 by construction.
"""

from __future__ import annotations

from importlib import metadata

from presscut.baselines.segment_common import Baseline, consistent_record
from presscut.errors import PresscutError
from presscut.schema import is_blank


def library_version(dist: str) -> str:
    try:
        return metadata.version(dist)
    except metadata.PackageNotFoundError:
        return "not installed"


def need(module: str, extra: str = "peers"):
    """Import an optional peer library, or say in one line how to install it."""
    import importlib

    try:
        return importlib.import_module(module)
    except ImportError as err:
        raise PresscutError(f"this peer needs {module.split('.')[0]!r} ({err}); install it "
                            f"with `pip install 'presscut[{extra}]'`") from None


class LineFilterSegmenter(Baseline):
    """Base class: subclasses say which non-blank lines a filter keeps."""

    #: the distribution whose code makes the decisions, named in every result row
    library: str = ""

    def describe(self) -> str:
        return f"{self.library} {library_version(self.library)}"

    def fit(self, X, y=None):  # noqa: ARG002 - filters learn nothing
        self._check_library()
        return self

    def _check_library(self) -> None:
        if self.library:
            need(self.library.replace("-", "_"))

    def keep(self, lines: list[str]) -> list[bool]:  # pragma: no cover - abstract
        raise NotImplementedError

    def predict_page(self, page: dict) -> dict:
        lines = page["lines"]
        kept = self.keep(lines)
        roles = ["body" if k and not is_blank(line) else "boilerplate"
                 for line, k in zip(lines, kept)]
        return consistent_record(page["doc_id"], lines, roles)
