"""FNC-1 stance baselines and benchmark scoring, on small data written here (the FNC-1
files are not redistributable; the measured FNC-1 figures come from
``presscut baselines fnc1 PATH``)."""

from __future__ import annotations

import random
from contextlib import contextmanager

import numpy as np
import pytest
from sklearn.metrics import f1_score
from test_baselines_stance import TOPICS, _write_csv, synthetic_fnc1

from presscut.baselines import fnc1_bench
from presscut.baselines.stance import AlwaysUnrelated
from presscut.baselines.stance_official import (
    OFFICIAL_REFUTING,
    OfficialBaselineStance,
    official_features,
)
from presscut.baselines.stance_stack import StackStance, sentence_features
from presscut.errors import PresscutError
from presscut.harness import metrics
from presscut.schema import STANCES


# ------------------------------------------------------------------ official features
def test_official_features_by_hand():
    f = official_features("Hoax: cat not found", "The cat was found. Police said it was a hoax.")
    assert len(f) == 44
    # clean headline "hoax cat not found"; cleaned body "the cat was found police said it was a hoax"
    assert f[0:2] == [3.0, 3.0]  # hoax, cat, found are substrings of the body (and its start)
    # the same without stop words: "not" and "found" are in scikit-learn's list
    assert f[2:4] == [2.0, 2.0]
    # word 2-grams "hoax cat", "cat not", "not found": none in the body
    assert f[16:18] == [0.0, 0.0]
    # polarity: headline holds hoax + not (even), body holds hoax (odd)
    assert f[26:28] == [0.0, 1.0]
    refuting = dict(zip(OFFICIAL_REFUTING, f[28:43]))
    assert refuting["hoax"] == refuting["not"] == 1.0 and sum(f[28:43]) == 2
    # Jaccard: {cat, found, hoax} shared out of 4 + 9 - 3 = 10 distinct tokens
    assert f[43] == pytest.approx(3 / 10)


def test_official_char_grams_keep_the_official_quirk():
    # the official code joins each character n-gram's characters with spaces before the
    # substring test, so "ab" is looked up as "a b"
    f = official_features("ab", "xx a b yy")
    assert f[4] == 1.0  # 2-char grams of "ab": one, "a b", found in the body
    g = official_features("ab", "xx ab yy")
    assert g[4] == 0.0


def test_sentence_features_look_at_the_sentences_nearest_the_headline():
    body = "Intro line. The cat was not found alive, police denied reports. Weather was fine."
    f = sentence_features("Cat found alive", body)
    # sentence 2 holds all of {cat, found, alive}; the runner-up (sentence 1) none
    assert f[:3] == [1.0, 0.0, 1 / 3]
    # near sentences: refuting "not", "denied"; no hedging or agreeing cue; negation "not"
    assert f[3:7] == [2.0, 0.0, 0.0, 1.0]
    assert sentence_features("Cat found alive?", body)[7] == 1.0


@pytest.fixture(scope="module")
def small():
    stances, bodies = synthetic_fnc1(seed=11, n_bodies_per_topic=6)
    by_id = {b["Body ID"]: b["articleBody"] for b in bodies}
    pairs = [{"pair_id": f"p{i}", "headline": s["Headline"], "body": by_id[s["Body ID"]]}
             for i, s in enumerate(stances)]
    labels = [s["Stance"] for s in stances]
    groups = [s["Body ID"] for s in stances]
    cut = int(0.6 * len(pairs))
    return pairs, labels, groups, cut


def test_official_baseline_beats_the_floor(small):
    pairs, labels, groups, cut = small
    model = OfficialBaselineStance(n_estimators=40).fit(pairs[:cut], labels[:cut])
    pred = model.predict_labels(pairs[cut:])
    floor = AlwaysUnrelated().fit(pairs[:cut]).predict_labels(pairs[cut:])
    assert metrics.fnc_score(labels[cut:], pred) > metrics.fnc_score(labels[cut:], floor)


