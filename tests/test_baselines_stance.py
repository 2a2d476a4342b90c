"""Stance baselines on a small synthetic FNC-1-like collection written here."""

from __future__ import annotations

import csv
import random

import pytest

from presscut.baselines.stance import (
    AlwaysUnrelated,
    FeatureStance,
    fnc1_pairs,
    fnc1_score,
    hand_features,
    run_fnc1,
)
from presscut.errors import PresscutError
from presscut.schema import STANCES

TOPICS = {
    "quake": ("earthquake", "Lima", "tremor", "buildings", "rescuers", "magnitude", "aftershocks"),
    "merger": ("merger", "Acme", "shareholders", "deal", "billion", "regulators", "stock"),
    "launch": ("rocket", "Kourou", "satellite", "orbit", "launch", "payload", "engineers"),
    "strike": ("strike", "Berlin", "union", "workers", "wages", "trains", "commuters"),
    "flood": ("flood", "Dhaka", "river", "monsoon", "villages", "evacuated", "rainfall"),
    "vote": ("election", "Oslo", "ballots", "turnout", "parliament", "coalition", "voters"),
}
FILLER = "the a on in at after before during while with and of to for by this that was".split()
CUES = {
    "agree": ["officials confirmed the {w} report", "the {w} was verified and announced officially"],
    "disagree": ["authorities denied the {w} story calling it a hoax",
                 "the {w} claim is false and was debunked despite rumours"],
    "discuss": ["the {w} reportedly happened according to unconfirmed claims",
                "it is alleged that the {w} may have occurred but details remain unverified"],
}


def _sentence(rng, words, n=12):
    return " ".join(rng.choice(words) if rng.random() < 0.5 else rng.choice(FILLER)
                    for _ in range(n)).capitalize() + "."


def synthetic_fnc1(seed: int, n_bodies_per_topic: int = 8):
    """(stances rows, bodies rows) in FNC-1's CSV layout, stances implied by construction.

    A related body shares its headline's topic words and carries a cue sentence
    for its stance; 15 % of cue sentences are dropped so the task is not trivial.
    """
    rng = random.Random(seed)
    bodies, stances = [], []
    body_id = 0
    topics = list(TOPICS)
    for topic in topics:
        words = TOPICS[topic]
        for _ in range(n_bodies_per_topic):
            stance = rng.choice(["agree", "disagree", "discuss"])
            sents = [_sentence(rng, words) for _ in range(5)]
            if rng.random() > 0.15:
                sents.insert(rng.randrange(3), rng.choice(CUES[stance]).format(w=words[0]) + ".")
            bodies.append({"Body ID": str(body_id), "articleBody": " ".join(sents)})
            headline = f"{words[0].capitalize()} hits {words[1]} as {words[2]} and {words[3]} follow"
            stances.append({"Headline": headline, "Body ID": str(body_id), "Stance": stance})
            # two unrelated pairs per body: headlines from other topics
            for other in rng.sample([t for t in topics if t != topic], 2):
                ow = TOPICS[other]
                stances.append({"Headline": f"{ow[0].capitalize()} in {ow[1]} with {ow[2]}",
                                "Body ID": str(body_id), "Stance": "unrelated"})
            body_id += 1
    rng.shuffle(stances)
    return stances, bodies


def _write_csv(path, rows, fields):
    with open(path, "w", encoding="utf-8", newline="") as fh:
        w = csv.DictWriter(fh, fieldnames=fields)
        w.writeheader()
        w.writerows(rows)


@pytest.fixture(scope="module")
def fnc_rows():
    stances, bodies = synthetic_fnc1(seed=1)
    by_id = {b["Body ID"]: b["articleBody"] for b in bodies}
    rows = [{"headline": s["Headline"], "body": by_id[s["Body ID"]], "stance": s["Stance"],
             "pair_id": f"p{i}"} for i, s in enumerate(stances)]
    cut = int(len(rows) * 0.6)
    return rows[:cut], rows[cut:]


# -------------------------------------------------------------------- scoring
def test_fnc1_score_hand_computed():
    gold = ["agree", "unrelated", "discuss", "disagree", "unrelated"]
    pred = ["agree", "unrelated", "agree", "unrelated", "discuss"]
    # agree right: 1; unrelated right: .25; related but wrong label: .25; missed related: 0;
    # unrelated called related: 0. Maximum: 1 + .25 + 1 + 1 + .25
    assert fnc1_score(gold, pred) == (pytest.approx(1.5), pytest.approx(3.5))


