"""Dragnet's data (seomoz/dragnet_data) as the merged mirror publishes it:
``input/<id>.html`` and ``GoldStandard/<id>.txt``.

A gold file holds the article, then (on 416 pages) a separator line of symbols ending in
``COMMENTS``, then the page's user comments. Only the article is body: comments on the
page are boilerplate. Dragnet's gold article includes the headline and byline lines and
marks no headings, so they are ``body`` here.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

from presscut.builder.real.records import register_import
from presscut.builder.real.source import SourcePage, need_dir, read_utf8, sha256, url_in_html
from presscut.errors import PresscutError

CORPUS = "dragnet"
ROLES = ("body", "boilerplate")
# the separator as it occurs (typos included): "!@#$%^&*()  COMMENTS", "!@ $%^&*()  COMMENTS"
_COMMENTS = re.compile(r"^[\s!@#$%^&*()]*COMMENTS\s*$", re.MULTILINE)


def article_part(gold: str) -> str:
    m = _COMMENTS.search(gold)
    return gold[: m.start()] if m else gold


def pages(folder: Path) -> Iterator[SourcePage]:
    folder = need_dir(folder, "the dragnet_data folder (input/, GoldStandard/)")
    in_dir, gold_dir = folder / "input", folder / "GoldStandard"
    for d in (in_dir, gold_dir):
        if not d.is_dir():
            raise PresscutError(f"{folder}: missing sub-folder {d.name}/")
    for gold_path in sorted(gold_dir.glob("*.txt"), key=lambda p: p.name):
        html_path = in_dir / f"{gold_path.stem}.html"
        if not html_path.is_file():
            raise PresscutError(f"{gold_path}: no input page {html_path.name}")
        gold_bytes, html = gold_path.read_bytes(), html_path.read_bytes()
        article = article_part(read_utf8(gold_path, gold_bytes))
        paras = [" ".join(p.split()) for p in article.split("\n")]
        yield SourcePage(
            corpus=CORPUS,
            page_id=gold_path.stem,
            url=url_in_html(html),
            html=html,
            gold=tuple(("p", p) for p in paras if p),
            labelled_roles=ROLES,
            input_files=(
                (f"input/{html_path.name}", sha256(html)),
                (f"GoldStandard/{gold_path.name}", sha256(gold_bytes)),
            ),
        )


register_import(CORPUS, "the dragnet_data folder (input/<id>.html, GoldStandard/<id>.txt)", pages)