def test_official_folds_keep_the_best_fold_model(small):
    pairs, labels, groups, cut = small
    order = list(dict.fromkeys(groups[:cut]))
    model = OfficialBaselineStance(n_estimators=20, folds=3).fit(
        pairs[:cut], labels[:cut], groups=groups[:cut], group_order=order)
    assert len(model.fold_scores_) == 3
    assert model.predict_labels(pairs[cut:])  # a fitted fold model is kept


def test_stack_model_contract(small, tmp_path):
    pairs, labels, groups, cut = small
    model = StackStance(vocabulary=300, hidden=16, mlp_epochs=30, folds=3, gbdt_iter=40)
    model.fit(pairs[:cut], labels[:cut], groups=groups[:cut])
    proba = model.predict_proba(pairs[cut:])
    assert proba.shape == (len(pairs) - cut, 4) and np.allclose(proba.sum(1), 1)
    pred = model.predict_labels(pairs[cut:])
    floor = AlwaysUnrelated().fit(pairs[:cut]).predict_labels(pairs[cut:])
    assert metrics.fnc_score(labels[cut:], pred) > metrics.fnc_score(labels[cut:], floor)
    # a class weight moves predictions toward that class, never away from it
    heavy = model.set_params(class_weight=[1, 50, 1, 1]).predict_labels(pairs[cut:], proba=proba)
    assert heavy.count("disagree") >= pred.count("disagree")
    back = StackStance.load(model.save(tmp_path / "m.joblib"))
    assert back.predict_labels(pairs[cut:]) == heavy


# ------------------------------------------------------------------ scoring
def test_score_stance_against_sklearn_and_the_harness():
    rng = random.Random(3)
    gold = [rng.choice(STANCES) for _ in range(300)]
    pred = [g if rng.random() < 0.6 else rng.choice(STANCES) for g in gold]
    got = fnc1_bench.score_stance(gold, pred, n_resamples=50)
    s = got["scores"]
    assert s["fnc_score"] == pytest.approx(metrics.fnc_score(gold, pred))
    ref = f1_score(gold, pred, labels=list(STANCES), average=None)
    for c, v in zip(STANCES, ref):
        assert s[f"f1_{c}"] == pytest.approx(v)
    assert s["macro_f1"] == pytest.approx(f1_score(gold, pred, average="macro"))
    earned = sum(metrics.fnc_points(g, p)[0] for g, p in zip(gold, pred))
    assert got["fnc_points"] == pytest.approx(earned)
    assert got["fnc_max"] == pytest.approx(sum(0.25 if g == "unrelated" else 1 for g in gold))
    lo, hi = got["ci"]["fnc_score"]
    assert lo <= s["fnc_score"] <= hi and lo < hi
    assert sum(sum(r.values()) for r in got["confusion"].values()) == 300


def test_test_scorings_are_counted_per_model_version(tmp_path):
    log = tmp_path / "log.jsonl"
    assert fnc1_bench.log_test_scoring(log, "m", {"a": 1}, "fp", {"x": 1}) == 1
    assert fnc1_bench.log_test_scoring(log, "m", {"a": 1}, "fp", {"x": 1}) == 2
    assert fnc1_bench.log_test_scoring(log, "m", {"a": 2}, "fp", {"x": 1}) == 1
    fnc1_bench.log_test_scoring(log, "m", {"a": 3}, "other-data", {"x": 1})
    fnc1_bench.log_test_scoring(log, "n", {}, "fp", {"x": 1})
    # the board counts every look at this test by name: a reworked model keeps its history
    assert fnc1_bench.test_scorings_by_name(log, "fp") == {"m": 3, "n": 1}
    assert fnc1_bench.test_scorings_by_name(tmp_path / "absent.jsonl", "fp") == {}


