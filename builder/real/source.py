"""What every source importer yields, and the helpers the importers share."""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from presscut.errors import PresscutError

# Every published corpus this package imports, with the terms it is published under.
# (Read from each source's own files or home page; see dataset_card.md, "Licensing".)
LICENCES = {
    "aeb": "MIT (scrapinghub/article-extraction-benchmark LICENSE)",
    "cleaneval": "CleanEval shared task data: research use (terms of the CleanEval organisers)",
    "dragnet": "AGPL-3.0 (seomoz/dragnet_data, per its original README)",
    "cleanportaleval": "no licence stated (ppke-nlpg/CleanPortalEval); research use, cite Endrédy & Novák 2013",
    "readability": "Apache-2.0 (mozilla/readability test pages)",
    "fundus": "MIT (flairNLP/fundus LICENSE; the pages are publishers' pages kept as its parser test fixtures)",
}


@dataclass(frozen=True)
class SourcePage:
    """One page as a source publishes it: its HTML bytes and its gold main text.

    ``gold`` is a list of ``(kind, text)`` segments in page order; ``kind`` is ``"h"``
    for a heading the source marks, ``"p"`` otherwise. ``input_files`` are the files read
    (relative to the source folder) for the checksum manifest.
    """

    corpus: str
    page_id: str
    url: str | None
    html: bytes
    gold: tuple[tuple[str, str], ...]
    labelled_roles: tuple[str, ...]
    input_files: tuple[tuple[str, str], ...]  # (relative path, sha256)
    # why the page cannot be a real test page, when the importer can tell up front
    refused: str | None = None
    # the site (publisher) the source says the page is from, where it says so: a site's
    # pages share its boilerplate, so the split keeps each named site in one split
    site: str | None = None
    # the article's headline as the source records it, where the source's gold leaves it
    # out of the body: the record labels the line that shows it ``title`` (records.py)
    headline: str | None = None
    # lines that show the headline's words but were read not to be the headline line
    # (records.headline_lines)
    not_headlines: tuple[str, ...] = ()
    # the headline line(s) the page shows, read by hand where the rule finds none (another
    # wording of the headline, or more lines between it and the body): records.record
    # labels them ``title``
    shown_headlines: tuple[str, ...] = ()
    # a doubt about this page's gold found by reading it (the record's ``note``)
    note: str = ""

    @property
    def doc_id(self) -> str:
        return f"{self.corpus}/{self.page_id}"

    @property
    def licence(self) -> str:
        return LICENCES[self.corpus]

    def gold_text(self) -> str:
        return "\n".join(t for _, t in self.gold)


def sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def read_json(path: Path) -> tuple[object, str]:
    """A source's JSON file and its sha256 (for the checksum manifest), refused in one line
    when it does not parse."""
    import json

    data = path.read_bytes()
    try:
        return json.loads(data), sha256(data)
    except (json.JSONDecodeError, UnicodeDecodeError) as err:
        raise PresscutError(f"{path}: not valid JSON ({err})") from None


def need_dir(path: Path, what: str) -> Path:
    path = Path(path)
    if not path.is_dir():
        raise PresscutError(f"{path}: expected {what}")
    return path


def gold_pairs(folder: Path, what: str) -> Iterator[tuple[Path, bytes, bytes]]:
    """The merged cleaning datasets' layout: ``input/<id>.html`` beside
    ``GoldStandard/<id>.txt``. Yields (gold path, gold bytes, html bytes) in name order, so
    every importer of that layout refuses a missing page the same way."""
    folder = need_dir(folder, what)
    in_dir, gold_dir = folder / "input", folder / "GoldStandard"
    for d in (in_dir, gold_dir):
        if not d.is_dir():
            raise PresscutError(f"{folder}: missing sub-folder {d.name}/")
    for gold_path in sorted(gold_dir.glob("*.txt"), key=lambda p: p.name):
        html_path = in_dir / f"{gold_path.stem}.html"
        if not html_path.is_file():
            raise PresscutError(f"{gold_path}: no input page {html_path.name}")
        yield gold_path, gold_path.read_bytes(), html_path.read_bytes()


def read_utf8(path: Path, data: bytes | None = None) -> str:
    """Gold files are UTF-8; a few old CleanEval/Dragnet files carry stray bytes, which are
    replaced (U+FFFD) rather than refused: the HTML side is decoded the same tolerant way."""
    data = path.read_bytes() if data is None else data
    return data.decode("utf-8", errors="replace").replace("\r\n", "\n").replace("\r", "\n")


_CANONICAL = re.compile(
    rb"""<link[^>]+rel=["']?canonical["']?[^>]*href=["']([^"'>]+)["']"""
    rb"""|<link[^>]+href=["']([^"'>]+)["'][^>]*rel=["']?canonical"""
    rb"""|<meta[^>]+property=["']og:url["'][^>]*content=["']([^"'>]+)["']""",
    re.IGNORECASE,
)


def url_in_html(html: bytes) -> str | None:
    """The page's own URL where its HTML states one (canonical link or og:url)."""
    m = _CANONICAL.search(html)
    if not m:
        return None
    raw = next(g for g in m.groups() if g)
    url = raw.decode("utf-8", errors="replace").strip()
    return url if url.startswith(("http://", "https://")) else None
