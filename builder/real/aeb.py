"""scrapinghub/article-extraction-benchmark, as published: ``html/<id>.html.gz`` and
``ground-truth.json`` (``{id: {"articleBody": ..., "url": ...}}``).

The ground truth has no headline field, so AEB pages are labelled ``body``/``boilerplate``
only.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

from presscut.annotations import unzipped
from presscut.builder.real.records import register_import
from presscut.builder.real.source import SourcePage, need_dir, read_json, sha256
from presscut.errors import PresscutError

CORPUS = "aeb"
ROLES = ("body", "boilerplate")


def pages(folder: Path) -> Iterator[SourcePage]:
    folder = need_dir(folder, "the article-extraction-benchmark folder (html/, ground-truth.json)")
    truth_path = folder / "ground-truth.json"
    if not truth_path.is_file():
        raise PresscutError(f"{folder}: no ground-truth.json (is this the AEB repository?)")
    truth, truth_sha = read_json(truth_path)
    if not isinstance(truth, dict):
        raise PresscutError(f"{truth_path}: expected an object keyed by page id")
    for page_id in sorted(truth):
        entry = truth[page_id]
        if not isinstance(entry, dict) or not isinstance(entry.get("articleBody"), str):
            raise PresscutError(f"{truth_path}: page {page_id}: no articleBody string")
        html_path = folder / "html" / f"{page_id}.html.gz"
        if not html_path.is_file():
            raise PresscutError(f"{truth_path}: page {page_id}: missing {html_path}")
        packed = html_path.read_bytes()
        html = unzipped(html_path, packed)
        yield SourcePage(
            corpus=CORPUS,
            page_id=page_id,
            url=entry.get("url") or None,
            html=html,
            gold=tuple(("p", para) for para in entry["articleBody"].split("\n") if para.strip()),
            labelled_roles=ROLES,
            input_files=(
                (f"html/{page_id}.html.gz", sha256(packed)),
                ("ground-truth.json", truth_sha),
            ),
        )


register_import(CORPUS, "the article-extraction-benchmark folder (html/*.html.gz, ground-truth.json)", pages)