def _import_fixture(tmp_path, seed: int) -> None:
    """Synthetic FNC-1 CSVs (train from ``seed``, test from ``seed + 1``) imported to cfg/."""
    from presscut.builder.fnc1 import import_fnc1

    for prefix, sd, n in (("train", seed, 6), ("competition_test", seed + 1, 3)):
        stances, bodies = synthetic_fnc1(seed=sd, n_bodies_per_topic=n)
        _write_csv(tmp_path / f"{prefix}_stances.csv", stances, ["Headline", "Body ID", "Stance"])
        _write_csv(tmp_path / f"{prefix}_bodies.csv", bodies, ["Body ID", "articleBody"])
    import_fnc1(tmp_path, tmp_path / "cfg")


def test_benchmark_runs_on_an_imported_fixture(tmp_path):
    """CSV files → ``presscut import fnc1`` → every stance and story baseline, scored."""

    _import_fixture(tmp_path, 21)
    res = fnc1_bench.run_benchmark(
        tmp_path / "cfg", tmp_path / "out", stance=["always-unrelated", "fnc1-official-gbdt"],
        story=["tfidf-agglomerative"], n_resamples=20, log=lambda *_: None)
    assert res["n_pairs"]["test"] == 3 * 3 * len(TOPICS)
    floor = res["stance"]["always-unrelated"]["test"]["scores"]["fnc_score"]
    assert res["stance"]["fnc1-official-gbdt"]["test"]["scores"]["fnc_score"] > floor
    story = res["story_clustering"]["tfidf-agglomerative"]["test"]
    assert story["n_items"] == 3 * len(TOPICS) and story["gold_clusters"] == len(TOPICS)
    assert (tmp_path / "out" / "results.json").is_file()
    # publishing fills README's FNC-1 section and the FNC-1 board from those results
    (tmp_path / "README.md").write_text("x\n<!-- fnc1:start -->\n(stale table)\n<!-- fnc1:end -->\ny\n")
    fnc1_bench.publish(res, tmp_path)
    readme = (tmp_path / "README.md").read_text()
    assert "(stale table)" not in readme and readme.startswith("x\n") and readme.endswith("y\n")
    gbdt = res["stance"]["fnc1-official-gbdt"]["test"]["scores"]["fnc_score"]
    assert f"| `fnc1-official-gbdt` | {100 * gbdt:.2f} |" in readme
    assert "NOT the official files" in readme  # the fixture is not FNC-1's own data
    assert (tmp_path / "leaderboard" / "fnc1.md").read_text().count("`tfidf-agglomerative`") == 2


# ------------------------------------------------------------------ registry and tuning
def test_fnc1_runner_takes_its_stance_baselines_from_the_registry():
    from presscut.baselines import registry
    from presscut.errors import PresscutError

    names = [b.name for b in fnc1_bench.stance_baselines()]
    assert names == [s.name for s in registry.specs("stance") if "fnc1" in s.benchmarks]
    assert {"always-unrelated", "fnc1-official-gbdt", "features-gbdt", "fnc1-stack"} <= set(names)
    assert "features-logreg" not in names  # registered for stance, not for FNC-1
    key = ("stance", "test-fnc1-extra")
    try:
        registry.baseline("stance", "test-fnc1-extra", order=99,
                          benchmarks={"fnc1": {"about": "x", "groups": "story"}})(AlwaysUnrelated)
        extra = fnc1_bench.stance_baselines()[-1]
        assert (extra.name, extra.about, extra.groups, extra.refit) == (
            "test-fnc1-extra", "x", "story", False)
        registry._SPECS[key] = registry.BaselineSpec(
            "stance", "test-fnc1-extra", AlwaysUnrelated, benchmarks={"fnc1": {"groups": "page"}})
        with pytest.raises(PresscutError, match="groups must be 'story'"):
            fnc1_bench.stance_baselines()
    finally:
        registry._SPECS.pop(key, None)


