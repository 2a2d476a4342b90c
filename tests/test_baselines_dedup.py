"""Article dedup and story clustering baselines on small collections built here."""

from __future__ import annotations

import json
import random

import pytest

from presscut.baselines.article_dedup import (
    ExactHashDedup,
    MinHashLSHDedup,
    TfidfAgglomerative,
    lsh_bands,
    pairwise_f1,
    s_curve,
    shingles,
    tune,
)
from presscut.baselines.registry import make, specs
from presscut.errors import PresscutError

VOCAB = [f"w{i:04d}" for i in range(3000)]


def text(rng: random.Random, n: int = 150, vocab=VOCAB) -> str:
    return " ".join(rng.choice(vocab) for _ in range(n))


def edit(body: str, rng: random.Random, n_edits: int) -> str:
    """Replace ``n_edits`` words at random positions (a small-edit copy)."""
    words = body.split()
    for pos in rng.sample(range(len(words)), n_edits):
        words[pos] = "edited" + str(pos)
    return " ".join(words)


def art(aid: str, body: str, title: str = "A title") -> dict:
    return {"article_id": aid, "title": title, "body": body}


@pytest.fixture(scope="module")
def collection():
    """Four originals, an exact re-scrape, two small-edit copies and two unrelated texts."""
    rng = random.Random(7)
    originals = [text(rng) for _ in range(4)]
    arts = [art(f"p{i}/0", b) for i, b in enumerate(originals)]
    # re-scrape: same text, different case, spacing and quote style
    arts.append(art("r0/0", "  " + originals[0].upper().replace(" ", "  \n") + " "))
    # 1–2 changed words in 150: with 5-word shingles, Jaccard stays above 0.85
    arts.append(art("e1/0", edit(originals[1], rng, 1)))
    arts.append(art("e2/0", edit(originals[2], rng, 2)))
    arts.append(art("u0/0", text(rng)))
    arts.append(art("u1/0", text(rng)))
    gold = ["a", "b", "c", "d", "a", "b", "c", "e", "f"]
    return arts, gold


def same(pred, i, j) -> bool:
    return pred[i] == pred[j]


# ----------------------------------------------------------------- contract
ESTIMATORS = [
    ExactHashDedup(),
    MinHashLSHDedup(threshold=0.7),
    TfidfAgglomerative(distance_threshold=0.3, output="dup_cluster"),
]


@pytest.mark.parametrize("est", ESTIMATORS, ids=lambda e: type(e).__name__)
def test_contract(est, collection):
    arts, _ = collection
    assert est.fit(arts) is est
    pred = est.predict_labels(arts)
    assert len(pred) == len(arts)
    assert est.predict_labels(arts) == pred  # deterministic
    records = est.predict(arts)
    assert [r["article_id"] for r in records] == [a["article_id"] for a in arts]
    field = est.get_params().get("output", "dup_cluster")
    assert all(set(r) == {"article_id", field} for r in records)
    assert est.predict_labels([]) == []


@pytest.mark.parametrize("est", ESTIMATORS, ids=lambda e: type(e).__name__)
def test_partition_does_not_depend_on_input_order(est, collection):
    arts, _ = collection
    rng = random.Random(3)
    order = list(range(len(arts)))
    rng.shuffle(order)
    a = est.fit(arts).predict_labels(arts)
    b_shuffled = est.predict_labels([arts[i] for i in order])
    b = [None] * len(arts)
    for pos, i in enumerate(order):
        b[i] = b_shuffled[pos]
    assert pairwise_f1(a, b) == 1.0


def test_exact_hash_finds_rescrape_only(collection):
    arts, _ = collection
    pred = ExactHashDedup().fit(arts).predict_labels(arts)
    assert same(pred, 0, 4)  # case/whitespace differences are normalised away
    assert not same(pred, 1, 5)  # a one-word edit is no longer exact
    assert len(set(pred)) == len(arts) - 1


def test_exact_hash_folds_typography():
    arts = [art("a/0", "He said \u201cno\u201d \u2014 twice."), art("b/0", 'He said "no" - twice.')]
    pred = ExactHashDedup().fit(arts).predict_labels(arts)
    assert pred[0] == pred[1]


