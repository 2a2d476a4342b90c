"""CleanEval (cleaneval-final, cleaneval-dev) as the merged mirror publishes it:
``input/<id>.html`` and ``GoldStandard/<id>.txt``.

The gold file starts with ``URL: <url>``; its text is cut into segments each opened by a
marker, ``<p>`` (paragraph), ``<h>`` (heading) or ``<l>`` (list item). CleanEval's
annotation guidelines (Baroni, Sharoff, Kilgarriff 2007) mark the start of *every* header
with ``<h>``: section heads, blog-post and forum-post headers, a letter's "Dear Mr ...",
dates and signatures, and sometimes the headline among them (on the 356 train pages: 13
a page on average, 198 with six or more). No marker tells the headline
apart, so CleanEval labels no ``title``: a heading is main text, ``body`` (as in Dragnet's
gold, which keeps its headline), and the pages are labelled ``body``/``boilerplate``.
CleanPortalEval, in the same format but from news portals, opens the gold text of 69 of its
71 pages with one ``<h>``, the headline, and marks section heads with ``<h>`` too on 12
pages; with ``headings_are_titles`` the headings before the first paragraph are ``title``
and the later ones are section heads, ``body``, as CleanEval's are. The input page is
wrapped in ``<text id="<url>" ...>``. Pages without a gold file (cleaneval-final has 59)
are reported, not imported.
"""

from __future__ import annotations

import html as html_lib
import re
from collections.abc import Iterator
from pathlib import Path

from presscut.builder.real.records import register_import
from presscut.builder.real.source import SourcePage, gold_pairs, read_utf8, sha256

CORPUS = "cleaneval"
ROLES = ("body", "boilerplate")
_MARK = re.compile(r"<\s*([phl])\s*>", re.IGNORECASE)
_TEXT_ID = re.compile(rb"""<text[^>]*\bid=["']([^"']+)["']""", re.IGNORECASE)


def parse_gold(text: str) -> tuple[str | None, list[tuple[str, str]]]:
    """(URL, segments) of a CleanEval-format gold file."""
    url = None
    lines = text.lstrip("\n").split("\n")  # CleanPortalEval's files open with a blank line
    if lines and lines[0].startswith("URL:"):
        url = lines[0][4:].strip() or None
        lines = lines[1:]
    body = "\n".join(lines)
    parts = _MARK.split(body)
    segments: list[tuple[str, str]] = []
    lead = " ".join(parts[0].split())
    if lead:
        segments.append(("p", html_lib.unescape(lead)))
    for i in range(1, len(parts), 2):
        kind = parts[i].lower()
        seg = " ".join(html_lib.unescape(parts[i + 1]).split())
        if seg:
            segments.append(("h" if kind == "h" else "p", seg))
    return url, segments


def missing_gold(folder: Path) -> list[str]:
    """Input pages the source gives no gold for (accounted for in the build report)."""
    gold_dir = folder / "GoldStandard"
    return sorted(
        p.name
        for p in (folder / "input").glob("*.html")
        if not (gold_dir / f"{p.stem}.txt").is_file()
    )


def pages(folder: Path, corpus: str = CORPUS, prefix: str = "", roles=ROLES,
          headings_are_titles: bool = False) -> Iterator[SourcePage]:
    """``prefix`` keeps page ids unique when two collections share a corpus name
    (``final-100``, ``dev-1``); ``headings_are_titles`` labels the ``<h>`` segments before
    the first other segment ``title`` (the headline); every other segment is body text."""
    for gold_path, gold_bytes, html in gold_pairs(folder, "a CleanEval-layout folder (input/, GoldStandard/)"):
        stem = gold_path.stem
        url, segments = parse_gold(read_utf8(gold_path, gold_bytes))
        lead = 0  # the headline: the headings that open the gold text
        while headings_are_titles and lead < len(segments) and segments[lead][0] == "h":
            lead += 1
        segments = [("h" if i < lead else "p", text) for i, (_, text) in enumerate(segments)]
        if url is None:
            m = _TEXT_ID.search(html[:4096])
            url = m.group(1).decode("utf-8", "replace") if m else None
        yield SourcePage(
            corpus=corpus,
            page_id=f"{prefix}{stem}",
            url=url,
            html=html,
            gold=tuple(segments),
            labelled_roles=tuple(roles),
            input_files=(
                (f"input/{gold_path.stem}.html", sha256(html)),
                (f"GoldStandard/{gold_path.name}", sha256(gold_bytes)),
            ),
        )


register_import(CORPUS, "a CleanEval folder (input/<id>.html, GoldStandard/<id>.txt)", pages)
