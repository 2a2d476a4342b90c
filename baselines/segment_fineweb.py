"""FineWeb's line-based quality rules (Penedo et al. 2024) read line by line.

FineWeb's three custom filters judge a document by fractions of its lines: lines ending
in terminal punctuation (≥ 0.12), characters in duplicated lines (≤ 0.01 in datatrove's
``FineWebQualityFilter``), lines of ≤ 30 characters (≤ 0.67). None drops a line; the
per-line form keeps exactly the lines that count *for* the page: a line that ends with
terminal punctuation (datatrove's ``TERMINAL_PUNCTUATION``), is longer than 30
characters, and repeats no earlier line. :func:`line_marks` implements the three counts
from the paper's definitions, and a test checks the document verdicts they give against
datatrove's filter on whole pages. The list-ratio rule (newlines per word) has no
per-line form; ``page_rules=True`` applies the library's filter to the whole page and
keeps no line of a page it rejects.
"""

from __future__ import annotations

from dataclasses import dataclass

from presscut.baselines.registry import baseline
from presscut.baselines.segment_gopher import repeated
from presscut.baselines.segment_linefilter import LineFilterSegmenter, need


@dataclass
class LineMarks:
    """Per counted line (the non-empty ones, as the library counts them)."""

    lines: list[str]
    punct: list[bool]  # ends with terminal punctuation
    short: list[bool]  # at most ``short_line_length`` characters
    dup: list[bool]  # repeats an earlier line


def line_marks(text: str, short_line_length: int = 30) -> LineMarks:
    stop_chars = tuple(need("datatrove.utils.text").TERMINAL_PUNCTUATION)
    lines = [line for line in text.split("\n") if line.strip() != ""]
    return LineMarks(lines, [line.endswith(stop_chars) for line in lines],
                     [len(line) <= short_line_length for line in lines], repeated(lines))


# a peer through its own library, on the default board: setup.sh installs `presscut[peers]`
@baseline("segmentation", "peer-fineweb", order=62, extras=("peers",))
class FineWebLineFilter(LineFilterSegmenter):
    """The lines FineWeb's quality rules count in a page's favour are kept."""

    name = "peer-fineweb"
    library = "datatrove"

    def __init__(self, short_line_length: int = 30, page_rules: bool = False):
        self.short_line_length = short_line_length
        self.page_rules = page_rules

    def describe(self) -> str:
        rules = "page rules on" if self.page_rules else "page rules off"
        return f"{super().describe()} FineWebQualityFilter rules per line; {rules}"

    def keep(self, lines: list[str]) -> list[bool]:
        text = "\n".join(lines)
        marks = line_marks(text, self.short_line_length)
        good = iter(p and not s and not d for p, s, d in zip(marks.punct, marks.short, marks.dup))
        kept = [next(good) if line.strip() != "" else False for line in lines]
        if self.page_rules and any(kept):
            fw = need("datatrove.pipeline.filters.fineweb_quality_filter")
            Document = need("datatrove.data").Document
            if fw.FineWebQualityFilter().filter(Document(text=text, id="page")) is not True:
                kept = [False] * len(lines)
        return kept
