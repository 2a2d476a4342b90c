"""A rule segmenter for plain-text news pages.

Three passes, after jusText (Pomikálek 2011) but on lines instead of HTML blocks:

1. each line gets a *kind* from its own cues (widget, caption, dateline, byline,
   headline-shaped, or a body quality: good / near-good / short / bad);
2. a context pass settles short and near-good lines by their neighbours, so a short
   line between two body paragraphs is body and one between widgets is boilerplate;
3. a left-to-right pass assembles articles: a headline-shaped line opens an article
   when body or captions follow, and opens a *new* one after body has been seen when
   something separates it from the previous body (a wide gap, boilerplate, the
   headline repeated below, captions or a byline before the next body). Inside an
   article, repeats of its headline stay ``title`` — a role says what the text is.
"""

from __future__ import annotations

from presscut.baselines.registry import baseline
from presscut.baselines.segment_common import Baseline, consistent_record
from presscut.baselines.segment_cues import LineCues, line_cues, title_key, title_like

# Line kinds of the first pass.
BLANK, BOILER, CAPTION, DATELINE, BYLINE, NAME, TITLE, GOOD, NEAR, SHORT, BAD = (
    "blank", "boiler", "caption", "dateline", "byline", "name", "title",
    "good", "near", "short", "bad",
)
KINDS = (BLANK, BOILER, CAPTION, DATELINE, BYLINE, NAME, TITLE, GOOD, NEAR, SHORT, BAD)
_HEADER_KINDS = {CAPTION, DATELINE, BYLINE, NAME}


@baseline("segmentation", "seg-rules", order=40,
          caveat="cues written after reading all five gold pages, test page included: "
                 "not a held-out score")
