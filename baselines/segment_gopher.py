"""Gopher's quality and repetition rules (Rae et al. 2021, App. A.1.1) read line by line.

Every Gopher rule judges a whole document, so none has a per-line form as written:

* the **quality** rules (mean word length 3–10, hash/ellipsis-to-word ratio ≤ 0.1, bullet
  and trailing-ellipsis lines, ≥ 80 % words with a letter, ≥ 2 of the stop words "the, be,
  to, of, and, that, have, with") are run through datatrove's ``GopherQualityFilter`` on
  each line as its own document; the 50–100,000 word bounds have no line reading and are
  off;
* of the **repetition** rules only "duplicate line fraction" names lines: the per-line
  form drops every line that repeats an earlier one (the lines the fraction counts).
  :func:`repeated` implements that count from the paper's definition; a test checks its
  document verdict against datatrove's ``GopherRepetitionFilter``. The n-gram fractions
  have no per-line form.

``page_rules=True`` also applies both datatrove filters to the whole page and keeps no
line of a page they reject.
"""

from __future__ import annotations

import warnings
from collections.abc import Sequence

from presscut.baselines.registry import baseline
from presscut.baselines.segment_linefilter import LineFilterSegmenter, need
from presscut.schema import is_blank


def repeated(elements: Sequence[str]) -> list[bool]:
    """Gopher's duplicate count, per element: True where an element equals an earlier one."""
    seen: set[str] = set()
    out = []
    for e in elements:
        out.append(e in seen)
        seen.add(e)
    return out


def duplicate_fractions(elements: Sequence[str], text_len: int) -> tuple[float, float]:
    """(duplicate element fraction, duplicate character fraction) from :func:`repeated`."""
    marks = repeated(elements)
    if not elements:
        return 0.0, 0.0
    dup_chars = sum(len(e) for e, m in zip(elements, marks) if m)
    return sum(marks) / len(elements), dup_chars / text_len if text_len else 0.0


# a peer through its own library, on the default board: setup.sh installs `presscut[peers]`
@baseline("segmentation", "peer-gopher", order=61, extras=("peers",))
class GopherLineFilter(LineFilterSegmenter):
    """datatrove ``GopherQualityFilter`` per line + Gopher's duplicate-line rule."""

    name = "peer-gopher"
    library = "datatrove"

    def __init__(self, drop_repeats: bool = True, page_rules: bool = False):
        self.drop_repeats = drop_repeats
        self.page_rules = page_rules

    def describe(self) -> str:
        rules = "page rules on" if self.page_rules else "page rules off"
        return (f"{super().describe()} GopherQualityFilter per line (word-count bounds off) "
                f"+ duplicate-line rule; {rules}")

    def _filters(self):
        if not hasattr(self, "_quality"):
            gq = need("datatrove.pipeline.filters.gopher_quality_filter")
            gr = need("datatrove.pipeline.filters.gopher_repetition_filter")
            self._quality = gq.GopherQualityFilter(min_doc_words=None, max_doc_words=None)
            self._page = (gq.GopherQualityFilter(), gr.GopherRepetitionFilter())
            self._document = need("datatrove.data").Document
            self._verdicts: dict[str, bool] = {}
        return self._quality, self._page, self._document

    def _line_ok(self, line: str, i: int) -> bool:
        if line in self._verdicts:  # boilerplate repeats across pages: tokenize it once
            return self._verdicts[line]
        quality, _, Document = self._filters()
        try:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore", RuntimeWarning)  # mean of no words
                ok = quality.filter(Document(text=line, id=str(i))) is True
        except ZeroDivisionError:  # the library divides by the word count
            ok = False
        if len(self._verdicts) < 200_000:
            self._verdicts[line] = ok
        return ok

    def keep(self, lines: list[str]) -> list[bool]:
        _, page_filters, Document = self._filters()
        stripped = [line.strip() for line in lines]
        content = [i for i, line in enumerate(lines) if not is_blank(line)]
        rep = repeated([stripped[i] for i in content]) if self.drop_repeats else [False] * len(content)
        kept = [False] * len(lines)
        for i, r in zip(content, rep):
            kept[i] = not r and self._line_ok(stripped[i], i)
        if self.page_rules and any(kept):
            page = Document(text="\n".join(lines), id="page")
            if any(f.filter(page) is not True for f in page_filters):
                kept = [False] * len(lines)
        return kept