def test_class_weight_tuning_by_hand():
    from presscut.baselines.stance_stack import tune_class_weight

    # two disagree pairs the model leans to call agree (0.5 vs 0.4), two clear pairs
    proba = np.array([[0.5, 0.4, 0.05, 0.05], [0.5, 0.4, 0.05, 0.05],
                      [0.9, 0.05, 0.03, 0.02], [0.0, 0.0, 0.1, 0.9]])
    gold = ["disagree", "disagree", "agree", "unrelated"]
    model = StackStance()
    rec = tune_class_weight(model, proba, gold, grid=[(1, 1, 1, 1), (1, 2, 1, 1), (1, 9, 1, 1)])
    # unweighted (agree, agree, agree, unrelated): the maximum is 1 + 1 + 1 + 0.25 = 3.25, it
    # earns 0.25 + 0.25 (related, wrong stance) + 1 + 0.25 = 1.75; agree F1 = 2 * (1/3 * 1) /
    # (1/3 + 1) = 0.5, disagree 0, unrelated 1 (discuss is neither gold nor predicted).
    # Disagree weighted x2 or x9: every pair right, both scores 1.
    unweighted = rec["grid"][0][1]
    f1 = {"agree": 0.5, "disagree": 0.0, "unrelated": 1.0}
    assert unweighted == pytest.approx((1.75 / 3.25 + sum(f1.values()) / 3) / 2)
    assert rec["grid"][1][1] == pytest.approx(1.0) and rec["grid"][2][1] == pytest.approx(1.0)
    assert rec["best"] == [1, 2, 1, 1] and model.class_weight == [1, 2, 1, 1]  # first of ties


def test_publish_only_needs_committed_results(tmp_path):
    from presscut.errors import PresscutError

    with pytest.raises(PresscutError, match="no FNC-1 results yet"):
        fnc1_bench.read_results(tmp_path)
    (tmp_path / "results.json").write_text("{oops")
    with pytest.raises(PresscutError, match="not valid JSON"):
        fnc1_bench.read_results(tmp_path)


def test_publish_only_takes_descriptions_from_the_code_and_figures_from_the_run(tmp_path):
    import json
    import shutil
    from pathlib import Path

    from presscut.baselines.stance_sentences_cv import SentenceStanceCV  # noqa: F401

    repo = Path(__file__).resolve().parents[1]
    out = tmp_path / "results" / "fnc1"
    out.mkdir(parents=True)
    shutil.copy(repo / "results" / "fnc1" / "test_log.jsonl", out)
    results = json.loads((repo / "results" / "fnc1" / "results.json").read_text())
    results["stance"]["fnc1-sentences-cv"]["about"] = "a stale description"
    results["stance"]["retired-model"] = {**results["stance"]["fnc1-sentences-cv"],
                                          "about": "no longer registered"}
    fnc1 = results["stance"]["fnc1-sentences-cv"]["test"]["scores"]["fnc_score"]
    (out / "results.json").write_text(json.dumps(results))
    (tmp_path / "README.md").write_text(f"intro\n{fnc1_bench.README_START}\nold\n"
                                        f"{fnc1_bench.README_END}\nend\n")
    fnc1_bench.republish(tmp_path)
    now = json.loads((out / "results.json").read_text())
    registered = {s.name: s.about for s in fnc1_bench.stance_baselines()}
    assert now["stance"]["fnc1-sentences-cv"]["about"] == registered["fnc1-sentences-cv"]
    assert now["stance"]["retired-model"]["about"] == "no longer registered"
    assert now["stance"]["fnc1-sentences-cv"]["test"]["scores"]["fnc_score"] == fnc1
    readme = (tmp_path / "README.md").read_text()
    assert registered["fnc1-sentences-cv"] in readme and "a stale description" not in readme
    assert readme.startswith("intro\n") and readme.endswith("end\n") and "\nold\n" not in readme
    assert not list(out.glob("*.partial"))