# ------------------------------------------------------------------- contract
@pytest.mark.parametrize("classifier", ["gbdt", "logreg"])
def test_contract_and_beats_always_unrelated(classifier, fnc_rows):
    train, test = fnc_rows
    train_pairs, train_labels = fnc1_pairs(train)
    test_pairs, test_labels = fnc1_pairs(test)
    model = FeatureStance(classifier=classifier, n_estimators=100)
    assert model.fit(train_pairs, train_labels) is model
    pred = model.predict_labels(test_pairs)
    assert len(pred) == len(test_pairs) and set(pred) <= set(STANCES)
    assert model.predict_labels(test_pairs) == pred
    again = FeatureStance(classifier=classifier, n_estimators=100).fit(train_pairs, train_labels)
    assert again.predict_labels(test_pairs) == pred  # seeded: refitting gives the same model
    records = model.predict(test_pairs)
    assert [r["pair_id"] for r in records] == [p["pair_id"] for p in test_pairs]

    floor = AlwaysUnrelated().fit(train_pairs, train_labels).predict_labels(test_pairs)
    model_score, best = fnc1_score(test_labels, pred)
    floor_score, _ = fnc1_score(test_labels, floor)
    assert model_score / best > floor_score / best + 0.3


def test_always_unrelated():
    pairs = [{"pair_id": "a|b", "headline": "x", "body": "y"}]
    model = AlwaysUnrelated()
    assert model.fit(pairs) is model
    assert model.predict(pairs) == [{"pair_id": "a|b", "stance": "unrelated"}]


# ------------------------------------------------------------------ features
def test_hand_features_count_cue_words():
    plain = hand_features("Quake hits Lima", "A quake hit Lima on Monday.")
    refuted = hand_features("Quake hits Lima", "Officials denied it: a hoax, a false report.")
    # feature 6 is the number of refuting words in the headline, 7 their rate in the body
    assert plain[6] == 0 and plain[7] == 0
    assert refuted[7] == pytest.approx(3 * 100 / 8)
    assert plain[0] > refuted[0]  # word overlap


def test_bad_labels_and_unfitted_model():
    pairs = [{"pair_id": "a", "headline": "x", "body": "y"}, {"pair_id": "b", "headline": "x", "body": "z"}]
    with pytest.raises(PresscutError) as err:
        FeatureStance().fit(pairs, ["agree", "maybe"])
    assert "label 1: 'maybe'" in err.value.render()
    with pytest.raises(PresscutError, match="not fitted"):
        FeatureStance().predict_labels(pairs)
    with pytest.raises(PresscutError) as err:
        FeatureStance().fit([pairs[0], {"pair_id": "c", "headline": 3, "body": ""}], ["agree", "agree"])
    assert "record 1 ('c'): 'headline' must be text" in err.value.render()


def test_save_load_roundtrip(tmp_path, fnc_rows):
    train, test = fnc_rows
    pairs, labels = fnc1_pairs(train)
    test_pairs, _ = fnc1_pairs(test)
    model = FeatureStance(classifier="logreg").fit(pairs, labels)
    back = FeatureStance.load(model.save(tmp_path / "stance.joblib"))
    assert back.predict_labels(test_pairs) == model.predict_labels(test_pairs)
    assert back.config()["params"]["classifier"] == "logreg"


def test_fnc1_score_agrees_with_the_harness_metric():
    metrics = pytest.importorskip("presscut.harness.metrics")
    rng = random.Random(9)
    for _ in range(20):
        gold = [rng.choice(STANCES) for _ in range(15)]
        pred = [rng.choice(STANCES) for _ in range(15)]
        score, best = fnc1_score(gold, pred)
        assert score / best == pytest.approx(metrics.fnc_score(gold, pred))


def test_runs_on_importer_output(tmp_path):
    """FNC-1 CSVs → ``presscut import fnc1`` rows (ClassLabel ids) → train and score."""
    from presscut.builder.fnc1 import import_fnc1, read_config

    for prefix, seed, n in (("train", 5, 6), ("competition_test", 6, 3)):
        stances, bodies = synthetic_fnc1(seed=seed, n_bodies_per_topic=n)
        _write_csv(tmp_path / f"{prefix}_stances.csv", stances, ["Headline", "Body ID", "Stance"])
        _write_csv(tmp_path / f"{prefix}_bodies.csv", bodies, ["Body ID", "articleBody"])
    import_fnc1(tmp_path, tmp_path / "out")
    train = read_config(tmp_path / "out", "stance", "train")
    test = read_config(tmp_path / "out", "stance", "test")
    assert isinstance(train[0]["stance"], int) and len(test) == 3 * 3 * len(TOPICS)
    result = run_fnc1(train, test, FeatureStance(n_estimators=60))
    assert result["n_test"] == len(test)
    assert [p["pair_id"] for p in result["predictions"]] == [r["pair_id"] for r in test]
    assert result["scores"]["fnc1_relative"] > result["always_unrelated"]["fnc1_relative"]
    assert result["scores"]["macro_f1"] > result["always_unrelated"]["macro_f1"]


def test_every_registered_stance_baseline_makes_an_estimator():
    # a decorator that lands on a helper function instead of its class registers the helper
    from presscut.baselines.registry import specs

    for spec in specs():
        if spec.task == "stance":
            est = spec.make()
            assert callable(getattr(est, "fit", None)) and callable(getattr(est, "predict", None)), \
                spec.name
