"""Synthetic pages: valid labels, the promised layouts, graded edits, story instances and
their cluster sizes, determinism, streaming."""

from __future__ import annotations

import hashlib
import random
import re
from collections import Counter, defaultdict
from statistics import mean

import pyarrow.parquet as pq
import pytest
from datasets import Dataset
from rapidfuzz import fuzz

from presscut.annotations import page_to_yaml, parse_page
from presscut.builder.parquet_stream import write_rows
from presscut.builder.pools import CleanArticle, builtin_pools
from presscut.builder.story_instances import StoryTemplate, Variants, instance_rng
from presscut.builder.synth import (
    Fillers,
    SyntheticGenerator,
    edit_article,
    split_sentences,
    synthetic_row,
)
from presscut.builder.synth_write import write_synthetic
from presscut.schema import ROLES, SYNTHETIC_FEATURES, is_blank

N_PAGES = 400


@pytest.fixture(scope="module")
def pools():
    return builtin_pools()


@pytest.fixture(scope="module")
def pages(pools):
    gen = SyntheticGenerator(pools.articles, pools.boilerplate, seed=11)
    return [gen.page(f"syn-11-{n}", n) for n in range(N_PAGES)]


@pytest.fixture(scope="module")
def gen11(pools):
    return SyntheticGenerator(pools.articles, pools.boilerplate, seed=11)


def test_every_page_passes_the_gold_validator(pages, tmp_path):
    # the annotation parser is the project's own rule book; synthetic labels must obey it
    for sp in pages[:150]:
        path = tmp_path / f"{sp.page.doc_id}.yaml"
        path.write_text(page_to_yaml(sp.page), encoding="utf-8")
        back = parse_page(path, sp.page.text, sp.page.sha256)
        assert back.roles == sp.page.roles
        assert [(a.start_line, a.end_line) for a in back.articles] == [
            (a.start_line, a.end_line) for a in sp.page.articles
        ]


def test_rows_match_schema_and_spans_index_the_text(pages):
    rows = [synthetic_row(sp) for sp in pages[:50]]
    ds = Dataset.from_list(rows, features=SYNTHETIC_FEATURES)
    assert ds.features == SYNTHETIC_FEATURES
    for row in rows:
        assert row["text"].split("\n") == row["lines"]
        assert len(row["roles"]) == len(row["lines"]) == len(row["article_index"])
        assert not row["text"].endswith("\n")
        for k, span in enumerate(row["articles"]):
            chunk = row["text"][span["start_char"] : span["end_char"]]
            assert chunk == "\n".join(row["lines"][span["start_line"] : span["end_line"]])
            assert row["article_ids"][k] == f"{row['doc_id']}/{k}"
        for i, line in enumerate(row["lines"]):
            assert (ROLES[row["roles"][i]] == "blank") == is_blank(line)


def test_layouts_promised_by_the_design_all_occur(pages):
    seen = defaultdict(int)
    for sp in pages:
        lines, roles, layout = sp.page.lines, sp.page.roles, sp.layout
        blank = [line for line in lines if is_blank(line)]
        if "separators:none" in layout:
            assert not blank
            seen["no blank lines"] += 1
        if "separators:nbsp" in layout and blank:
            assert all(line == "\u00a0" for line in blank)
            seen["nbsp separators"] += 1
        for a in sp.page.articles:
            if f"a{a.k}:title_caption_block_twice" not in layout:
                continue
            span = range(a.start_line, a.end_line)
            titles = [lines[i] for i in span if roles[i] == "title"]
            assert len(titles) == 2 and titles[0] == titles[1]
            caps = [lines[i] for i in span if roles[i] == "caption"]
            if caps:
                seen["headline+caption block twice"] += 1
                assert len(caps) % 4 == 0
        emails = [lines[i] for i, r in enumerate(roles) if r == "byline" and "@" in lines[i]]
        if emails:
            assert re.search(r"\[\w+@\w+\.com\]$", emails[0])
            seen["byline with e-mail"] += 1
        if len(sp.page.articles) == 2:
            a, b = sp.page.articles
            assert a.story_cluster != b.story_cluster
            assert a.end_line <= b.start_line
            seen["second unrelated article"] += 1
        if "cut_off" in layout:
            last = sp.page.articles[-1]
            assert last.end_line == len(lines)  # nothing after the cut
            assert roles[-1] == "body"
            seen["cut off"] += 1
        for a in sp.page.articles:
            if f"a{a.k}:donation_appeal_inside_body" in layout:
                assert "boilerplate" in roles[a.start_line : a.end_line]
                seen["appeal inside body"] += 1
        if {"TT", "s", "lock icon"} & set(lines):
            seen["stray widget tokens"] += 1
        if any(a.startswith("template:portal") for a in layout):
            seen["breadcrumbs and print tools"] += 1
    expected = [
        "no blank lines",
        "nbsp separators",
        "headline+caption block twice",
        "byline with e-mail",
        "second unrelated article",
        "cut off",
        "appeal inside body",
        "stray widget tokens",
        "breadcrumbs and print tools",
    ]
    assert [k for k in expected if seen[k] == 0] == []


