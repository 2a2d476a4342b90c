"""Turn a pre-labeler's raw output into a silver page that obeys every annotation rule.

A baseline segmenter does not know the annotation rules (spans from first to last
content line, article roles only inside spans, a body line per article), so its
output is repaired here rather than rejected: the curator gets a file that loads,
with each repair written as a line note to check during review.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable
from typing import Any

from presscut.annotations import Article, DupGroup, Page
from presscut.errors import PresscutError
from presscut.schema import ARTICLE_ROLES, ROLES, article_id, is_blank

# (doc_id, lines) -> {"roles": [...], "articles": [[start, end), ...]}, optionally
# "outlet" and "outlet_evidence_lines".
Prelabeler = Callable[[str, list[str]], dict[str, Any]]

REVIEW_NOTE = (
    "silver: pre-labelled by {name}; dup_cluster/story_cluster are placeholders "
    "(<doc_id>/<k>) and need review against the rest of the corpus; line duplicate groups "
    "are exact matches after normalisation only (add near copies by hand)"
)
CLUSTER_NOTE = "placeholder clusters: review dup_cluster and story_cluster"
_REPAIR_NOTE = re.compile(r" (called this non-blank line blank|said '[a-z]+' outside every article)$")


def untouched_silver_notes(page: Page) -> list[str]:
    """The pre-labeler's notes still in a label file: each one marks something not yet
    reviewed, so a file holding any of them is not ready to become gold."""
    out = []
    if page.note.startswith(REVIEW_NOTE.split("{name}")[0]):
        out.append("note: still the pre-labeler's note; replace it with what the review checked")
    for a in page.articles:
        if a.note == CLUSTER_NOTE:
            out.append(f"article {page.article_id(a.k)}: placeholder-cluster note untouched "
                       "(set dup_cluster and story_cluster against the corpus, then drop the note)")
    for i, note in sorted(page.line_notes.items()):
        if _REPAIR_NOTE.search(note):
            out.append(f"line {i}: pre-labeler repair note {note[:60]!r} untouched (check the "
                       "line's role, then drop the note)")
    return out

_SPACES = re.compile(r"\s+")
_INVISIBLE = dict.fromkeys(map(ord, "\u200b\u200c\u200d\u2060\ufeff"))


def normalise_line(line: str) -> str:
    """Key under which two lines count as the same text (case, width, spacing ignored)."""
    text = unicodedata.normalize("NFKC", line).translate(_INVISIBLE)
    return _SPACES.sub(" ", text).strip().casefold()


def line_duplicate_groups(lines: list[str]) -> list[DupGroup]:
    """Groups of non-blank lines whose normalised text is identical.

    A group is ``exact`` when the stripped raw lines are equal (the annotation rule
    for ``exact``) and ``near`` when only normalisation made them equal.
    """
    by_key: dict[str, list[int]] = {}
    for i, line in enumerate(lines):
        if not is_blank(line):
            by_key.setdefault(normalise_line(line), []).append(i)
    groups = []
    for members in by_key.values():
        if len(members) < 2:
            continue
        same = len({lines[i].strip() for i in members}) == 1
        groups.append(DupGroup(lines=members, kind="exact" if same else "near"))
    return sorted(groups, key=lambda g: g.lines[0])


_BY = re.compile(r"^(by|von|par|por|di|door)\s+", re.IGNORECASE)


def _byline(lines: list[str], roles: list[str], start: int, end: int) -> str | None:
    """The author named on the article's first byline line, without the "By" lead-in."""
    for i in range(start, end):
        if roles[i] == "byline":
            return _BY.sub("", lines[i].strip()) or None
    return None


def _bad_output(doc_id: str, name: str, what: str) -> PresscutError:
    return PresscutError(f"pre-labeler {name} returned unusable output for {doc_id}: {what}")


def _spans(raw_articles, n: int, doc_id: str, name: str) -> list[tuple[int, int]]:
    spans = []
    for j, span in enumerate(raw_articles or []):
        try:
            start, end = (int(x) for x in span)
        except (TypeError, ValueError):
            raise _bad_output(doc_id, name, f"articles[{j}] = {span!r} is not [start, end]") from None
        spans.append((max(0, start), min(n, end)))
    return sorted(spans)


def silver_page(
    doc_id: str, text: str, sha256: str, output: dict[str, Any], *, name: str = "pre-labeler"
) -> Page:
    """A valid ``silver`` Page from a pre-labeler's output, repairs noted per line."""
    lines = text.split("\n")
    n = len(lines)
    roles = output.get("roles") if isinstance(output, dict) else None
    if not isinstance(roles, list) or len(roles) != n:
        got = len(roles) if isinstance(roles, list) else type(roles).__name__
        raise _bad_output(doc_id, name, f"'roles' must list one role per line ({n}), got {got}")
    for i, role in enumerate(roles):
        if role not in ROLES:
            raise _bad_output(doc_id, name, f"line {i}: unknown role {role!r}")

    line_notes: dict[int, str] = {}
    roles = list(roles)
    for i, line in enumerate(lines):
        if is_blank(line):
            roles[i] = "blank"
        elif roles[i] == "blank":
            roles[i] = "boilerplate"
            line_notes[i] = f"{name} called this non-blank line blank"

    # Spans: trim to content lines, cut overlaps, keep only those with a body line.
    kept: list[tuple[int, int]] = []
    for start, end in _spans(output.get("articles"), n, doc_id, name):
        if kept:
            start = max(start, kept[-1][1])
        while start < end and is_blank(lines[start]):
            start += 1
        while end > start and is_blank(lines[end - 1]):
            end -= 1
        if start < end and any(roles[i] == "body" for i in range(start, end)):
            kept.append((start, end))

    inside = [False] * n
    for start, end in kept:
        inside[start:end] = [True] * (end - start)
    for i, role in enumerate(roles):
        if role in ARTICLE_ROLES and not inside[i]:
            roles[i] = "boilerplate"
            line_notes[i] = f"{name} said {role!r} outside every article"

    articles = [
        Article(
            k=k,
            start_line=start,
            end_line=end,
            dup_cluster=article_id(doc_id, k),
            story_cluster=article_id(doc_id, k),
            byline=_byline(lines, roles, start, end),
            note=CLUSTER_NOTE,
        )
        for k, (start, end) in enumerate(kept)
    ]
    outlet = output.get("outlet")
    evidence = [i for i in output.get("outlet_evidence_lines") or [] if 0 <= i < n]
    if not (isinstance(outlet, str) and outlet and evidence):
        outlet, evidence = None, []
    return Page(
        doc_id=doc_id,
        text=text,
        sha256=sha256,
        roles=roles,
        articles=articles,
        dup_groups=line_duplicate_groups(lines),
        outlet=outlet,
        outlet_evidence_lines=evidence,
        provenance="silver",
        note=REVIEW_NOTE.format(name=name),
        line_notes=line_notes,
    )