# ------------------------------------------------------------------ story-disjoint hold-out
def test_story_holdout_keeps_headlines_and_stories_on_one_side():
    # stories A (bodies a1, a2; claim hA), B (b1; claim hB), C (c1; claim hC), and hZ, a
    # headline related to nothing; unrelated pairs cross every story
    rows = [("hA", "A", "agree"), ("hA", "A", "discuss"), ("hB", "B", "disagree"),
            ("hC", "C", "discuss"), ("hA", "B", "unrelated"), ("hA", "C", "unrelated"),
            ("hB", "A", "unrelated"), ("hB", "C", "unrelated"), ("hC", "A", "unrelated"),
            ("hC", "B", "unrelated"), ("hZ", "A", "unrelated"), ("hZ", "B", "unrelated"),
            ("hZ", "C", "unrelated")]
    heads, groups, labels = ([r[k] for r in rows] for k in range(3))
    for seed in ("s1", "s2", "s3", "s4"):
        ho = fnc1_bench.story_holdout(labels, heads, groups, share=0.5, seed=seed)
        assert ho.fit and ho.held
        story_of = {"hA": "A", "hB": "B", "hC": "C", "hZ": "hZ"}
        sides = [{story_of[heads[i]] for i in part} | {groups[i] for i in part}
                 for part in (ho.fit, ho.held)]
        assert not sides[0] & sides[1]  # no story, and so no headline, on both sides
        cross = [i for i in range(len(rows)) if i not in ho.fit and i not in ho.held]
        assert len(cross) == ho.dropped == len(rows) - len(ho.fit) - len(ho.held)
        for i in cross:  # a dropped pair straddles the cut
            assert (story_of[heads[i]] in sides[1]) != (groups[i] in sides[1])
        # the weights give the held pairs the file's unrelated share, 9 of 13
        w = dict(zip(ho.held, ho.weights))
        unrel = sum(v for i, v in w.items() if labels[i] == "unrelated")
        if unrel and unrel < sum(w.values()):
            assert unrel / sum(w.values()) == pytest.approx(9 / 13)
        assert all(v == 1.0 for i, v in w.items() if labels[i] != "unrelated")


def test_story_folds_hold_every_related_pair_once_and_no_story_on_both_sides():
    # 12 stories of 2 bodies, each with its claim (related pairs) and unrelated pairs to
    # every other story's bodies; plus a headline related to nothing
    rows = []
    for s in range(12):
        for b in range(2):
            rows.append((f"h{s}", f"S{s}", ["agree", "disagree", "discuss"][(s + b) % 3]))
            rows += [(f"h{t}", f"S{s}", "unrelated") for t in range(12) if t != s]
            rows.append(("hZ", f"S{s}", "unrelated"))
    heads, groups, labels = ([r[k] for r in rows] for k in range(3))
    story_of = {f"h{s}": f"S{s}" for s in range(12)} | {"hZ": "hZ"}
    share = labels.count("unrelated") / len(labels)
    for seed in ("s1", "s2", "s3"):
        folds = fnc1_bench.story_folds(labels, heads, groups, k=3, seed=seed)
        assert len(folds) == 3
        related = [i for i, y in enumerate(labels) if y != "unrelated"]
        held = [i for f in folds for i in f.held]
        # every related pair is held exactly once; no pair is held twice
        assert sorted(i for i in held if labels[i] != "unrelated") == related
        assert len(held) == len(set(held))
        for f in folds:
            sides = [{story_of[heads[i]] for i in part} | {groups[i] for i in part}
                     for part in (f.fit, f.held)]
            assert not sides[0] & sides[1]
            # 24 bodies in 3 folds: each fold holds 8 (4 stories)
            assert len({groups[i] for i in f.held}) == 4
            w = dict(zip(f.held, f.weights))
            unrel = sum(v for i, v in w.items() if labels[i] == "unrelated")
            assert unrel / sum(w.values()) == pytest.approx(share)
    with pytest.raises(PresscutError, match="k must be at least 2"):
        fnc1_bench.story_folds(labels, heads, groups, k=1)
    # the single hold-out is unchanged by the refactor: the folds' first stories, in the
    # same order, are what it holds
    ho = fnc1_bench.story_holdout(labels, heads, groups, share=1 / 3, seed="s1")
    first = fnc1_bench.story_folds(labels, heads, groups, k=3, seed="s1")[0]
    assert ho.held == first.held and ho.fit == first.fit


