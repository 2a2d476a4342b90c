"""Growing the gold set never moves an earlier page or changes an earlier record.

add → (build: silver waits) → promote → build, on a private copy of the project's
corpus and committed split manifest.
"""

from __future__ import annotations

import json
from pathlib import Path

import pyarrow.parquet as pq
import pytest

from presscut.builder.build import build
from presscut.builder.splits import sentences
from presscut.curation.add import add_pages
from presscut.curation.promote import promote
from presscut.schema import GOLD_CONFIGS, PROVENANCES, SPLITS, is_blank

FIXTURES = Path(__file__).parent / "fixtures" / "curation"
KEY = {"pages": "doc_id", "segmentation": "doc_id", "articles": "article_id", "stance": "pair_id"}


def naive_prelabel(doc_id: str, lines: list[str]) -> dict:
    content = [i for i, line in enumerate(lines) if not is_blank(line)]
    roles = ["blank" if is_blank(line) else "body" for line in lines]
    roles[content[0]] = "title"
    return {"roles": roles, "articles": [[content[0], content[-1] + 1]]}


def records(root: Path) -> dict[str, dict[str, tuple[str, dict]]]:
    """config → key → (split, row) over every published Parquet file."""
    out: dict[str, dict[str, tuple[str, dict]]] = {}
    for config in GOLD_CONFIGS:
        out[config] = {}
        for split in SPLITS:
            for row in pq.read_table(root / "splits" / config / f"{split}.parquet").to_pylist():
                out[config][row[KEY[config]]] = (split, row)
    return out


def manifest(root: Path) -> dict[str, str]:
    return json.loads((root / "splits" / "manifest.json").read_text(encoding="utf-8"))["pages"]


def _leaky_page(root: Path, committed: dict[str, str], tmp_path: Path) -> tuple[Path, str]:
    """A new page that quotes one full line of an existing held-out page."""
    held_out = sorted(d for d, s in committed.items() if s != "train") or sorted(committed)
    for doc_id in held_out:
        text = (root / "corpus" / "raw" / f"{doc_id}.txt").read_text(encoding="utf-8")
        quotable = [line for line in text.split("\n") if sentences(line)]
        if quotable:
            page = tmp_path / "quotes_existing.txt"
            page.write_text(
                "Weekly press review\n" + max(quotable, key=len)
                + "\nOur editors picked this quote for the weekend edition.",
                encoding="utf-8",
            )
            return page, doc_id
    pytest.skip("no existing page has a sentence long enough to quote")


def test_adding_and_promoting_pages_keeps_earlier_splits_and_records(project_copy, tmp_path,
                                                                    review_label):
    committed = manifest(project_copy)
    build(project_copy)
    before = records(project_copy)
    synthetic = {s: (project_copy / "splits" / "synthetic" / f"{s}.parquet").read_bytes()
                 for s in SPLITS}
    assert {d: s for d, s in manifest(project_copy).items() if d in committed} == committed

    leaky, quoted = _leaky_page(project_copy, committed, tmp_path)
    added, _ = add_pages(
        [FIXTURES / "new_page.txt", leaky], project_copy, prelabel=naive_prelabel
    )
    new_ids = [a.doc_id for a in added]

    # silver pages wait for review: the published data does not move at all
    build(project_copy)
    assert records(project_copy) == before
    assert not set(new_ids) & set(manifest(project_copy))

    for doc_id in new_ids:
        review_label(project_copy / "corpus" / "labels" / f"{doc_id}.yaml", project_copy)
        promote(doc_id, project_copy, reviewed_by="A. Curator")
    build(project_copy)
    after = records(project_copy)
    splits_after = manifest(project_copy)

    # every earlier page keeps its committed split ...
    assert {d: splits_after[d] for d in committed} == committed
    # ... every earlier record is still there, byte for byte, in the same split
    for config in GOLD_CONFIGS:
        for key, (split, row) in before[config].items():
            assert after[config].get(key) == (split, row), f"{config} record {key} changed"
    # the new pages are published; the one quoting a held-out page shares its split
    assert set(new_ids) <= set(after["pages"]) and set(new_ids) <= set(splits_after)
    assert splits_after[new_ids[1]] == committed[quoted]
    assert all(after["pages"][d][1]["provenance"] == PROVENANCES.index("gold")
               for d in new_ids)
    # #10.4: the generator learns from pinned gold, so no synthetic page moved either
    for s in SPLITS:
        assert (project_copy / "splits" / "synthetic" / f"{s}.parquet").read_bytes() \
            == synthetic[s], f"synthetic {s} moved"