def test_duplicate_groups_are_complete_and_correctly_typed(pages):
    for sp in pages:
        lines = sp.page.lines
        grouped = sp.page.dup_group_of_line()
        for g in sp.page.dup_groups:
            texts = {lines[i].strip() for i in g.lines}
            if g.kind == "exact":
                assert len(texts) == 1
            else:
                assert len(texts) > 1
                # near copies share most of their text (caption + credit, headline + site)
                base = min(texts, key=len)
                assert all(fuzz.partial_ratio(base, t) >= 90 for t in texts)
        # independent completeness check: identical non-blank lines always share a group
        by_text = defaultdict(list)
        for i, line in enumerate(lines):
            if not is_blank(line):
                by_text[line.strip()].append(i)
        for members in by_text.values():
            if len(members) > 1:
                assert len({grouped[i] for i in members}) == 1 and grouped[members[0]] >= 0


def _shingles(text: str, n: int = 4) -> set[tuple[str, ...]]:
    words = text.split()
    return {tuple(words[i : i + n]) for i in range(max(1, len(words) - n + 1))}


def _jaccard(a: str, b: str) -> float:
    sa, sb = _shingles(a), _shingles(b)
    return len(sa & sb) / len(sa | sb)


def test_edit_levels_are_graded(pages, gen11):
    by_level = defaultdict(list)
    for sp in pages:
        for a, level in zip(sp.page.articles, sp.edit_levels):
            original = "\n".join(gen11.instance_article(a.dup_cluster).paragraphs)
            body = sp.page.body(a)
            if level == 0:
                assert body == original  # an exact copy, only the page around it differs
            else:
                assert body != original
            s, o = _shingles(body), _shingles(original)
            by_level[level].append(len(s & o) / len(s | o))
    means = [mean(by_level[level]) for level in range(4)]
    assert means[0] == 1.0
    assert means[0] > means[1] > means[2] > means[3] > 0.3, means


def test_clusters_follow_the_pool(pages, pools):
    # dup cluster = (instance, pool article); story cluster = (instance, pool story)
    story = {a.id: a.story_key for a in pools.articles}
    for sp in pages:
        for a in sp.page.articles:
            pool_id, _, key = a.dup_cluster.removeprefix("dup:").rpartition("#")
            assert a.story_cluster == f"story:{story[pool_id]}#{key}"


