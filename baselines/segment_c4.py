"""C4's line filter (Raffel et al. 2020, §2.2) as datatrove implements it, line by line.

datatrove's ``C4QualityFilter`` loops over the lines of a document and drops each line
on its own (terminal punctuation, at least 3 words, no "javascript", no cookie/policy
phrase, no 1000-character word), so feeding it one line at a time gives exactly its
per-line verdicts; a test checks that the kept lines match the library's output on
whole pages. Its page rules (at least 5 sentences, "lorem ipsum", a curly bracket) drop
the whole document and have no per-line form: with ``page_rules=True`` a page they
reject keeps no line (off by default: they judge documents, not lines).
"""

from __future__ import annotations

from presscut.baselines.registry import baseline
from presscut.baselines.segment_linefilter import LineFilterSegmenter, need
from presscut.schema import is_blank


# a peer through its own library, on the default board: setup.sh installs `presscut[peers]`
@baseline("segmentation", "peer-c4", order=60, extras=("peers",))
class C4LineFilter(LineFilterSegmenter):
    """datatrove ``C4QualityFilter`` applied to each line; page rules optional."""

    name = "peer-c4"
    library = "datatrove"

    def __init__(self, page_rules: bool = False):
        self.page_rules = page_rules

    def describe(self) -> str:
        rules = "line rules + page rules" if self.page_rules else "line rules; page rules off"
        return f"{super().describe()} C4QualityFilter, {rules}"

    def _filters(self):
        if not hasattr(self, "_line_filter"):
            c4 = need("datatrove.pipeline.filters.c4_filters")
            # min_num_sentences=-1 and no page rules: the filter then only drops lines.
            self._line_filter = c4.C4QualityFilter(min_num_sentences=-1,
                                                   filter_lorem_ipsum=False,
                                                   filter_curly_bracket=False)
            self._page_filter = c4.C4QualityFilter()
            self._document = need("datatrove.data").Document
        return self._line_filter, self._page_filter, self._document

    def keep(self, lines: list[str]) -> list[bool]:
        line_filter, page_filter, Document = self._filters()
        kept = []
        for i, line in enumerate(lines):
            if is_blank(line):
                kept.append(False)
                continue
            doc = Document(text=line, id=str(i))
            kept.append(line_filter.filter(doc) is True and bool(doc.text))
        if self.page_rules and any(kept):
            verdict = page_filter.filter(Document(text="\n".join(lines), id="page"))
            if verdict is not True:
                kept = [False] * len(lines)
        return kept
