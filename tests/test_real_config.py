"""The committed ``real`` config: reconstruction of each source's gold body, provenance on
every record, leakage-free splits, and a build without the raw sources keeps it as is.

Runs on the committed Parquet only (CI has no copy of the raw corpora).
"""

from __future__ import annotations

import json
import shutil
import statistics
from collections import defaultdict
from pathlib import Path

import pyarrow.parquet as pq
import pytest

from presscut.builder.real import build as real_build
from presscut.builder.real.source import LICENCES, sha256
from presscut.builder.splits import sentences
from presscut.errors import PresscutError
from presscut.harness.metrics import body_prf
from presscut.schema import PROVENANCES, REAL_FEATURES, ROLES, SPLITS

ROOT = Path(__file__).resolve().parent.parent
REAL = ROOT / "splits" / "real"
_COLUMNS = ["doc_id", "lines", "roles", "articles", "provenance", "sha256", "source",
            "licence", "labelled_roles", "gold_body", "out_of_source", "converter"]


@pytest.fixture(scope="module")
def rows():
    return {
        s: pq.read_table(REAL / f"{s}.parquet", columns=_COLUMNS).to_pylist() for s in SPLITS
    }


def _all(rows):
    return [r for s in SPLITS for r in rows[s]]


def test_reconstruction_f1_per_source(rows):
    """Body + heading lines rebuilt from the labels reproduce the source's own gold body."""
    f1 = defaultdict(list)
    for r in _all(rows):
        rebuilt = "\n".join(
            line for line, role in zip(r["lines"], r["roles"]) if ROLES[role] in ("body", "title")
        )
        f1[r["source"]["corpus"]].append(body_prf(r["gold_body"], rebuilt)[2])
    macro = {c: statistics.mean(v) for c, v in f1.items()}
    assert len(macro) >= 4
    assert all(m >= 0.97 for m in macro.values()), macro
    # the figures the card shows (from the manifest) are these
    sources = json.loads((REAL / real_build.MANIFEST).read_text(encoding="utf-8"))["sources"]
    for c, m in macro.items():
        assert sources[c]["reconstruction_f1"] == pytest.approx(m, abs=1e-4), c


def test_size_sources_and_provenance(rows):
    every = _all(rows)
    assert len(every) >= 2000
    assert len({r["source"]["corpus"] for r in every}) >= 4
    imported = PROVENANCES.index("imported")
    for r in every:
        assert r["provenance"] == imported
        assert r["licence"] == LICENCES[r["source"]["corpus"]]
        assert r["source"]["page_id"] and r["doc_id"] == f"{r['source']['corpus']}/{r['source']['page_id']}"
        assert r["sha256"] == sha256("\n".join(r["lines"]).encode("utf-8"))
        assert r["converter"].startswith("resiliparse")
        used = {ROLES[x] for x in r["roles"]} - {"blank"}
        assert used <= {ROLES[x] for x in r["labelled_roles"]}, r["doc_id"]
        (span,) = r["articles"]
        content = [i for i, x in enumerate(r["roles"]) if ROLES[x] in ("body", "title")]
        assert (span["start_line"], span["end_line"]) == (content[0], content[-1] + 1)
        text = "\n".join(r["lines"])
        assert text[span["start_char"] : span["end_char"]].startswith(r["lines"][content[0]])


def test_out_of_source_corpus_is_test_only(rows):
    held = {r["source"]["corpus"] for r in _all(rows) if r["out_of_source"]}
    assert held == {real_build.OUT_OF_SOURCE}
    for split in ("train", "validation"):
        assert not any(r["source"]["corpus"] in held for r in rows[split])
    # every other source is split three ways inside itself
    for corpus in {r["source"]["corpus"] for r in _all(rows)} - held:
        for split in SPLITS:
            assert any(r["source"]["corpus"] == corpus for r in rows[split]), (corpus, split)


def test_no_test_body_sentence_in_train_or_validation(rows):
    def body_sentences(split):
        out = set()
        for r in rows[split]:
            body = "\n".join(x for x, role in zip(r["lines"], r["roles"]) if ROLES[role] == "body")
            out |= sentences(body)
        return out

    seen = body_sentences("train") | body_sentences("validation")
    leaked = [s for s in body_sentences("test") if s in seen and len(s.split()) >= 8]
    assert leaked == []


def test_manifest_accounts_for_every_input_and_lists_refusals():
    doc = json.loads((REAL / real_build.MANIFEST).read_text(encoding="utf-8"))
    built = set(doc["pages"])
    refused = {r["doc_id"] for r in doc["refused"]}
    assert built.isdisjoint(refused) and all(r["reason"] for r in doc["refused"])
    for corpus, stats in doc["sources"].items():
        assert stats["imported"] == sum(1 for d in built if d.startswith(f"{corpus}/"))
    # every input file is listed once with a sha256
    lines = (REAL / real_build.INPUTS).read_text(encoding="utf-8").splitlines()
    assert len(lines) == len(set(lines)) >= len(built) + len(refused)
    assert all(len(x.split("  ")[0]) == 64 for x in lines)
    assert not any(real_build.RESERVED in x for x in lines)


def test_build_without_sources_keeps_the_config(tmp_path):
    out = tmp_path / "splits"
    shutil.copytree(REAL, out / "real")
    kept = real_build.keep(out)
    assert kept.rows == {s: pq.read_metadata(REAL / f"{s}.parquet").num_rows for s in SPLITS}
    assert sorted(p.name for p in (out / "real").iterdir()) == sorted(p.name for p in REAL.iterdir())
    # an edited file is refused, not silently re-published
    (out / "real" / "test.parquet").write_bytes(b"not parquet")
    with pytest.raises(PresscutError, match="test.parquet"):
        real_build.keep(out)


def test_features_are_the_schema(rows):
    assert pq.read_schema(REAL / "train.parquet").names == list(REAL_FEATURES)


def test_a_publishers_pages_stay_in_one_split(rows):
    """fundus names each page's publisher; its boilerplate is on all its pages, so a
    publisher in two splits would teach a model its test pages' debris."""
    where = defaultdict(set)
    for split in SPLITS:
        for r in rows[split]:
            if r["source"]["corpus"] == "fundus":
                # <country>/<Publisher>_<yyyy>_<mm>_<dd>, read here without the importer
                where[r["source"]["page_id"].rsplit("_", 3)[0]].add(split)
    assert len(where) >= 100
    assert {p: s for p, s in where.items() if len(s) > 1} == {}


def _row(doc_id: str, words: str, url: str | None = None) -> dict:
    body = ROLES.index("body")
    return {"doc_id": doc_id, "lines": [words], "roles": [body], "gold_body": words,
            "source": {"url": url}}


def test_leakage_groups_join_the_pages_of_a_named_site():
    from presscut.builder.real.splits import leakage_groups

    rows = [_row("s/a", "apples grow on trees in the orchard behind the old barn"),
            _row("s/b", "the council voted to close the bridge for repairs next spring"),
            _row("s/c", "a storm cut power to thousands of homes along the coast")]
    assert len(set(leakage_groups(rows).values())) == 3
    groups = leakage_groups(rows, {"s/a": "s/X", "s/c": "s/X"})
    assert groups["s/a"] == groups["s/c"] == "s/a"
    assert groups["s/b"] == "s/b"
