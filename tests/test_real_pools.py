"""Synthetic pages learn from real train pages (#12.7): no validation/test text in the pools,
every record names the pages its text comes from and their licences, the real split is
pinned, and a synthetic test page holds text of real pages dealt to synthetic test only."""

from __future__ import annotations

import shutil
from pathlib import Path

import pyarrow.parquet as pq
import pytest

from presscut.builder import pools as pooling
from presscut.errors import PresscutError
from presscut.schema import ROLES

ROOT = Path(__file__).resolve().parent.parent
REAL = ROOT / "splits" / "real"
SYN = ROOT / "splits" / "synthetic"
SPLITS = ("train", "validation", "test")


def _norm(t: str) -> str:
    return " ".join(t.split())


def _real_lines(split: str) -> set[str]:
    col = pq.read_table(REAL / f"{split}.parquet", columns=["lines"]).column("lines")
    return {_norm(t) for lines in col.to_pylist() for t in lines if t.strip()}


@pytest.fixture(scope="module")
def pools():
    return pooling.default_pools(ROOT)


def _pool_texts(p) -> set[str]:
    out = set()
    for a in p.articles:
        out.update([a.title, *a.paragraphs, *a.captions])
    for blocks in p.boilerplate.values():
        for b in blocks:
            out.update(b)
    return {_norm(t) for t in out}


def test_pools_hold_no_text_of_real_validation_or_test_pages(pools):
    held_out = _real_lines("validation") | _real_lines("test")
    shared = _real_lines("train") & held_out
    assert shared, "expected train lines that validation/test pages also have (site chrome)"
    texts = _pool_texts(pools)
    assert not texts & held_out
    # the real pages are what the pools learn from: train text is there, minus the shared
    assert len(texts & _real_lines("train")) > 10_000
    assert any(a.origin.startswith(pooling.REAL_PREFIX) for a in pools.articles)
    assert not any(a.origin == pooling.PRESSCUT_ORIGIN for a in pools.articles)  # not default


def _row(doc_id, lines, roles, span, titles=True, licence="L1"):
    return {"doc_id": doc_id, "lines": lines, "roles": [ROLES.index(r) for r in roles],
            "articles": [{"start_line": span[0], "end_line": span[1]}],
            "labelled_roles": [ROLES.index(r) for r in
                               (("title", "body", "boilerplate") if titles else
                                ("body", "boilerplate"))],
            "licence": licence}


def test_real_pools_title_rule_blocks_and_forbidden_lines():
    rows = [
        # a source that labels titles
        _row("a/1", ["Home", "News", "", "Big headline", "First para.", "Share", "Second para.",
                     "Footer one", "", "Footer two"],
             ["boilerplate", "boilerplate", "blank", "title", "body", "boilerplate", "body",
              "boilerplate", "blank", "boilerplate"], (3, 7)),
        # no labelled titles: a short first body line without end punctuation is the title
        _row("b/1", ["Menu", "Storm hits the coast", "Rain fell.", "Wind blew.", "More wind."],
             ["boilerplate", "body", "body", "body", "body"], (1, 5), titles=False,
             licence="L2"),
        # no labelled titles and a first line that is a date: no article, boilerplate only
        _row("b/2", ["October 30, 2012", "Text one.", "Text two.", "Text three.", "Menu 2"],
             ["body", "body", "body", "body", "boilerplate"], (0, 4), titles=False),
        # the same group as b/1: a near-copy, so no second article
        _row("b/3", ["Storm hits the coast", "Rain fell.", "Wind blew.", "Other."],
             ["body", "body", "body", "body"], (0, 4), titles=False),
    ]
    p = pooling.real_pools(rows, forbidden={"Second para.", "Footer two"},
                           groups={"b/3": "b/1"})
    arts = {a.id: a for a in p.articles}
    assert set(arts) == {"real:a/1", "real:b/1"}
    assert arts["real:a/1"].title == "Big headline"
    assert arts["real:a/1"].paragraphs == ("First para.",)  # the forbidden one dropped
    assert arts["real:b/1"].title == "Storm hits the coast"
    assert arts["real:b/1"].paragraphs == ("Rain fell.", "Wind blew.", "More wind.")
    assert arts["real:b/1"].story == arts["real:a/1"].story.replace("a/1", "b/1")
    assert p.kept == {"titled": 1, "headline_rule": 1, "no_title": 1, "group_taken": 1,
                      "empty": 0}
    blocks = {kind: [tuple(b) for b in bs] for kind, bs in p.boilerplate.items()}
    # runs by position: above the article, inside it, below it (blank lines do not break a
    # run; a forbidden line is dropped from its run)
    assert ("Home", "News") in blocks["breadcrumbs"]
    assert ("Share",) in blocks["donation_appeal"]
    assert ("Footer one",) in blocks["footer"]
    assert ("Menu 2",) in blocks["footer"] and ("Menu",) in blocks["breadcrumbs"]
    assert not any("Footer two" in b for bs in blocks.values() for b in bs)
    origins = {b.origin for bs in p.boilerplate.values() for b in bs}
    assert origins == {"real:a/1", "real:b/1", "real:b/2"}
    assert p.licences == {"real:a/1": "L1", "real:b/1": "L2", "real:b/2": "L1", "real:b/3": "L1"}