def test_blend_tunes_on_given_parts_as_on_its_own(small):
    from presscut.baselines.stance_blend import BlendStance

    pairs, labels, groups, cut = small
    kw = dict(vocabulary=300, hidden=8, mlp_epochs=20, folds=3, gbdt_iter=20, mlp_seeds=1)
    model = BlendStance(**kw).fit(pairs[:cut], labels[:cut], groups=groups[:cut])
    weights = [2.0 if y == "unrelated" else 1.0 for y in labels[cut:]]
    own = model.tune(pairs[cut:], labels[cut:], weights=weights)
    other = BlendStance(**kw)  # unfitted: the parts carry all it needs
    given = other.tune(None, labels[cut:], weights=weights,
                       parts=model.tuning_parts(pairs[cut:]))
    assert given == own and other.get_params() == model.get_params()
    parts = model.tuning_parts(pairs[cut:])
    assert other.labels_from_parts(parts) == model.predict_labels(pairs[cut:])


def test_weighted_stance_scores_equal_repeated_pairs():
    rng = random.Random(5)
    gold = [rng.choice(STANCES) for _ in range(80)]
    pred = [g if rng.random() < 0.5 else rng.choice(STANCES) for g in gold]
    weights = [rng.choice([1, 2, 3]) for _ in gold]
    got = fnc1_bench.score_stance(gold, pred, weights=weights, n_resamples=0)["scores"]
    rep_gold = [g for g, w in zip(gold, weights) for _ in range(w)]
    rep_pred = [p for p, w in zip(pred, weights) for _ in range(w)]
    assert got["fnc_score"] == pytest.approx(metrics.fnc_score(rep_gold, rep_pred))
    assert got["macro_f1"] == pytest.approx(f1_score(rep_gold, rep_pred, average="macro"))
    assert got["accuracy"] == pytest.approx(np.mean([g == p for g, p in zip(rep_gold, rep_pred)]))
    with pytest.raises(Exception, match="3 weights for 80 pairs"):
        fnc1_bench.score_stance(gold, pred, weights=[1, 1, 1])


def test_blend_model_tunes_its_blend_and_refits(small):
    from presscut.baselines.stance_blend import BLEND_GRID, BlendStance

    pairs, labels, groups, cut = small
    model = BlendStance(vocabulary=300, hidden=16, mlp_epochs=30, folds=3, gbdt_iter=40,
                        mlp_seeds=2)
    model.fit(pairs[:cut], labels[:cut], groups=groups[:cut])
    assert [m.random_state for m in model.mlps_] == [0, 1]
    gbdt, mlp = model._parts(pairs[cut:])
    assert np.allclose(model.set_params(blend=1.0).predict_proba(pairs[cut:]), gbdt)
    half = model.set_params(blend=0.5).predict_proba(pairs[cut:])
    assert np.allclose(half, (gbdt + mlp) / 2) and np.allclose(half.sum(1), 1)
    rec = model.tune(pairs[cut:], labels[cut:])
    assert len(rec["grid"]) == len(BLEND_GRID) * 20
    best = max(v for _, _, v in rec["grid"])
    assert [model.blend, model.class_weight] == next([b, w] for b, w, v in rec["grid"]
                                                     if v == best)
    pred = model.predict_labels(pairs[cut:])
    floor = AlwaysUnrelated().fit(pairs[:cut]).predict_labels(pairs[cut:])
    assert metrics.fnc_score(labels[cut:], pred) > metrics.fnc_score(labels[cut:], floor)