class RuleSegmenter(Baseline):
    """Hand-written cues + jusText-style context + article assembly.

    Parameters mirror jusText's: ``length_low``/``length_high`` (characters) and
    ``stopwords_low``/``stopwords_high`` (density) grade body quality; ``lookahead`` is
    how many non-blank lines a headline may sit above its first body/caption line;
    ``min_gap_blanks`` blank lines after body separate two articles on their own.
    """

    name = "seg-rules"

    def __init__(self, length_low: int = 70, length_high: int = 200,
                 stopwords_low: float = 0.2, stopwords_high: float = 0.3,
                 lookahead: int = 12, min_gap_blanks: int = 2):
        self.length_low = length_low
        self.length_high = length_high
        self.stopwords_low = stopwords_low
        self.stopwords_high = stopwords_high
        self.lookahead = lookahead
        self.min_gap_blanks = min_gap_blanks

    # ------------------------------------------------------------ pass 1
    def _quality(self, c: LineCues) -> str:
        if c.n_chars < self.length_low and not (c.terminal and c.n_words >= 6):
            # "... ordered last": prose cut off mid-sentence, judged like near-good text
            return NEAR if c.ends_stopword and c.n_words >= 4 else SHORT
        if c.stop_density >= self.stopwords_high and (c.n_chars >= self.length_high or c.terminal):
            return GOOD
        if c.stop_density >= self.stopwords_low:
            return NEAR
        return BAD

    def line_kinds(self, cues: list[LineCues]) -> list[str]:
        kinds: list[str] = []
        in_appeal = False
        for c in cues:
            if c.blank:
                kinds.append(BLANK)
                continue
            if c.appeal_opener:
                in_appeal = True
            elif in_appeal and not c.first_person:
                in_appeal = False
            if in_appeal or c.widget or c.digits_only:
                k = BOILER
            elif c.caption or (not c.byline and (
                    (c.near_neighbour and c.n_words >= 5)
                    # alt text + caption: identical neighbours, sentence-shaped
                    or (c.copy_neighbour and c.n_words >= 5
                        and (c.full_stop or c.n_words >= 12 or not title_like(c))))):
                k = CAPTION
            elif c.date and c.n_words <= 12 and not c.terminal:
                k = DATELINE
            elif c.byline:
                k = BYLINE
            elif c.name_like:
                k = NAME
            elif title_like(c) and c.n_chars < self.length_high:
                k = TITLE
            else:
                k = self._quality(c)
            kinds.append(k)
        return kinds

    # ------------------------------------------------------------ pass 2
    def body_flags(self, kinds: list[str]) -> list[bool]:
        """jusText's context rule: settle short / near-good lines by their neighbours."""
        n = len(kinds)

        def neighbour(i: int, step: int, skip: set[str]) -> str:
            j = i + step
            while 0 <= j < n and kinds[j] in skip:
                j += step
            return kinds[j] if 0 <= j < n else BAD

        body = [k == GOOD for k in kinds]
        for i, k in enumerate(kinds):
            if k == SHORT:
                a = neighbour(i, -1, {BLANK, SHORT})
                b = neighbour(i, 1, {BLANK, SHORT})
                body[i] = {a, b} <= {GOOD, NEAR} and GOOD in {a, b}
            elif k == NEAR:
                # Captions sit inside the text, so look past them.
                a = neighbour(i, -1, {BLANK, SHORT, NEAR, CAPTION})
                b = neighbour(i, 1, {BLANK, SHORT, NEAR, CAPTION})
                body[i] = GOOD in {a, b}
        return body

    # ------------------------------------------------------------ pass 3
    def predict_page(self, page: dict, cues: list[LineCues] | None = None) -> dict:
        lines = page["lines"]
        cues = cues if cues is not None else line_cues(lines)
        kinds = self.line_kinds(cues)
        body = self.body_flags(kinds)
        norms = [title_key(x) for x in lines]
        content = [i for i, k in enumerate(kinds) if k != BLANK]
        rank = {i: r for r, i in enumerate(content)}

        def ahead(i: int) -> list[int]:
            """The next ``lookahead`` non-blank lines, not counting boilerplate (an
            appeal block may sit between a headline and its text)."""
            out: list[int] = []
            stop = min(len(content), rank[i] + 1 + 4 * self.lookahead)
            for j in content[rank[i] + 1: stop]:
                if kinds[j] != BOILER:
                    out.append(j)
                    if len(out) == self.lookahead:
                        break
            return out

        def leads_to_content(i: int) -> bool:
            """Body or a caption follows before a second other headline-shaped line.

            One other headline-shaped line may be the dek; two mean a list of links.
            """
            others = 0
            for j in ahead(i):
                if body[j] or kinds[j] == CAPTION:
                    return True
                if kinds[j] == TITLE and norms[j] != norms[i]:
                    others += 1
                    if others > 1:
                        return False
            return False

        def separated(i: int, last_body: int) -> bool:
            """Is there a sign that the headline at i starts a new article?"""
            gap = range(last_body + 1, i)
            if sum(kinds[j] == BLANK for j in gap) >= self.min_gap_blanks:
                return True
            if any(kinds[j] == BOILER for j in gap):
                return True
            for j in ahead(i):
                if body[j]:
                    return False
                if norms[j] == norms[i] or kinds[j] in _HEADER_KINDS or kinds[j] == TITLE:
                    return True  # headline repeated, or followed by a dek/byline/caption
            return False

        roles = ["boilerplate"] * len(lines)
        starts: list[int] = []
        titles: set[str] = set()
        has_title = has_body = has_dek = False
        last_body = -1

        def open_article(i: int) -> None:
            nonlocal has_title, has_body, has_dek
            starts.append(i)
            titles.clear()
            has_title = has_body = has_dek = False

        for i in content:
            k = kinds[i]
            is_open = bool(starts)
            if body[i]:
                if not is_open:
                    open_article(i)
                roles[i] = "body"
                has_body, last_body = True, i
            elif k in (TITLE, NAME):
                if is_open and norms[i] in titles:
                    roles[i] = "title"
                elif k == NAME and is_open and has_title and not has_body:
                    roles[i] = "byline"
                elif not is_open or (has_body and separated(i, last_body)):
                    if leads_to_content(i):
                        open_article(i)
                        roles[i] = "title"
                        titles.add(norms[i])
                        has_title = True
                elif not has_title:
                    roles[i] = "title"
                    titles.add(norms[i])
                    has_title = True
                elif not has_body:
                    if cues[i].n_words >= 5 and not has_dek:
                        roles[i] = "dek"
                        has_dek = True
                elif any(body[j] for j in ahead(i)):
                    roles[i] = "body"  # a subheading inside the text
            elif k in (CAPTION, DATELINE, BYLINE):
                role = {CAPTION: "caption", DATELINE: "dateline", BYLINE: "byline"}[k]
                if is_open:
                    roles[i] = role
                elif leads_to_content(i) or any(body[j] for j in ahead(i)):
                    open_article(i)
                    roles[i] = role
        return consistent_record(page["doc_id"], lines, roles, starts)