@pytest.mark.parametrize(
    "est",
    [MinHashLSHDedup(threshold=0.7), TfidfAgglomerative(distance_threshold=0.3, output="dup_cluster")],
    ids=lambda e: type(e).__name__,
)
def test_near_duplicates_clustered_unrelated_separated(est, collection):
    arts, gold = collection
    pred = est.fit(arts).predict_labels(arts)
    assert same(pred, 0, 4) and same(pred, 1, 5) and same(pred, 2, 6)
    assert len({pred[i] for i in (0, 1, 2, 3, 7, 8)}) == 6
    assert pairwise_f1(gold, pred) == 1.0


def test_minhash_estimate_close_to_true_jaccard():
    rng = random.Random(11)
    a = text(rng, 300)
    b = edit(a, rng, 20)
    sa, sb = shingles(a, 5), shingles(b, 5)
    true = len(sa & sb) / len(sa | sb)
    est = MinHashLSHDedup(num_perm=256)
    ma, mb = est.signatures([art("a/0", a), art("b/0", b)])
    assert abs(ma.jaccard(mb) - true) < 0.12


def test_empty_articles_do_not_cluster_together():
    arts = [art("a/0", "", ""), art("b/0", "", ""), art("c/0", "one two three four five six")]
    for est in ESTIMATORS:
        pred = est.fit(arts).predict_labels(arts)
        assert pred[0] != pred[1], type(est).__name__


def test_story_clustering_loose_threshold():
    rng = random.Random(5)
    generic = VOCAB[:300]
    stories = [VOCAB[300 + 60 * s : 360 + 60 * s] for s in range(3)]
    arts, gold = [], []
    for s, topic in enumerate(stories):
        for k in range(3):
            words = [rng.choice(topic) if rng.random() < 0.6 else rng.choice(generic)
                     for _ in range(120)]
            arts.append(art(f"s{s}-{k}/0", " ".join(words), title=" ".join(rng.sample(topic, 5))))
            gold.append(f"story{s}")
    tight = TfidfAgglomerative(distance_threshold=0.2).fit(arts).predict_labels(arts)
    loose = TfidfAgglomerative(distance_threshold=0.85).fit(arts).predict_labels(arts)
    assert len(set(tight)) == len(arts)  # different texts: no duplicates
    assert pairwise_f1(gold, loose) == 1.0
    records = TfidfAgglomerative().predict(arts)
    assert set(records[0]) == {"article_id", "story_cluster"}


# --------------------------------------------------------------- LSH curve
def test_s_curve_formula():
    (s, p), = s_curve(2, 3, [0.5])
    assert s == 0.5 and p == pytest.approx(1 - (1 - 0.125) ** 2)
    probs = [p for _, p in s_curve(9, 13)]
    assert probs == sorted(probs)


def test_lsh_bands_fit_in_signature():
    for t in (0.5, 0.7, 0.9):
        b, r = lsh_bands(t, 128)
        assert b * r <= 128 and b >= 2
    # higher threshold → more rows per band (stricter bands)
    assert lsh_bands(0.9, 128)[1] > lsh_bands(0.5, 128)[1]
    assert "b=" in MinHashLSHDedup(threshold=0.8).describe()


def test_infeasible_lsh_is_a_clear_error():
    with pytest.raises(PresscutError, match="threshold"):
        lsh_bands(0.995, 16)


# ---------------------------------------------------------------------- tune
def test_pairwise_f1_hand_computed():
    # gold pairs {01, 23}; predicted pairs {01, 02, 12}: TP 1, FP 2, FN 1
    assert pairwise_f1(list("aabb"), list("aaab")) == pytest.approx(2 / (2 + 2 + 1))
    assert pairwise_f1(list("abc"), list("xyz")) == 1.0


