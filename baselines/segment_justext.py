"""jusText as a reference peer: each non-blank line becomes one HTML paragraph.

jusText was built for HTML; giving it one ``<p>`` per line is the fairest plain-text
reading of it (the design's anchor, jusText ≈ 0.80 body F1, was measured with HTML in
hand). Good paragraphs → body, the rest → boilerplate, one article over the good span.
"""

from __future__ import annotations

import html
import re

from presscut.baselines.registry import baseline
from presscut.baselines.segment_common import Baseline, consistent_record
from presscut.errors import PresscutError
from presscut.schema import is_blank

_P_INDEX = re.compile(r"/p\[(\d+)\]$")


def _justext():
    try:
        import justext
    except ImportError as err:  # the module or its lxml.html.clean dependency
        raise PresscutError(
            f"seg-justext needs the 'justext' package ({err}); install it with "
            "`pip install 'presscut[justext]'` (and `pip install lxml_html_clean` "
            "with lxml >= 5.2)"
        ) from None
    return justext


@baseline("segmentation", "seg-justext", order=30, extras=("justext",),
          caveat="jusText defaults; lines under 70 chars count as short")
class JusTextSegmenter(Baseline):
    """jusText's classifier with its own defaults, over lines as paragraphs."""

    name = "seg-justext"

    def __init__(self, language: str = "English", length_low: int = 70, length_high: int = 200,
                 stopwords_low: float = 0.30, stopwords_high: float = 0.32):
        self.language = language
        self.length_low = length_low
        self.length_high = length_high
        self.stopwords_low = stopwords_low
        self.stopwords_high = stopwords_high

    def fit(self, X, y=None):  # noqa: ARG002
        _justext()  # fail at fit time, not in the middle of a run
        return self

    def describe(self) -> str:
        from presscut.baselines.segment_linefilter import library_version

        return f"jusText {library_version('jusText')}, one <p> per line"

    def predict_page(self, page: dict) -> dict:
        justext = _justext()
        lines = page["lines"]
        content = [i for i, line in enumerate(lines) if not is_blank(line)]
        roles = ["boilerplate"] * len(lines)
        if content:
            doc = "<html><body>" + "".join(
                f"<p>{html.escape(lines[i].strip())}</p>" for i in content
            ) + "</body></html>"
            paragraphs = justext.justext(
                doc.encode("utf-8"), justext.get_stoplist(self.language),
                length_low=self.length_low, length_high=self.length_high,
                stopwords_low=self.stopwords_low, stopwords_high=self.stopwords_high,
                encoding="utf-8",
            )
            # jusText may drop empty paragraphs; its xpath tells which <p> each one was.
            for p in paragraphs:
                m = _P_INDEX.search(p.xpath)
                if m and not p.is_boilerplate:
                    roles[content[int(m.group(1)) - 1]] = "body"
        return consistent_record(page["doc_id"], lines, roles)
