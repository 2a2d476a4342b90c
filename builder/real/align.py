"""Carry a source's gold main text over to the lines of the converted page.

The rule (documented in ``dataset_card.md``):

1. Page and gold are tokenised the way the benchmark scores them: Unicode ``\\w+`` runs of
   the casefolded text.
2. The gold word sequence is aligned to the page word sequence by a longest common
   subsequence (rapidfuzz ``LCSseq.opcodes``, linear-memory bit-parallel, deterministic).
3. Only *runs* count: a page word is covered when it lies in an aligned run of at least
   ``MIN_RUN`` consecutive words (equal in both sequences). Single stop words that the LCS
   picks up in menus ("the", "news") therefore do not make a menu line body.
4. **Partly covered lines**: a line is ``body`` when at least ``MIN_LINE_SHARE`` of its
   words are covered; otherwise it is boilerplate. A line with no words (punctuation
   only) is body when both neighbouring word-bearing lines are body (a "* * *" inside the
   article), else boilerplate.
5. Detached fragments: content lines are grouped into clusters, a new cluster starting
   after more than ``MAX_GAP`` non-blank boilerplate lines. A cluster other than the one
   holding the most covered words, holding under ``DETACHED_SHARE`` of them, is
   boilerplate: it is a teaser, a menu entry or a repeated headline that the alignment
   matched first, far from the article. When the same line (same text) sits just before
   or inside the main cluster, that copy takes the dropped line's role instead.
6. Heading lines: where the source marks headings in its gold (CleanEval's ``<h>``), a
   body line most of whose covered words come from a marked heading gets role ``title``.
7. Coverage = the share of gold words that fall in counted runs on the lines finally
   labelled body or title. A page under
   ``MIN_COVERAGE`` is refused (the converter renders a different text from the one the
   gold was cut from, or the gold is not on the page); so is a page whose gold has fewer
   than ``MIN_GOLD_WORDS`` words.
"""

from __future__ import annotations

from dataclasses import dataclass, field

# the scorer's own tokens: reconstruction F1 is then the body metric users are scored on
from presscut.harness.metrics import words
from presscut.schema import is_blank

MIN_RUN = 4
MIN_LINE_SHARE = 0.5
MIN_COVERAGE = 0.9
MIN_GOLD_WORDS = 20
MAX_GAP = 20
DETACHED_SHARE = 0.1


@dataclass
class Alignment:
    roles: list[str]  # per line: title / body / boilerplate / blank
    coverage: float  # share of gold words on the page in counted runs
    gold_words: int
    refused: str | None = None  # reason, when the page cannot be labelled
    covered_share: list[float] = field(default_factory=list)  # per line


def align(
    lines: list[str],
    gold_segments: list[tuple[str, str]],
) -> Alignment:
    """Roles for ``lines`` from the gold text, given as ``(kind, text)`` segments in page
    order; ``kind`` is ``"h"`` for a heading the source marks, anything else for body."""
    from rapidfuzz.distance import LCSseq

    page_words: list[str] = []
    owner: list[int] = []
    for i, line in enumerate(lines):
        ws = words(line)
        page_words += ws
        owner += [i] * len(ws)
    gold_words: list[str] = []
    gold_is_head: list[bool] = []
    for kind, text in gold_segments:
        ws = words(text)
        gold_words += ws
        gold_is_head += [kind == "h"] * len(ws)
    n_gold = len(gold_words)
    blank = [is_blank(x) for x in lines]
    if n_gold < MIN_GOLD_WORDS:
        roles = ["blank" if b else "boilerplate" for b in blank]
        return Alignment(roles, 0.0, n_gold, f"gold body has {n_gold} words (< {MIN_GOLD_WORDS})")

    n_words = [0] * len(lines)
    covered = [0] * len(lines)
    head_words = [0] * len(lines)
    for w in owner:
        n_words[w] += 1
    for op in LCSseq.opcodes(page_words, gold_words):
        if op.tag != "equal" or op.src_end - op.src_start < MIN_RUN:
            continue
        for k in range(op.src_end - op.src_start):
            line = owner[op.src_start + k]
            covered[line] += 1
            head_words[line] += gold_is_head[op.dest_start + k]
    share = [covered[i] / n_words[i] if n_words[i] else 0.0 for i in range(len(lines))]
    roles = []
    for i in range(len(lines)):
        if blank[i]:
            roles.append("blank")
        elif n_words[i] == 0:
            roles.append("?")
        elif share[i] >= MIN_LINE_SHARE:
            roles.append("title" if head_words[i] * 2 > covered[i] else "body")
        else:
            roles.append("boilerplate")
    _resolve_wordless(roles)
    _drop_detached(lines, roles, covered)
    coverage = sum(covered[i] for i, r in enumerate(roles) if r in ("body", "title")) / n_gold
    refused = None
    if coverage < MIN_COVERAGE:
        refused = f"alignment coverage {coverage:.3f} < {MIN_COVERAGE} of {n_gold} gold words"
    return Alignment(roles, coverage, n_gold, refused, share)


def _resolve_wordless(roles: list[str]) -> None:
    inside = ("body", "title")
    prev = [None] * len(roles)  # role of the nearest content line above
    last = None
    for i, r in enumerate(roles):
        prev[i] = last
        if r not in ("blank", "?"):
            last = r
    nxt = None
    for i in range(len(roles) - 1, -1, -1):
        r = roles[i]
        if r == "?":
            roles[i] = "body" if prev[i] in inside and nxt in inside else "boilerplate"
        elif r != "blank":
            nxt = r


def _drop_detached(lines: list[str], roles: list[str], covered: list[int]) -> None:
    clusters: list[list[int]] = []
    gap = MAX_GAP + 1
    for i, r in enumerate(roles):
        if r in ("body", "title"):
            if gap > MAX_GAP:
                clusters.append([])
            clusters[-1].append(i)
            gap = 0
        elif r == "boilerplate":
            gap += 1
    if len(clusters) < 2:
        return
    weight = [sum(covered[i] for i in c) for c in clusters]
    total = sum(weight)
    main = max(range(len(clusters)), key=lambda k: weight[k])
    first, last = clusters[main][0], clusters[main][-1]
    # where a dropped line may reappear: up to 3 non-blank lines before the article, or in it
    lo, seen = first, 0
    while lo > 0 and seen < 3:
        lo -= 1
        seen += roles[lo] != "blank"
    for k, c in enumerate(clusters):
        if k == main or weight[k] >= DETACHED_SHARE * total:
            continue
        for i in c:
            role, roles[i] = roles[i], "boilerplate"
            text = lines[i].strip()
            for j in range(lo, last + 1):
                if roles[j] == "boilerplate" and lines[j].strip() == text:
                    roles[j], covered[j] = role, covered[i]
                    break
