"""Pools: the built-in pool, clean-article JSONL validation, gold pools that never see test text."""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path

import pytest

from presscut.annotations import Article, Page, page_to_yaml, sha256_bytes
from presscut.builder.pools import (
    CleanArticle,
    builtin_pools,
    default_pools,
    load_article_pool,
    load_gold_pools,
    split_articles,
)
from presscut.errors import PresscutError

FIXTURES = Path(__file__).parent / "fixtures" / "importers"


def _write_page(root: Path, doc_id: str, lines: list[str], roles: list[str], story: str) -> None:
    text = "\n".join(lines)
    data = text.encode("utf-8")
    first = next(i for i, r in enumerate(roles) if r == "title")
    last = max(i for i, r in enumerate(roles) if r == "body")
    page = Page(
        doc_id=doc_id,
        text=text,
        sha256=sha256_bytes(data),
        roles=roles,
        articles=[Article(0, first, last + 1, f"{doc_id}-dup", story)],
    )
    (root / "corpus" / "raw").mkdir(parents=True, exist_ok=True)
    (root / "corpus" / "labels").mkdir(parents=True, exist_ok=True)
    (root / "corpus" / "raw" / f"{doc_id}.txt").write_bytes(data)
    (root / "corpus" / "labels" / f"{doc_id}.yaml").write_text(page_to_yaml(page), encoding="utf-8")


@pytest.fixture
def fake_root(tmp_path: Path) -> Path:
    shared = "Join the conversation below"  # site boilerplate on a train AND a test page
    _write_page(
        tmp_path,
        "p-train",
        [
            "Train headline about the harbour",
            "",
            "The harbour opened a new quay on Monday.",
            "Workers finished two weeks early.",
            shared,
            "Train-only footer line",
        ],
        ["title", "blank", "body", "body", "boilerplate", "boilerplate"],
        "harbour",
    )
    _write_page(
        tmp_path,
        "p-val",
        [
            "Validation headline on the orchard",
            "Apple growers expect a record crop this year.",
            "The test page quotes this sentence too.",
        ],
        ["title", "body", "body"],
        "orchard",
    )
    _write_page(
        tmp_path,
        "p-test",
        [
            "Secret test headline about comets",
            "Astronomers tracked the comet for six nights.",
            "The test page quotes this sentence too.",
            shared,
        ],
        ["title", "body", "body", "boilerplate"],
        "comet",
    )
    # a labelled page the manifest does not know: it must stay out as well
    _write_page(
        tmp_path,
        "p-new",
        ["Unplaced headline about trams", "Trams will run all night from May."],
        ["title", "body"],
        "tram",
    )
    (tmp_path / "splits").mkdir()
    (tmp_path / "splits" / "manifest.json").write_text(
        json.dumps(
            {"version": 1, "pages": {"p-train": "train", "p-val": "validation", "p-test": "test"}}
        )
    )
    return tmp_path


def _pool_texts(pools) -> set[str]:
    out = set()
    for a in pools.articles:
        out |= {a.title, *(a.paragraphs), *(a.captions)}
        out |= {t for t in (a.dek, a.byline, a.dateline) if t}
    for blocks in pools.boilerplate.values():
        for block in blocks:
            out |= set(block)
    return out


def test_no_test_page_text_enters_a_gold_pool(fake_root):
    pools = load_gold_pools(fake_root)
    texts = _pool_texts(pools)
    # the pool is not empty: train and validation material is there
    assert "The harbour opened a new quay on Monday." in texts
    assert "Apple growers expect a record crop this year." in texts
    assert ("Train-only footer line",) in pools.boilerplate["learned"]
    # nothing that appears on the test page (or an unplaced page), even when a train page has it too
    for doc_id in ("p-test", "p-new"):
        page_lines = (fake_root / "corpus" / "raw" / f"{doc_id}.txt").read_text().split("\n")
        assert not {line for line in page_lines if line.strip()} & texts
    assert {a.story for a in pools.articles} == {"gold:harbour", "gold:orchard"}


