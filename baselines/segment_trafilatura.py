"""trafilatura run on the page text: what a user without the HTML would get from it.

Each non-blank line becomes one ``<p>`` of a bare HTML page (the plain-text reading
jusText gets too); trafilatura's extraction (its defaults: no comments, precision and
recall balanced) returns the text it keeps, and each kept output line is matched back,
in order, to the page line it came from. trafilatura has the DOM's tags, link density
and layout to go on in HTML; here it has only the lines, so this row shows what of it
survives on text. Its HTML score is in the "uses HTML" table (``presscut baselines
html-refs``).
"""

from __future__ import annotations

import html

from presscut.baselines.registry import baseline
from presscut.baselines.segment_linefilter import LineFilterSegmenter, need
from presscut.schema import is_blank


def _norm(text: str) -> str:
    return " ".join(text.split())


def match_back(lines: list[str], kept_text: str) -> list[bool]:
    """Page lines whose text appears, in order, among the extractor's output lines."""
    out = [_norm(x) for x in kept_text.split("\n")]
    out = [x for x in out if x]
    kept = [False] * len(lines)
    j = 0
    norms = [_norm(x) for x in lines]
    for o in out:
        # Output follows page order; search forward, and from the top if a line moved.
        hit = next((i for i in range(j, len(lines)) if norms[i] == o and not kept[i]), None)
        if hit is None:
            hit = next((i for i in range(0, j) if norms[i] == o and not kept[i]), None)
        if hit is not None:
            kept[hit] = True
            j = hit + 1
    return kept


# a peer through its own library, on the default board: setup.sh installs `presscut[peers]`
@baseline("segmentation", "peer-trafilatura-text", order=63, extras=("peers",))
class TrafilaturaText(LineFilterSegmenter):
    """``trafilatura.extract`` over one ``<p>`` per line; kept lines are body."""

    name = "peer-trafilatura-text"
    library = "trafilatura"

    def __init__(self, favor: str = "balanced"):
        self.favor = favor

    def describe(self) -> str:
        return f"{super().describe()} extract() on one <p> per line, {self.favor}"

    def keep(self, lines: list[str]) -> list[bool]:
        trafilatura = need("trafilatura")
        content = [line.strip() for line in lines if not is_blank(line)]
        if not content:
            return [False] * len(lines)
        doc = ("<html><body>"
               + "".join(f"<p>{html.escape(x)}</p>" for x in content)
               + "</body></html>")
        text = trafilatura.extract(
            doc, output_format="txt", include_comments=False, include_tables=True,
            favor_precision=self.favor == "precision", favor_recall=self.favor == "recall",
            deduplicate=False, with_metadata=False,
        )
        return match_back(lines, text or "")