def test_tune_follows_the_labels_it_is_given():
    rng = random.Random(21)
    a0, a1 = text(rng), text(rng)
    arts = [art("x/0", a0), art("y/0", a0), art("z/0", a1), art("w/0", edit(a1, rng, 15))]
    # edited copy counted as a duplicate → a low threshold wins; counted as distinct → a high one
    loose_gold = ["a", "a", "b", "b"]
    strict_gold = ["a", "a", "b", "c"]
    # 15 of 150 words edited: shingle Jaccard ≈ 0.45, TF-IDF cosine distance ≈ 0.2
    grids = {MinHashLSHDedup: [0.9, 0.7, 0.25], TfidfAgglomerative: [0.05, 0.5, 0.95]}
    for est in (MinHashLSHDedup(), TfidfAgglomerative(output="dup_cluster")):
        grid_est = grids[type(est)]
        loose = tune(est, arts, loose_gold, grid_est)
        strict = tune(est, arts, strict_gold, grid_est)
        assert loose.best_f1 == 1.0 and strict.best_f1 == 1.0
        assert loose.best != strict.best
        assert [v for v, _ in loose.scores] == grid_est
        assert loose.estimator.get_params()[loose.param] == loose.best
        assert pairwise_f1(loose_gold, loose.estimator.predict_labels(arts)) == 1.0


def test_tune_rejects_mismatched_labels(collection):
    arts, gold = collection
    with pytest.raises(PresscutError, match="gold cluster"):
        tune(MinHashLSHDedup(), arts, gold[:-1], [0.5])
    with pytest.raises(PresscutError, match="no parameter"):
        tune(ExactHashDedup(), arts, gold, [0.5])


# ---------------------------------------------------------- input and saving
def test_bad_input_names_the_record():
    with pytest.raises(PresscutError) as err:
        MinHashLSHDedup().predict_labels([art("a/0", "x"), {"article_id": "a/0", "title": 1, "body": "y"}])
    text_ = err.value.render()
    assert "record 1" in text_ and "'title'" in text_ and "appears twice" in text_


def test_save_load_roundtrip(tmp_path, collection):
    arts, _ = collection
    est = MinHashLSHDedup(threshold=0.6, num_perm=64, seed=3).fit(arts)
    path = est.save(tmp_path / "m.joblib")
    back = MinHashLSHDedup.load(path)
    assert back.get_params() == est.get_params()
    assert back.predict_labels(arts) == est.predict_labels(arts)
    assert json.loads((path / "config.json").read_text())["params"]["threshold"] == 0.6
    with pytest.raises(PresscutError, match="expected a TfidfAgglomerative"):
        TfidfAgglomerative.load(path)


def test_registry_builds_every_core_baseline(collection):
    arts, _ = collection
    for task in ("article_dedup", "story_clustering"):
        for spec in specs(task, extras=()):  # the optional (neural) peers need their extra
            est = spec.make()
            records = est.fit(arts).predict(arts)
            assert [r["article_id"] for r in records] == [a["article_id"] for a in arts]
    with pytest.raises(PresscutError, match="choose one of"):
        make("article_dedup", "nope")


# ------------------------------------------------------- data from Parquet
def _synthetic_row(doc_id: str, bodies: list[tuple[str, str, str, str]]) -> dict:
    """A synthetic page: per article a title line and a body line (id, body, dup, story)."""
    from presscut.schema import role_id

    lines, roles, spans = [], [], []
    for aid, body, _, _ in bodies:
        start = len(lines)
        lines += [f"Title of {aid}", body]
        roles += [role_id("title"), role_id("body")]
        spans.append({"start_line": start, "end_line": start + 2, "start_char": 0, "end_char": 0})
    return {
        "doc_id": doc_id, "lines": lines, "roles": roles, "article_index": [0] * len(lines),
        "dup_group": [-1] * len(lines), "articles": spans, "dup_groups": [], "provenance": 2,
        "text": "\n".join(lines), "layout": [], "article_ids": [b[0] for b in bodies],
        "dup_clusters": [b[2] for b in bodies], "story_clusters": [b[3] for b in bodies],
        "edit_level": [0] * len(bodies),
    }