def test_blend_fits_each_folds_vocabulary_on_that_fold(small, monkeypatch):
    """Out of fold includes the bag-of-words: no fold's vocabulary holds a word that only
    its left-out stories use."""
    from presscut.baselines import stance_blend

    pairs, labels, groups, cut = small
    marked = [dict(p, body=p["body"] + f" zzmark{g}") for p, g in zip(pairs, groups)]
    fitted = []
    real = stance_blend._BowBlock.fit

    def spy(self, heads, bodies):
        fitted.append(set(" ".join(bodies).split()))
        return real(self, heads, bodies)

    monkeypatch.setattr(stance_blend._BowBlock, "fit", spy)
    stance_blend.BlendStance(vocabulary=5000, hidden=8, mlp_epochs=5, folds=3, gbdt_iter=5,
                             mlp_seeds=1).fit(marked, labels, groups=groups)
    assert len(fitted) == 4  # three folds, then all of it
    every = {f"zzmark{g}" for g in groups}
    assert every <= fitted[-1]
    unseen = [every - vocab for vocab in fitted[:-1]]
    # each story is left out (its mark unseen) by exactly one fold
    assert all(unseen) and set().union(*unseen) == every
    assert sum(len(u) for u in unseen) == len(every)


@contextmanager
def _small_blend_run(tmp_path, name, tune_on):
    """A small BlendStance registered as ``name`` with ``tune_on``, run on a 31-body fixture:
    yields (its record, the whole results, the fixture's data)."""
    from presscut.baselines import registry
    from presscut.baselines.stance_blend import BlendStance

    _import_fixture(tmp_path, 31)
    key = ("stance", name)
    try:
        registry._SPECS[key] = registry.BaselineSpec(
            "stance", name, BlendStance, order=99,
            params={"vocabulary": 300, "hidden": 8, "mlp_epochs": 20, "gbdt_iter": 20,
                    "mlp_seeds": 1},
            benchmarks={"fnc1": {"about": "x", "groups": "story", "tune_on": tune_on}})
        res = fnc1_bench.run_benchmark(tmp_path / "cfg", tmp_path / "out", stance=[name],
                                       story=[], n_resamples=10, log=lambda *_: None)
        yield res["stance"][name], res, fnc1_bench.Fnc1Data.load(tmp_path / "cfg")
    finally:
        registry._SPECS.pop(key, None)


def _n_fit_pairs(data) -> int:
    return len(data.pairs["train"]) + len(data.pairs["validation"])


def test_runner_fits_a_story_tuned_baseline_on_the_story_split(tmp_path):
    from presscut.baselines import registry
    from presscut.baselines.stance_blend import BlendStance

    with _small_blend_run(tmp_path, "test-fnc1-story", "story") as (rec, res, data):
        held = rec["validation"]["holdout"]
        assert held["fit_pairs"] + held["held_pairs"] + held["dropped_pairs"] == \
            _n_fit_pairs(data)
        assert rec["validation"]["n_pairs"] == held["held_pairs"] > 0
        assert rec["trained_on"] == ["train", "validation"]
        assert set(rec["tuning"]["best"]) == {"blend", "class_weight"}
        assert rec["params"]["blend"] == rec["tuning"]["best"]["blend"]
        md = fnc1_bench.render_markdown(res)
        assert "| story-disjoint |" in md and "Story-disjoint hold-out" in md
        registry._SPECS[("stance", "test-fnc1-story")] = registry.BaselineSpec(
            "stance", "test-fnc1-story", BlendStance, benchmarks={"fnc1": {"tune_on": "test"}})
        with pytest.raises(PresscutError, match="tune_on must be"):
            fnc1_bench.stance_baselines()


def test_runner_tunes_a_story_cv_baseline_on_every_fold(tmp_path, monkeypatch):
    from presscut.baselines.stance_blend import BlendStance

    fits = []
    real = BlendStance.fit

    def counting(self, pairs, y=None, groups=None):
        fits.append(len(pairs))
        return real(self, pairs, y, groups=groups)

    monkeypatch.setattr(BlendStance, "fit", counting)
    with _small_blend_run(tmp_path, "test-fnc1-cv", "story-cv") as (rec, res, data):
        held = rec["validation"]["holdout"]
        n_related = sum(y != "unrelated" for s in ("train", "validation")
                        for y in data.labels[s])
        # three fold fits on their fitting pairs, then the refit on everything
        assert fits == held["fit_pairs"] + [_n_fit_pairs(data)] and held["folds"] == 3
        assert rec["validation"]["n_pairs"] == held["held_pairs"] >= n_related
        assert rec["trained_on"] == ["train", "validation"]
        assert rec["params"]["blend"] == rec["tuning"]["best"]["blend"]
        assert rec["params"]["class_weight"] == rec["tuning"]["best"]["class_weight"]
        md = fnc1_bench.render_markdown(res)
        assert "| story-disjoint, 3 folds |" in md and "Story folds" in md


