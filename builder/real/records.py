"""A source page → one ``real`` record (or a refusal with its reason)."""

from __future__ import annotations

from dataclasses import dataclass

from presscut.builder.real import align as aligning
from presscut.builder.real import convert
from presscut.builder.real.source import SourcePage, sha256
from presscut.curation.silver import normalise_line
from presscut.harness.metrics import words as word_list
from presscut.schema import ROLES, exact_repeats, segmentation_row

# How many non-blank lines may stand between the headline line and the first body line.
# fundus's titles come from the page's metadata: on some pages (DieWelt, FAZ, SZ, ZDF) the
# line that matches is a <title>-like line above the navigation, and the headline the page
# shows is another line (kicker and headline) just above the byline. A match further up
# than a kicker, a dek and a byline is more often that metadata line than the headline.
HEADLINE_GAP = 3


def headline_lines(lines: list[str], roles: list[str], headline: str) -> list[int]:
    """The lines that show the article's headline, top first: the nearest line above the
    first body line whose text is the headline (``normalise_line``: case, width, spacing
    aside), when at most ``HEADLINE_GAP`` non-blank lines lie between them and none of
    those is another wording of it (half its words or more: the page shows a headline that differs from the
    metadata's, and which line is the shown one cannot be told); then each copy of it at
    most ``HEADLINE_GAP`` lines above the last one found (a page that prints its headline
    twice, as the synthetic pages' double headers do: a repeated headline is still
    ``title``). Empty when there is no such line: the page labels no title.

    A copy further up (a teaser list, a metadata line above the navigation) or below the
    body's start (a share box, related links) stays boilerplate: titling it would stretch
    the article's span over the navigation or the footer, and lines outside every article
    are boilerplate."""
    want = normalise_line(headline)
    words = set(word_list(want))
    first = next(i for i, r in enumerate(roles) if r == "body")
    found: list[int] = []
    between = 0
    for i in range(first - 1, -1, -1):
        if roles[i] == "blank":
            continue
        text = normalise_line(lines[i])
        if text == want:
            found.append(i)
            between = 0
            continue
        if not found and words and len(words & set(word_list(text))) * 2 >= len(words):
            return []
        between += 1
        if between > HEADLINE_GAP:
            break
    return found[::-1]


@dataclass
class Outcome:
    doc_id: str
    row: dict | None
    refused: str | None
    coverage: float


def record(page: SourcePage, *, out_of_source: bool = False) -> Outcome:
    if page.refused:
        return Outcome(page.doc_id, None, page.refused, 0.0)
    conv = convert.convert(page.html)
    lines = conv.text.split("\n")
    if not conv.text.strip():
        return Outcome(page.doc_id, None, "the converter renders no text for the page", 0.0)
    al = aligning.align(lines, list(page.gold))
    if al.refused:
        return Outcome(page.doc_id, None, al.refused, al.coverage)
    roles = al.roles
    if not any(r == "body" for r in roles):
        return Outcome(page.doc_id, None, "no line aligns as body", al.coverage)
    labelled = set(page.labelled_roles)
    for at in headline_lines(lines, roles, page.headline) if page.headline else ():
        roles[at] = "title"
        labelled.add("title")
    content = [i for i, r in enumerate(roles) if r in ("body", "title")]
    start, end = content[0], content[-1] + 1
    row = {
        **segmentation_row(page.doc_id, lines, roles, [(start, end)], exact_repeats(lines),
                           "imported"),
        "sha256": sha256(conv.text.encode("utf-8")),
        "source": {"corpus": page.corpus, "page_id": page.page_id, "url": page.url},
        "licence": page.licence,
        "labelled_roles": sorted(ROLES.index(r) for r in labelled),
        "converter": conv.converter,
        "html_sha256": sha256(page.html),
        "gold_body": page.gold_text(),
        "alignment_coverage": round(al.coverage, 4),
        "out_of_source": out_of_source,
        "note": page.note,
    }
    return Outcome(page.doc_id, row, None, al.coverage)


def import_rows(pages, report: dict):
    """Rows of ``presscut import <source>``: every page imported or refused with its reason
    (``report["refused"]``), in the source's order."""
    refused = report.setdefault("refused", [])
    for page in pages:
        out = record(page)
        if out.row is None:
            refused.append(f"{out.doc_id}: {out.refused}")
        else:
            yield out.row


def register_import(name: str, reads: str, pages_of) -> None:
    """Register a source as a ``presscut import`` format writing ``real`` rows."""
    from presscut.builder.importers import parquet_format
    from presscut.schema import REAL_FEATURES

    parquet_format(name, reads, "real.parquet", REAL_FEATURES,
                   lambda path, report, _opts: import_rows(pages_of(path), report))
