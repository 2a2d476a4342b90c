"""Where each hand-read fundus headline (``fundus.SHOWN_HEADLINES``) sits in its page's HTML.

For every page with a reading, finds the first ``<h1>`` (else ``<h2>``) whose text holds the
chosen line(s), letters and digits only, case aside, and prints the count per tag and the
pages in neither: the check behind the card's "the page's <h1> (63) or its article
header's <h2> (12)". Needs the fundus sources (as ``presscut build --real-sources`` reads).

    python benchmarks/fundus_headings.py SOURCES_DIR
"""

from __future__ import annotations

import argparse
from collections import Counter
from pathlib import Path

from lxml import html as lxml_html

from presscut.builder.real import fundus
from presscut.builder.real.build import FUNDUS_DIR


def key(text: str) -> str:
    # kickers are often separate spans with the colon in CSS: compare letters only
    return "".join(ch for ch in text.casefold() if ch.isalnum())


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("sources", type=Path)
    a = ap.parse_args()
    found: Counter[str] = Counter()
    neither = []
    for page in fundus.pages(a.sources / FUNDUS_DIR):
        shown = fundus.SHOWN_HEADLINES.get(page.page_id)
        if not shown:
            continue
        want = key(" ".join(shown))
        tree = lxml_html.document_fromstring(page.html.decode("utf-8", "replace"))
        for el in tree.xpath("//style|//script"):  # SZ puts CSS inside its headings
            el.drop_tree()
        tag = next((t for t in ("h1", "h2")
                    if any(want in key(h.text_content()) for h in tree.iter(t))), None)
        if tag:
            found[tag] += 1
        else:
            neither.append(page.page_id)
    print(f"{sum(found.values()) + len(neither)} pages read: the chosen line is in an <h1> on "
          f"{found['h1']}, in an <h2> on {found['h2']}, in neither on {len(neither)}")
    for page_id in neither:
        print(f"  neither: {page_id}")


if __name__ == "__main__":
    main()