def test_off_board_scorings_keep_every_look_at_the_test(tmp_path):
    log = tmp_path / "log.jsonl"
    fnc1_bench.log_test_scoring(log, "kept", {}, "fp", {"fnc_score": 0.8, "macro_f1": 0.6})
    fnc1_bench.log_test_scoring(log, "gone", {}, "fp", {"fnc_score": 0.5, "macro_f1": 0.4})
    fnc1_bench.log_test_scoring(log, "gone", {"a": 1}, "fp", {"fnc_score": 0.6, "macro_f1": 0.45})
    fnc1_bench.log_test_scoring(log, "elsewhere", {}, "other", {"fnc_score": 0.1, "macro_f1": 0})
    lines = fnc1_bench.off_board_scorings(log, "fp", ["kept"])
    assert len(lines) == 1 and "`gone`: scored 2 time(s)" in lines[0]
    assert "FNC 60.00 %, macro-F1 0.450" in lines[0]


def test_sentence_features_by_hand():
    from presscut.baselines.stance_sentences import SentenceBlock

    head = "Aliens landed in Paris"
    body = "The weather is fine today. Officials deny that aliens landed in Paris."
    # fitted on the pair alone (min_df 2): only the words of both texts are kept, so the
    # first sentence has no vector (cosine 0) and the second is the headline's (cosine 1)
    f = SentenceBlock().fit([head], [body]).transform([head], [body])[0]
    assert f[:4].tolist() == pytest.approx([1.0, 0.5, 0.5, 0.5])  # best, top-3 mean, where, share
    # "deny" refutes, in the best sentence (and the top three); no negation, hedge or confirmation
    assert f[4:10].tolist() == [1, 1, 0, 0, 0, 0]
    # cosine-weighted cues: only the matching sentence weighs
    assert f[10:14].tolist() == pytest.approx([1.0, 0.0, 0.0, 0.0])
    assert 0.0 < f[14] <= 1.0 and f[15] == 0.0
    quoted = SentenceBlock().fit([head], [body]).transform(['"Aliens" landed'], ["Nothing here."])
    assert quoted[0, 15] == 1.0 and quoted[0, 0] == 0.0
    from presscut.errors import PresscutError

    with pytest.raises(PresscutError, match="sentence features cannot be fitted"):
        SentenceBlock().fit(["the"], ["of the"])  # stop words only: no word vocabulary


def test_sentence_model_fits_its_tfidf_on_training_texts_only(small):
    from presscut.baselines.stance_sentences import SentenceStance

    pairs, labels, groups, cut = small
    held = [dict(p, body=p["body"] + " zzheldonly zzheldonly") for p in pairs[cut:]]
    model = SentenceStance(vocabulary=300, hidden=8, mlp_epochs=20, folds=3, gbdt_iter=20,
                           mlp_seeds=1).fit(pairs[:cut], labels[:cut], groups=groups[:cut])
    assert "zzheldonly" not in model.sentences_.words_.vocabulary_
    gbdt, _ = model._parts(held)
    assert gbdt.shape == (len(held), 4) and np.allclose(gbdt.sum(1), 1)
    # the boosting stage saw the 16 sentence features beside fnc1-blend's
    from presscut.baselines.stance_stack import dense_features

    assert model.gbdt_.n_features_in_ == 4 + dense_features(["a b"], ["c d"]).shape[1] + 16
