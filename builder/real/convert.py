"""HTML → page text the way scrapers render it: one block element a line, no main-content step.

The converter is resiliparse's ``extract_plain_text`` with main-content extraction off
(what a scraper that keeps the whole page gets; picking the article is the job of the
systems under test). ``benchmarks/bench_converters.py`` measured it against inscriptis and
trafilatura's ``html2txt`` for closeness to the seed pages; the figures are in
``docs/real_pages.md``.

Byte stability: decoding uses resiliparse's own encoding detection (deterministic for the
same bytes), the options below are fixed, and the converter name and version are stored on
every record, so a changed library version is visible rather than silent.

A page that renders to no text is rendered again with ``<noscript>`` content kept. Some pages
open their body with ``<noscript><div></noscript>``: the parser (scripting off) leaves the
``<div>`` open inside the ``<noscript>``, so the whole page sits in it and is skipped, while
a browser (scripting on) shows the page. One of 1,729 extractor-fixture pages did this
(parcoabruzzo.it in trafilatura's evaluation set: 0 words, 2,141 with the retry). No page of
the real config renders empty except Dragnet's script-only R427, which stays empty, so its
records are the same; a record rendered by the retry says so in its ``converter``.
"""

from __future__ import annotations

import importlib.metadata
import re
from dataclasses import dataclass

CONVERTER = "resiliparse.extract_plain_text"
# bullets and alt texts are off: scraped text (the seeds) has neither list markers nor
# image alt strings; links/forms/noscript stay at resiliparse's defaults (off). <title> is
# skipped: CleanEval-format inputs open with a <text> wrapper, so the parser puts the
# page's <title> into the body, where no browser shows it (and <svg><title> is an icon name).
OPTIONS = {
    "preserve_formatting": True,
    "main_content": False,
    "list_bullets": False,
    "alt_texts": False,
    "skip_elements": ["title"],
}
_RETRY = {"noscript": True}  # only for a page that renders to no text (module docstring)
_TRAILING_WS = re.compile(r"[ \t]+$", re.MULTILINE)
_MANY_BLANKS = re.compile(r"\n{3,}")


def converter_version() -> str:
    return importlib.metadata.version("resiliparse")


def converter_id(noscript: bool = False) -> str:
    """What is stored on every record: converter, version and options (``noscript``: the
    page was rendered by the retry that keeps ``<noscript>`` content)."""
    options = {**OPTIONS, **_RETRY} if noscript else OPTIONS
    opts = ",".join(f"{k}={v}" for k, v in options.items())
    return f"{CONVERTER} {converter_version()} ({opts})"


def decode(data: bytes) -> str:
    """Bytes of an HTML file → str, by resiliparse's encoding detection (invalid bytes replaced)."""
    from resiliparse.parse.encoding import bytes_to_str, detect_encoding

    return bytes_to_str(data, detect_encoding(data))


def normalise(text: str) -> str:
    """Line hygiene every scraper applies: no CR, no trailing spaces, leading indentation
    (nesting depth, not content) dropped, at most one blank line in a row, no blank edges."""
    text = text.replace("\r\n", "\n").replace("\r", "\n").replace("\x00", "")
    lines = [line.strip(" \t") for line in text.split("\n")]
    text = _MANY_BLANKS.sub("\n\n", "\n".join(lines))
    return _TRAILING_WS.sub("", text).strip("\n")


def html_to_text(html: str) -> str:
    return _render(html)[0]


def _render(html: str) -> tuple[str, bool]:
    """The page text, and whether it took the ``<noscript>`` retry."""
    from resiliparse.extract.html2text import extract_plain_text

    text = normalise(extract_plain_text(html, **OPTIONS))
    if text.strip():
        return text, False
    retry = normalise(extract_plain_text(html, **OPTIONS, **_RETRY))
    return (retry, True) if retry.strip() else (text, False)


@dataclass(frozen=True)
class Converted:
    text: str
    converter: str


def convert(data: bytes | str) -> Converted:
    html = decode(data) if isinstance(data, bytes) else data
    text, retried = _render(html)
    return Converted(text, converter_id(noscript=retried))