def test_default_pools_with_gold_never_hold_test_text(fake_root):
    pools = default_pools(fake_root)
    test_lines = (fake_root / "corpus" / "raw" / "p-test.txt").read_text().split("\n")
    assert not set(test_lines) & _pool_texts(pools)
    assert len(pools.articles) == len(builtin_pools().articles) + 2


def test_without_manifest_no_gold_page_is_used(fake_root):
    (fake_root / "splits" / "manifest.json").unlink()
    pools = load_gold_pools(fake_root)
    assert pools.articles == [] and pools.boilerplate == {}


def test_builtin_pool_has_stories_worth_clustering():
    pools = builtin_pools()
    assert 100 <= len(pools.articles) <= 200
    sizes = Counter(a.story for a in pools.articles if a.story)
    assert sum(1 for n in sizes.values() if n >= 3) >= 25
    assert all(
        pools.boilerplate.get(k) for k in ("donation_appeal", "comment_widget", "widget_tokens")
    )


def test_article_jsonl_is_validated_with_file_and_line(tmp_path):
    good = load_article_pool(FIXTURES / "articles.jsonl")
    assert [a.id for a in good.articles] == ["x1", "x2"]
    assert good.articles[1].captions == ("Visitors on the dam wall.",)
    with pytest.raises(PresscutError) as err:
        load_article_pool(FIXTURES / "bad_articles.jsonl")
    text = err.value.render()
    assert "bad_articles.jsonl:2" in text and "title" in text and "paragraphs" in text

    bad = tmp_path / "p.jsonl"
    bad.write_text('{"id": "a", "title": "T", "paragraphs": ["x"]}\n{"id": "a", "title"\n')
    with pytest.raises(PresscutError, match=r"p\.jsonl:2: not valid JSON"):
        load_article_pool(bad)
    bad.write_text('{"id": "a", "title": "T", "paragraphs": ["x"]}\n' * 2)
    with pytest.raises(PresscutError, match=r"p\.jsonl:2: article id 'a' appears twice"):
        load_article_pool(bad)


def test_split_articles_deals_whole_stories():
    arts = [
        CleanArticle(id=f"s{s}-{i}", title="t", paragraphs=("p",), story=f"story{s}")
        for s in range(10)
        for i in range(3)
    ] + [CleanArticle(id="lone", title="t", paragraphs=("p",))]
    parts = split_articles(arts, {"train": 0.6, "validation": 0.2, "test": 0.2})
    assert sorted(a.id for p in parts.values() for a in p) == sorted(a.id for a in arts)
    stories = {s: {a.story_key for a in p} for s, p in parts.items()}
    assert all(len(v) >= 2 for v in stories.values())
    assert not (
        stories["train"] & stories["test"]
        or stories["train"] & stories["validation"]
        or stories["validation"] & stories["test"]
    )
    # the deal does not depend on input order
    again = split_articles(list(reversed(arts)), {"train": 0.6, "validation": 0.2, "test": 0.2})
    assert {s: {a.id for a in p} for s, p in again.items()} == {
        s: {a.id for a in p} for s, p in parts.items()
    }


def test_gold_articles_never_feed_synthetic_test_pages(fake_root, tmp_path):
    import pyarrow.parquet as pq

    from presscut.builder.synth_write import write_synthetic

    pools = default_pools(fake_root)
    sizes = {"train": 60, "validation": 20, "test": 40}
    write_synthetic(tmp_path / "syn", sizes, seed=2, pools=pools, batch_size=16)
    clusters = {
        s: {
            c
            for cs in pq.read_table(tmp_path / "syn" / f"{s}.parquet", columns=["dup_clusters"])
            .column(0)
            .to_pylist()
            for c in cs
        }
        for s in sizes
    }
    assert not [c for c in clusters["test"] if c.startswith("dup:gold:")]
    assert [c for c in clusters["train"] | clusters["validation"] if c.startswith("dup:gold:")]


