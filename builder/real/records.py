"""A source page → one ``real`` record (or a refusal with its reason)."""

from __future__ import annotations

from dataclasses import dataclass

from presscut.builder.real import align as aligning
from presscut.builder.real import convert
from presscut.builder.real.source import SourcePage, sha256
from presscut.curation.silver import normalise_line
from presscut.errors import PresscutError
from presscut.harness.metrics import words as word_list
from presscut.schema import ROLES, exact_repeats, segmentation_row

# How many non-blank lines may stand between the headline line and the first body line (a
# byline, a date, a share box, a reading time, an audio player). Read on 2026-12-07: of the
# 20 fundus pages whose headline line has four or five lines between, 19 show the headline
# there; the other (de/SZ_2023_04_28) shows another wording, and its matching line is in
# ``SourcePage.not_headlines``
HEADLINE_GAP = 5
# A line that ends with the headline shows it behind a kicker ("Premiere in Eisenhüttenstadt -
# DDR-Hotel Lunik öffnet…", "Kultur : Ehrengast…"): kickers are short, so at most this many
# words may come before the headline's, and fewer than the headline has. A breadcrumb ends
# in the headline too ("Startseite Debatte Berliner Imam…", "Home Watu 18 wanaswa…", "Start /
# Ausland / EU und Indien…": six such lines on the fundus pages, 2026-12-07); it starts at
# the site's home, and is not the headline line
KICKER_WORDS = 6
BREADCRUMB_ROOTS = frozenset({"home", "startseite", "start"})


def shows_headline(got: list[str], headline_words: list[str]) -> bool:
    """Whether a line of words ``got`` is the headline, punctuation and case aside, or a
    kicker and then the headline (not a breadcrumb)."""
    extra = len(got) - len(headline_words)
    return (bool(headline_words) and 0 <= extra <= KICKER_WORDS
            and (extra == 0 or (extra < len(headline_words) and got[0] not in BREADCRUMB_ROOTS))
            and got[extra:] == headline_words)


def headline_lines(lines: list[str], roles: list[str], headline: str,
                   not_headlines: tuple[str, ...] = ()) -> list[int]:
    """The lines that show the article's headline, top first: the nearest line above the
    first body line that shows it (``shows_headline``: its words are the headline's,
    punctuation and case aside, maybe after a kicker), when at most ``HEADLINE_GAP``
    non-blank lines lie between them and none of those is another wording of it (half its
    words or more: the page shows a headline that differs from the metadata's, and which
    line is the shown one cannot be told); then each line showing it at most
    ``HEADLINE_GAP`` lines above the last one found (a page that prints its headline twice,
    as the synthetic pages' double headers do: a repeated headline is still ``title``).
    Empty when there is no such line: the page labels no title. ``not_headlines``: lines
    that show the headline's words but were read not to be the headline (a metadata title
    above the headline the page shows); they count as lines between.

    A copy further up (a teaser list, a metadata line above the navigation) or below the
    body's start (a share box, related links) stays boilerplate: titling it would stretch
    the article's span over the navigation or the footer, and lines outside every article
    are boilerplate."""
    want = word_list(headline)
    words = set(want)
    skip = {normalise_line(t) for t in not_headlines}
    first = next(i for i, r in enumerate(roles) if r == "body")
    found: list[int] = []
    between = 0
    for i in range(first - 1, -1, -1):
        if roles[i] == "blank":
            continue
        if not skip or normalise_line(lines[i]) not in skip:
            got = word_list(lines[i])
            if shows_headline(got, want):
                found.append(i)
                between = 0
                continue
            if not found and words and len(words & set(got)) * 2 >= len(words):
                return []
        between += 1
        if between > HEADLINE_GAP:
            break
    return found[::-1]


def shown_headline_lines(lines: list[str], roles: list[str], shown: tuple[str, ...]) -> list[int] | None:
    """The lines of a headline read by hand (``SourcePage.shown_headlines``): for each of
    its texts, the nearest line above the first body line that is it (``normalise_line``),
    and each copy of that line at most ``HEADLINE_GAP`` non-blank lines above the last one
    found (a double header, as ``headline_lines`` takes one). None when a text is not there."""
    first = next(i for i, r in enumerate(roles) if r == "body")
    keys = [normalise_line(line) for line in lines[:first]]
    found: set[int] = set()
    for text in shown:
        want = normalise_line(text)
        at = [i for i in range(first) if keys[i] == want and i not in found]
        if not at:
            return None
        got = [at[-1]]
        for i in reversed(at[:-1]):
            between = sum(1 for j in range(i + 1, got[-1]) if roles[j] != "blank")
            if between > HEADLINE_GAP:
                break
            got.append(i)
        found.update(got)
    return sorted(found)


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
    titles = headline_lines(lines, roles, page.headline, page.not_headlines) if page.headline else []
    if page.shown_headlines:
        if titles:
            # a reading kept beside a rule that now decides the page would go stale unseen
            raise PresscutError(f"{page.doc_id}: the headline rule titles line {titles[0] + 1}, "
                                "so its hand-read headline line is not needed: remove it")
        titles = shown_headline_lines(lines, roles, page.shown_headlines)
        if titles is None:
            raise PresscutError(f"{page.doc_id}: a hand-read headline line is not above the "
                                "body of the converted page (the converter changed?)")
    for at in titles:
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
