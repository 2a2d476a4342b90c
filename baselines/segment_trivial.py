"""Floor baselines for segmentation: what you get by trusting the scrape as it is."""

from __future__ import annotations

from presscut.baselines.registry import baseline
from presscut.baselines.segment_common import Baseline, consistent_record
from presscut.schema import is_blank


@baseline("segmentation", "seg-keep-all", order=10)
class KeepEverything(Baseline):
    """Every non-blank line is body; one article from the first to the last content line.

    The "keep everything" anchor of article-extraction benchmarks.
    """

    name = "seg-keep-all"

    def predict_page(self, page: dict) -> dict:
        lines = page["lines"]
        return consistent_record(page["doc_id"], lines, ["body"] * len(lines))


@baseline("segmentation", "seg-first-title", order=20)
class FirstLineTitle(Baseline):
    """The first non-blank line is the title, the rest body; one article."""

    name = "seg-first-title"

    def predict_page(self, page: dict) -> dict:
        lines = page["lines"]
        roles = ["body"] * len(lines)
        first = next((i for i, line in enumerate(lines) if not is_blank(line)), None)
        if first is not None:
            roles[first] = "title"
        return consistent_record(page["doc_id"], lines, roles)