def test_builtin_pool_is_original_text():
    # the built-in pool must not quote the gold corpus (some of it is test text)
    root = Path(__file__).resolve().parent.parent
    corpus = {
        " ".join(line.split())
        for path in (root / "corpus" / "raw").glob("*.txt")
        for line in path.read_text(encoding="utf-8").split("\n")
        if len(line.split()) >= 3
    }
    assert corpus, "expected the raw corpus in the checkout"
    pools = builtin_pools()
    texts = {" ".join(t.split()) for t in _pool_texts(pools)}
    assert not texts & corpus


def test_pinned_pools_ignore_added_pages_and_refuse_changed_ones(project_copy):
    """#10.4: what the generator learns from gold is pinned, so a new gold page moves nothing."""
    from presscut.builder import pools as pooling
    from presscut.errors import PresscutError

    pin = pooling.read_pin(project_copy)
    assert pin is not None and pin["learn_from"]
    before = pooling.default_pools(project_copy)
    # a gold page the pin does not name: its text must not reach any pool
    raw, labels = project_copy / "corpus" / "raw", project_copy / "corpus" / "labels"
    pinned = sorted(pin["learn_from"])[0]
    from presscut.builder.corpus import load_corpus

    pages = {p.doc_id: p for p in load_corpus(project_copy, provenances=("gold",)).pages}
    unpinned = dict(pages)
    for d in [*pin["learn_from"], *pin["keep_out"]]:
        unpinned.pop(d, None)
    assert not unpinned  # the committed pin covers today's gold
    after_pages = pooling.pinned_gold_pools(project_copy, pin)
    assert [a.id for a in after_pages.articles] == [
        a.id for a in before.articles if a.id.startswith(pooling.GOLD_PREFIX)
    ]
    # a pinned page whose labels changed is refused until the pin is renewed
    path = labels / f"{pinned}.yaml"
    path.write_text(path.read_text(encoding="utf-8") + "\n# edited\n", encoding="utf-8")
    with pytest.raises(PresscutError, match="repin-synthetic") as err:
        pooling.default_pools(project_copy)
    assert err.value.problems == [f"{pinned}: label file changed since the pin"]
    assert raw.is_dir()



def test_pinned_page_refused_by_a_lenient_build_is_left_out_and_said(project_copy):
    """A draft (lenient) build goes on without a pinned page it refused, and says so;
    outside such a build the same change is an error naming the page."""
    from presscut.builder import pools as pooling
    from presscut.builder.build import build

    pin = pooling.read_pin(project_copy)
    pinned = sorted(pin["learn_from"])[0]
    (project_copy / "corpus" / "labels" / f"{pinned}.yaml").unlink()
    with pytest.raises(PresscutError) as err:
        pooling.default_pools(project_copy)
    assert err.value.problems == [f"{pinned}: pinned (learn_from) but no longer a gold page"]

    report = build(project_copy, strict=False)
    assert {p["doc_id"]: p["status"] for p in report.pages}[pinned] == "refused"
    pools = pooling.default_pools(project_copy, refused=[pinned])
    assert any(f"without refused {pinned}" in s for s in pools.sources)
    assert not any(a.id.startswith(pooling.GOLD_PREFIX) and pinned in a.id for a in pools.articles)


def test_repin_takes_a_changed_page_in_with_a_new_version(project_copy):
    import hashlib

    from presscut.builder import pools as pooling
    from presscut.builder.build import build

    old = pooling.read_pin(project_copy)
    pinned = sorted(old["learn_from"])[0]
    label = project_copy / "corpus" / "labels" / f"{pinned}.yaml"
    label.write_text(label.read_text(encoding="utf-8") + "# checked again\n", encoding="utf-8")
    with pytest.raises(PresscutError, match="repin-synthetic"):
        build(project_copy)
    build(project_copy, repin_synthetic=True)
    pin = pooling.read_pin(project_copy)
    assert pin["version"] == old["version"] + 1
    assert pin["real"] == old["real"]  # the real split did not change: same files pinned
    assert pin["learn_from"][pinned]["label_sha256"] == hashlib.sha256(label.read_bytes()).hexdigest()
    build(project_copy)  # the renewed pin is accepted as it stands
