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
from presscut.builder.real.source import SourcePage, gold_pairs, read_utf8, sha256, url_in_html

CORPUS = "dragnet"
ROLES = ("body", "boilerplate")
# the separator as it occurs (typos included): "!@#$%^&*()  COMMENTS", "!@ $%^&*()  COMMENTS"
_COMMENTS = re.compile(r"^[\s!@#$%^&*()]*COMMENTS\s*$", re.MULTILINE)


def article_part(gold: str) -> str:
    m = _COMMENTS.search(gold)
    return gold[: m.start()] if m else gold


def pages(folder: Path) -> Iterator[SourcePage]:
    for gold_path, gold_bytes, html in gold_pairs(folder, "the dragnet_data folder (input/, GoldStandard/)"):
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
                (f"input/{gold_path.stem}.html", sha256(html)),
                (f"GoldStandard/{gold_path.name}", sha256(gold_bytes)),
            ),
        )


register_import(CORPUS, "the dragnet_data folder (input/<id>.html, GoldStandard/<id>.txt)", pages)
