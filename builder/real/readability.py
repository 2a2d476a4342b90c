"""Mozilla Readability's test pages as the merged mirror publishes them: ``input/<id>.html``
(the page) and ``GoldStandard/<id>.txt`` (Readability's expected output, an HTML fragment).

The expected HTML is rendered with the same converter as the page, so gold and page text
agree on whitespace and entities. Readability's expectations mark no headline, so roles
are ``body``/``boilerplate``. 27 test pages are unit-test fixtures written in lorem ipsum
(``base-url``, ``rtl-1``…), not pages from the web: they are refused.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

from presscut.builder.real import convert
from presscut.builder.real.records import register_import
from presscut.builder.real.source import SourcePage, gold_pairs, sha256, url_in_html

CORPUS = "readability"
ROLES = ("body", "boilerplate")


def pages(folder: Path) -> Iterator[SourcePage]:
    for gold_path, gold_bytes, html in gold_pairs(folder, "the readability folder (input/, GoldStandard/)"):
        text = convert.html_to_text(convert.decode(gold_bytes))
        paras = [line for line in text.split("\n") if line.strip()]
        fixture = "lorem ipsum" in text.casefold()
        yield SourcePage(
            corpus=CORPUS,
            page_id=gold_path.stem,
            url=url_in_html(html),
            html=html,
            gold=tuple(("p", p) for p in paras),
            labelled_roles=ROLES,
            input_files=(
                (f"input/{gold_path.stem}.html", sha256(html)),
                (f"GoldStandard/{gold_path.name}", sha256(gold_bytes)),
            ),
            refused="a unit-test fixture in lorem ipsum, not a page from the web" if fixture else None,
        )


register_import(CORPUS, "Readability's test pages (input/<id>.html, GoldStandard/<id>.txt)", pages)