def test_many_story_instances_with_realistic_cluster_sizes(pools, tmp_path):
    write_synthetic(tmp_path, {"train": 1, "validation": 1, "test": 1000}, seed=0, pools=pools)
    table = pq.read_table(tmp_path / "test.parquet", columns=["dup_clusters", "story_clusters"])
    dup, story, dups_of_story = Counter(), Counter(), defaultdict(set)
    for ds, ss in zip(table.column(0).to_pylist(), table.column(1).to_pylist()):
        for d, s in zip(ds, ss):
            dup[d] += 1
            story[s] += 1
            dups_of_story[s].add(d)
    # the test split holds about 9 pool stories; instances make hundreds of stories
    assert 6 <= len({s.rpartition("#")[0] for s in story}) <= 12
    assert len(story) >= 200 and len(dup) >= 400
    sizes = sorted(dup.values())
    assert sizes[len(sizes) // 2] <= 2  # most texts are scraped once or twice
    assert sum(1 for n in sizes if n <= 5) >= 0.95 * len(sizes)
    assert 1.2 <= mean(sizes) <= 3 and max(sizes) <= 20
    # stories gather several outlets' articles, not only copies of one
    multi = sum(1 for d in dups_of_story.values() if len(d) >= 2)
    assert multi >= 0.3 * len(story)


def test_instances_of_one_template_are_not_near_duplicates(gen11):
    rng = random.Random(0)
    between, level3 = [], []
    for art in gen11.articles:
        for r in range(4):
            a = gen11.instance_article(f"dup:{art.id}#a{r}")
            b = gen11.instance_article(f"dup:{art.id}#b{r}")
            text_a = "\n".join(a.paragraphs)
            between.append(_jaccard(text_a, "\n".join(b.paragraphs)))
            paras, _ = edit_article(rng, a, 3, gen11.fillers)
            level3.append(_jaccard(text_a, "\n".join(paras)))
    assert mean(between) < 0.6 * mean(level3), (mean(between), mean(level3))
    assert sorted(between)[int(0.95 * len(between))] < mean(level3)


def test_an_instance_rewrites_its_story_consistently():
    quote = "“We will not reopen Kestrel Bridge,” said engineer Ilse Brandt on Monday."
    arts = [
        CleanArticle(
            id="x-1",
            title="Kestrel Bridge shut",
            byline="Marta Oyelaran",
            paragraphs=("The city of Port Alder closed Kestrel Bridge on Monday.", quote, "p3."),
            story="s",
        ),
        CleanArticle(
            id="x-2",
            title="Port Alder detours",
            paragraphs=(f"About 40,000 drivers face detours in Port Alder. {quote}", "p2.", "p3."),
            story="s",
        ),
    ]
    template = StoryTemplate("s", arts, Variants.load())
    assert {"Kestrel", "Alder", "Ilse", "Brandt", "Marta", "Oyelaran"} <= set(template.entities)
    assert not {"The", "About", "Port", "Bridge", "Monday"} & set(template.entities)

    class Keep(random.Random):  # never drops a paragraph
        def random(self):
            return 0.999

    def render(key):
        mapping = template.mapping(instance_rng(0, "s", key))
        return [template.render(a, mapping, key, Keep()) for a in arts]

    one, two = render("1"), render("2")
    quote_1 = one[0].paragraphs[1]
    assert one[1].paragraphs[0].endswith(" " + quote_1)  # the wire quote is shared
    for name in ("Kestrel", "Ilse", "Brandt", "Alder", "Monday", "40,000"):
        assert name not in quote_1 + one[1].paragraphs[0]
    assert one[0].paragraphs[0].startswith("The ") and " Port " in one[0].paragraphs[0]
    assert one[0].byline != "Marta Oyelaran" and one[0].story == "s#1"
    # the headline gets the names the body got
    assert one[0].title.split()[0] == one[0].paragraphs[0].split()[-4]
    assert quote_1 != two[0].paragraphs[1]


def test_same_seed_same_page_other_seed_other_page(pools):
    g1 = SyntheticGenerator(pools.articles, pools.boilerplate, seed=5)
    g2 = SyntheticGenerator(list(reversed(pools.articles)), pools.boilerplate, seed=5)
    g3 = SyntheticGenerator(pools.articles, pools.boilerplate, seed=6)
    texts3 = []
    for n in range(20):
        a, b = g1.page(f"d{n}"), g2.page(f"d{n}")
        assert synthetic_row(a) == synthetic_row(b)
        texts3.append(g3.page(f"d{n}").page.text == a.page.text)
    assert not all(texts3)


def _digest(path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def test_writer_is_byte_identical_and_splits_are_disjoint(pools, tmp_path):
    sizes = {"train": 120, "validation": 30, "test": 30}
    r1 = write_synthetic(tmp_path / "a", sizes, seed=3, pools=pools, batch_size=25)
    write_synthetic(tmp_path / "b", sizes, seed=3, pools=pools, batch_size=25)
    write_synthetic(tmp_path / "c", sizes, seed=4, pools=pools, batch_size=25)
    for split in sizes:
        assert _digest(tmp_path / "a" / f"{split}.parquet") == _digest(
            tmp_path / "b" / f"{split}.parquet"
        )
        assert _digest(tmp_path / "a" / f"{split}.parquet") != _digest(
            tmp_path / "c" / f"{split}.parquet"
        )
        assert r1["splits"][split]["pages"] == sizes[split]

    tables = {s: pq.read_table(tmp_path / "a" / f"{s}.parquet") for s in sizes}
    assert (
        tables["train"].schema.remove_metadata()
        == SYNTHETIC_FEATURES.arrow_schema.remove_metadata()
    )
    ids = [i for t in tables.values() for i in t.column("doc_id").to_pylist()]
    assert len(ids) == len(set(ids))

    stories = {
        s: {c for cs in t.column("story_clusters").to_pylist() for c in cs}
        for s, t in tables.items()
    }
    assert not stories["test"] & (stories["train"] | stories["validation"])
    assert not stories["validation"] & stories["train"]

    # no sentence of a test page's articles appears in a train/validation page
    # (inserted filler sentences are shared on purpose, possibly with a word substituted)
    fillers = Fillers.load().inserted_sentences

    def sentences(table):
        out = set()
        for lines, roles in zip(
            table.column("lines").to_pylist(), table.column("roles").to_pylist()
        ):
            for line, r in zip(lines, roles):
                if ROLES[r] == "body":
                    out |= {s for s in split_sentences(line) if len(s.split()) >= 5}
        return {s for s in out if max(fuzz.ratio(s, f) for f in fillers) < 85}

    assert not sentences(tables["test"]) & (
        sentences(tables["train"]) | sentences(tables["validation"])
    )


def test_write_rows_streams_in_batches(pools, tmp_path):
    gen = SyntheticGenerator(pools.articles, pools.boilerplate, seed=1)
    pulled = []

    def rows():
        for n in range(23):
            pulled.append(n)
            yield synthetic_row(gen.page(f"x{n}"))

    seen_at_batch = []
    write_rows(
        tmp_path / "t.parquet",
        SYNTHETIC_FEATURES,
        rows(),
        batch_size=5,
        on_batch=lambda k: seen_at_batch.append(len(pulled)),
    )
    # the generator is consumed one batch at a time, never all up front
    assert seen_at_batch == [5, 10, 15, 20, 23]
    assert pq.ParquetFile(tmp_path / "t.parquet").metadata.num_row_groups == 5