def _write_config(root, config: str, split: str, rows: list[dict]) -> None:
    import pyarrow as pa
    import pyarrow.parquet as pq

    from presscut.schema import CONFIG_FEATURES

    out = root / "splits" / config
    out.mkdir(parents=True, exist_ok=True)
    schema = CONFIG_FEATURES[config].arrow_schema
    pq.write_table(pa.Table.from_pylist(rows, schema=schema), out / f"{split}.parquet")


def test_prepare_tunes_on_synthetic_validation_only(tmp_path):
    from presscut.baselines.registry import get, prepare
    from presscut.tasks._articles import read_articles

    rng = random.Random(31)
    a, b, c = text(rng), text(rng), text(rng)
    # validation: a copy with 15 of 150 words edited (Jaccard ≈ 0.45) is labelled a duplicate
    val = [("v0/0", a, "d0", "s0"), ("v1/0", edit(a, rng, 15), "d0", "s0"), ("v2/0", b, "d1", "s1")]
    # test: the same kind of copy labelled distinct; prepare must not look at it
    tst = [("t0/0", c, "d2", "s2"), ("t1/0", edit(c, rng, 15), "d3", "s2")]
    _write_config(tmp_path, "synthetic", "validation", [_synthetic_row("v", val)])
    _write_config(tmp_path, "synthetic", "test", [_synthetic_row("t", tst)])
    arts = read_articles(tmp_path, data="synthetic", splits=("validation",))
    dup = [a["dup_cluster"] for a in arts]
    assert [x["article_id"] for x in arts] == ["v0/0", "v1/0", "v2/0"]
    assert arts[1]["title"] == "Title of v1/0" and dup == ["d0", "d0", "d1"]
    est, notes = prepare(get("article_dedup", "minhash-lsh"), root=tmp_path)
    assert notes == f"threshold={est.threshold} (tuned on synthetic validation)"
    assert est.threshold <= 0.4  # the only grid values that join a Jaccard-0.45 pair
    pred = est.predict_labels(arts)
    assert pred[0] == pred[1] != pred[2]


def test_read_articles_without_a_build_is_a_clear_error(tmp_path):
    from presscut.tasks._articles import read_articles

    with pytest.raises(PresscutError, match="presscut build"):
        read_articles(tmp_path)


def test_tfidf_tree_cut_matches_sklearn_agglomerative():
    # the reference is scikit-learn's own clustering over dense TF-IDF rows; presscut builds
    # the tree once from sparse products and cuts it per threshold, and must agree exactly
    import numpy as np
    from sklearn.cluster import AgglomerativeClustering
    from sklearn.feature_extraction.text import TfidfVectorizer

    from presscut.baselines.article_dedup import article_text, normalise

    rng = random.Random(3)
    vocab = [f"w{i}" for i in range(60)]
    arts = []
    for k in range(40):
        base = rng.sample(vocab, 25)
        for c in range(rng.randint(1, 3)):
            words = [w if rng.random() > 0.15 * c else rng.choice(vocab) for w in base]
            arts.append({"article_id": f"a{k}-{c}", "title": "", "body": " ".join(words)})
    arts.append({"article_id": "empty", "title": "", "body": "the and of"})  # no usable word
    texts = [normalise(article_text(a, True)) for a in arts]
    matrix = TfidfVectorizer(ngram_range=(1, 2), sublinear_tf=True,
                             stop_words="english").fit_transform(texts)
    rows = np.flatnonzero(matrix.getnnz(axis=1) > 0)
    assert len(rows) == len(arts) - 1
    for thr in (0.1, 0.3, 0.5, 0.7, 0.9):
        ref = AgglomerativeClustering(n_clusters=None, metric="cosine", linkage="average",
                                      distance_threshold=thr).fit_predict(matrix[rows].toarray())
        got = TfidfAgglomerative(distance_threshold=thr, output="dup_cluster").fit(arts)
        got = got.predict_labels(arts)
        same_ref = {(i, j) for i in range(len(rows)) for j in range(i) if ref[i] == ref[j]}
        same_got = {(i, j) for i in range(len(rows)) for j in range(i)
                    if got[rows[i]] == got[rows[j]]}
        assert same_got == same_ref, thr
        assert sum(g == got[-1] for g in got) == 1  # the wordless article stays alone
