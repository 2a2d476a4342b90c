"""The builder: determinism, the committed Parquet is current, leakage-free splits, gold sanity."""

from __future__ import annotations

import json
import re
import shutil
from pathlib import Path

import pyarrow.parquet as pq

from presscut.annotations import Article, Page
from presscut.builder.build import build
from presscut.builder.corpus import load_corpus
from presscut.builder.splits import assign_splits
from presscut.schema import GOLD_CONFIGS, ROLES, SPLITS

ROOT = Path(__file__).resolve().parent.parent


def _parquet_bytes(splits: Path) -> dict[str, bytes]:
    return {
        str(p.relative_to(splits)): p.read_bytes()
        for p in sorted(splits.rglob("*"))
        if p.is_file()
        and p.parent.name in GOLD_CONFIGS
        or p.name in ("manifest.json", "build_report.json")
    }


def test_two_builds_are_byte_identical(project_copy, tmp_path):
    first = build(project_copy)
    a = _parquet_bytes(project_copy / "splits")
    other = tmp_path / "again"
    # the real config is kept from the output folder (its raw sources are not here)
    shutil.copytree(project_copy / "splits" / "real", other / "real")
    build(project_copy, out_dir=other)
    build(project_copy, out_dir=other)  # rebuilding over its own output changes nothing
    b = _parquet_bytes(other)
    assert a.keys() == b.keys() and len(a) == 4 * 3 + 2 + 1  # + real/manifest.json
    assert a == b
    assert first.rows["pages"] == {
        s: len(pq.read_table(project_copy / "splits" / "pages" / f"{s}.parquet")) for s in SPLITS
    }


def test_a_build_into_a_fresh_folder_keeps_the_projects_assignment(project_copy, tmp_path):
    """Pages keep the split they were given: a build into a folder with no manifest of its
    own reads the project's committed one (it had re-derived them, so a rebuild elsewhere
    moved 24 CleanPortalEval pages of the real config)."""
    from presscut.builder.build import previous_dir

    manifest = project_copy / "splits" / "manifest.json"
    doc = json.loads(manifest.read_text(encoding="utf-8"))
    alone = sorted(d for d, g in doc["groups"].items()
                   if list(doc["groups"].values()).count(g) == 1)[0]
    moved = next(s for s in SPLITS if s != doc["pages"][alone])
    doc["pages"][alone] = moved
    manifest.write_text(json.dumps(doc), encoding="utf-8")
    fresh = tmp_path / "fresh"
    shutil.copytree(project_copy / "splits" / "real", fresh / "real")
    build(project_copy, out_dir=fresh, synthetic=False)
    assert json.loads((fresh / "manifest.json").read_text())["pages"][alone] == moved
    # a folder with its own manifest keeps its own
    assert previous_dir(project_copy, fresh, "manifest.json") == fresh
    assert previous_dir(project_copy, tmp_path / "empty", "real/manifest.json") == \
        project_copy / "splits"


def test_committed_splits_are_current(project_copy):
    """The Parquet committed under splits/ is exactly what the builder makes now."""
    build(project_copy)
    fresh = _parquet_bytes(project_copy / "splits")
    committed = _parquet_bytes(ROOT / "splits")
    stale = sorted(k for k in fresh if committed.get(k) != fresh[k])
    assert not stale, f"committed splits are stale, run `presscut build`: {stale}"


def _split_texts() -> dict[str, list[tuple[str, str]]]:
    manifest = json.loads((ROOT / "splits" / "manifest.json").read_text())["pages"]
    out: dict[str, list[tuple[str, str]]] = {s: [] for s in SPLITS}
    for page in load_corpus(ROOT).pages:
        out[manifest[page.doc_id]].append((page.doc_id, page.text))
    return out


def _norm(text: str) -> str:
    return " ".join(re.findall(r"\w+", text.casefold()))


def test_no_test_sentence_in_train_or_validation():
    texts = _split_texts()
    assert texts["test"], "the test split is empty"
    seen = " || ".join(_norm(t) for s in ("train", "validation") for _, t in texts[s])
    for doc_id, text in texts["test"]:
        for sentence in re.split(r"(?<=[.!?”\"])\s+|\n", text):
            words = _norm(sentence)
            if len(words.split()) >= 5:
                assert words not in seen, f"{doc_id}: test sentence leaks: {sentence[:80]!r}"


def test_no_article_cluster_straddles_splits():
    manifest = json.loads((ROOT / "splits" / "manifest.json").read_text())["pages"]
    split_of_cluster: dict[str, str] = {}
    for page in load_corpus(ROOT).pages:
        for a in page.articles:
            split = manifest[page.doc_id]
            assert split_of_cluster.setdefault(a.dup_cluster, split) == split, a.dup_cluster


def _page(doc_id: str, text: str, cluster: str) -> Page:
    lines = text.split("\n")
    return Page(
        doc_id=doc_id,
        text=text,
        sha256="",
        roles=["body"] * len(lines),
        articles=[Article(0, 0, len(lines), cluster, "s")],
    )


def test_assignment_keeps_published_splits_and_joins_leaky_pages():
    pages = [
        _page(f"p{i}", f"unique sentence number {i} about nothing at all.", f"c{i}")
        for i in range(10)
    ]
    pages.append(_page("q0", "a page that reuses the cluster of p3 but not its words.", "c3"))
    pages.append(_page("q1", "unique sentence number 7 about nothing at all.", "other"))
    first = assign_splits(pages)
    assert first["q0"] == first["p3"] and first["q1"] == first["p7"]
    assert set(first.values()) == set(SPLITS)
    # publish, then add pages: nothing published moves
    more = pages + [
        _page(f"n{i}", f"brand new text for page {i} here today.", f"n{i}") for i in range(6)
    ]
    second = assign_splits(more, first)
    assert {d: second[d] for d in first} == first
    assert assign_splits(more, first) == second  # deterministic


def test_gold_exact_duplicate_groups_are_complete():
    """Independent check of the gold files: identical non-blank lines share an exact group."""
    for page in load_corpus(ROOT).pages:
        group = page.dup_group_of_line()
        by_text: dict[str, list[int]] = {}
        for i, line in enumerate(page.lines):
            if line.strip():
                by_text.setdefault(line.strip(), []).append(i)
        for _text, idx in by_text.items():
            if len(idx) > 1:
                assert len({group[i] for i in idx}) == 1 and group[idx[0]] >= 0, (page.doc_id, idx)


def test_gold_roles_cover_every_line():
    for page in load_corpus(ROOT).pages:
        assert len(page.roles) == len(page.lines)
        assert all(r in ROLES for r in page.roles)
        assert all((r == "blank") == (not line.strip()) for r, line in zip(page.roles, page.lines))