def _syn_rows(split: str, columns: list[str]) -> list[dict]:
    return pq.read_table(SYN / f"{split}.parquet", columns=columns).to_pylist()


@pytest.fixture(scope="module")
def real_train():
    rows = pq.read_table(REAL / "train.parquet",
                         columns=["doc_id", "lines", "roles", "licence"]).to_pylist()
    return {r["doc_id"]: r for r in rows}


def test_every_synthetic_record_names_its_sources_and_their_licences(real_train):
    """Checked against the real pages themselves, not against the generator's bookkeeping:
    a boilerplate line found verbatim on real train pages must come from a named one, and
    an article's pool page (in its dup cluster) must be named."""
    bp = ROLES.index("boilerplate")
    where: dict[str, set[str]] = {}
    for doc_id, r in real_train.items():
        for t, role in zip(r["lines"], r["roles"]):
            if role == bp and t.strip():
                where.setdefault(_norm(t), set()).add(doc_id)
    checked = 0
    for split in SPLITS:
        for row in _syn_rows(split, ["lines", "roles", "dup_clusters", "source_pages",
                                     "licences"]):
            named = {s.removeprefix("real:") for s in row["source_pages"]
                     if s.startswith("real:")}
            assert named <= set(real_train)
            want = {real_train[d]["licence"] for d in named} | {pooling.PRESSCUT_LICENCE}
            assert want <= set(row["licences"])
            assert row["licences"] == sorted(set(row["licences"]))
            for c in row["dup_clusters"]:
                pool_id = c.removeprefix("dup:").rpartition("#")[0]
                if pool_id.startswith("real:"):
                    assert pool_id.removeprefix("real:") in named
            for t, role in zip(row["lines"], row["roles"]):
                if role == bp and _norm(t) in where:
                    # an invented line (a filler) may equal a real one by chance: "Comments"
                    assert where[_norm(t)] & named or len(t.split()) <= 3, t
                    checked += 1
    assert checked > 10_000


def test_synthetic_test_pages_hold_text_of_their_own_real_pages_only():
    seen = {s: {p for r in _syn_rows(s, ["source_pages"]) for p in r["source_pages"]
                if p.startswith("real:")} for s in SPLITS}
    assert all(seen.values())
    assert not seen["test"] & (seen["train"] | seen["validation"])
    assert not seen["validation"] & seen["train"]


def test_the_pin_refuses_a_changed_real_split(project_copy):
    pin = pooling.read_pin(project_copy)
    assert set(pin["real"]["files"]) == {f"real/{s}.parquet" for s in SPLITS}
    path = project_copy / "splits" / "real" / "test.parquet"
    table = pq.read_table(path)
    pq.write_table(table.slice(0, table.num_rows - 1), path, compression="zstd")  # a page less
    with pytest.raises(PresscutError, match="repin-synthetic") as err:
        pooling.default_pools(project_copy)
    assert any("test.parquet: changed since the pin" in p for p in err.value.problems)


def test_a_pin_without_the_real_split_is_refused_when_one_is_there(project_copy):
    import json

    path = pooling.pin_path(project_copy)
    doc = json.loads(path.read_text(encoding="utf-8"))
    del doc["real"]
    path.write_text(json.dumps(doc), encoding="utf-8")
    with pytest.raises(PresscutError, match="pins no real split"):
        pooling.default_pools(project_copy)
    shutil.rmtree(project_copy / "splits" / "real")  # no real split: the built-in pool stands in
    pools = pooling.default_pools(project_copy)
    assert any(s.startswith("builtin (no real train split") for s in pools.sources)


def test_same_inputs_give_byte_identical_parquet(tmp_path):
    from presscut.builder.synth_write import write_synthetic

    sizes = {"train": 40, "validation": 15, "test": 15}
    for out in ("a", "b"):  # fresh pools each time: nothing carried over in memory
        write_synthetic(tmp_path / out, sizes, seed=3, pools=pooling.default_pools(ROOT),
                        batch_size=16)
    for split in SPLITS:
        a = (tmp_path / "a" / f"{split}.parquet").read_bytes()
        assert a == (tmp_path / "b" / f"{split}.parquet").read_bytes()
