"""Source (outlet) baselines on pages written here, and the evidence lines of the seed pages."""

from __future__ import annotations

import random
from pathlib import Path

import pytest

from presscut.baselines.source import (
    CharNgramOutlet,
    OutletRule,
    find_evidence,
    score_outlets,
)
from presscut.errors import PresscutError

ROOT = Path(__file__).resolve().parents[1]
WORDS = ("government officials said the report would be published next week after talks "
         "between ministers and unions over wages and prices continued late into night").split()


def body(rng: random.Random, n_lines: int = 4) -> str:
    return "\n".join(" ".join(rng.choice(WORDS) for _ in range(25)).capitalize() + "."
                     for _ in range(n_lines))


def page(doc_id: str, *lines: str) -> dict:
    return {"doc_id": doc_id, "text": "\n".join(lines)}


# ---------------------------------------------------------------- OutletRule
@pytest.mark.parametrize(
    "evidence_line, outlet",
    [
        ("© 2024 Daily Planet. All rights reserved.", "Daily Planet"),
        ("Copyright 2019-2024 Metro Herald", "Metro Herald"),
        ("The Independent is trusted by Americans across the entire political spectrum.",
         "The Independent"),
        ("From rights to climate, The Independent is on the ground when the story is developing.",
         None),  # one weak cue alone is not enough
        ("Log in to Twitter or Facebook account to connect\nwith the Korea JoongAng Daily",
         "Korea JoongAng Daily"),
    ],
)
def test_rule_reads_single_evidence_line(evidence_line, outlet):
    rng = random.Random(1)
    text_page = page("p", "A headline about wages", body(rng), evidence_line, "Share this article")
    n_before = 2 + body(rng).count("\n")
    rule = OutletRule()
    assert rule.fit([]) is rule
    predicted, evidence = rule.explain(text_page)
    assert predicted == outlet
    if outlet is not None:
        lines = text_page["text"].split("\n")
        assert all(outlet.split()[-1] in lines[ev.line] for ev in evidence)
        assert min(ev.line for ev in evidence) >= n_before - 1


def test_weak_cues_add_up():
    p = page("p", "Headline", "Markets fell, and The Independent is on the ground in Tokyo.",
             "Join thought-provoking conversations, follow other Independent readers")
    assert OutletRule().predict_labels([p]) == ["The Independent"]


def test_email_domain_needs_a_known_outlet_or_a_matching_name():
    byline = "BY MICHAEL LEE [lee.junhyuk@joongang.co.kr]"
    alone = page("a", "Headline", "Body text here.", byline)
    assert OutletRule().predict_labels([alone]) == [None]
    # fitted on a labelled page, the domain becomes evidence for that outlet
    train = page("t", "Other headline", "More text.", "BY KIM [kim@joongang.co.kr]",
                 "with the Korea JoongAng Daily")
    rule = OutletRule(min_score=1.0).fit([train], ["Korea JoongAng Daily"])
    assert rule.predict_labels([alone]) == ["Korea JoongAng Daily"]
    assert OutletRule().predict_labels([page("g", "x", "write to me at joe@gmail.com")]) == [None]


@pytest.mark.parametrize(
    "line",
    [
        "North Korean leader sets out military goals amid heightened tension with the South",
        "It will mean new leverage in future dealings with the United States.",
        "Kim is currently presiding over a major party meeting in the capital.",
        "The KCNA also said that Kim presented new goals.",
    ],
)
def test_ordinary_article_lines_are_not_evidence(line):
    assert OutletRule().predict_labels([page("p", line, line)]) == [None]


def test_rule_contract_and_records():
    pages = [page("a", "© 2023 Metro Herald"), page("b", "nothing here")]
    rule = OutletRule()
    assert rule.predict(pages) == [
        {"doc_id": "a", "outlet": "Metro Herald"}, {"doc_id": "b", "outlet": None}]
    assert rule.predict_labels(pages) == rule.predict_labels(pages)
    with pytest.raises(PresscutError):
        rule.predict_labels([{"doc_id": "a", "text": 5}])


SEEDS = {"002_70abb2c0b52d4adb": (15, "The Independent"), "004_3a7288d6c854adcd": (37, "JoongAng")}


@pytest.mark.parametrize("doc_id", sorted(SEEDS))
def test_seed_pages_evidence(doc_id):
    path = ROOT / "corpus" / "raw" / f"{doc_id}.txt"
    if not path.exists():
        pytest.skip("seed page not in this checkout")
    text = path.read_text(encoding="utf-8")
    line, name = SEEDS[doc_id]
    assert name in text.split("\n")[line]  # the evidence line as read by eye
    outlet, evidence = OutletRule().explain({"doc_id": doc_id, "text": text})
    assert outlet is not None and name in outlet
    assert line in {ev.line for ev in evidence}


# ----------------------------------------------------------- CharNgramOutlet
OUTLET_STYLE = {
    "Daily Planet": ["Subscribe to the Planet briefing", "planet-share-widget tweet email",
                     "More from Metropolis desk"],
    "Metro Herald": ["HERALD PLUS | Sign in", "Most read on heraldonline",
                     "Herald readers also liked"],
    "Coast Times": ["coasttimes.example ~ weather ~ traffic", "Print edition | E-paper",
                    "Coast Times Media Group"],
}


def styled_pages(seed: int, per_outlet: int):
    rng = random.Random(seed)
    pages, outlets = [], []
    for outlet, chrome in OUTLET_STYLE.items():
        for k in range(per_outlet):
            pages.append(page(f"{outlet[:2]}{seed}-{k}", chrome[0], body(rng), *chrome[1:]))
            outlets.append(outlet)
    for k in range(per_outlet):  # pages that do not show their outlet
        pages.append(page(f"none{seed}-{k}", body(rng)))
        outlets.append(None)
    return pages, outlets


def test_char_ngram_learns_page_chrome_and_abstains():
    train, train_y = styled_pages(1, 6)
    test, test_y = styled_pages(2, 3)
    model = CharNgramOutlet()
    assert model.fit(train, train_y) is model
    pred = model.predict_labels(test)
    assert len(pred) == len(test) and model.predict_labels(test) == pred
    assert score_outlets(test_y, pred)["accuracy"] >= 0.9
    assert set(model.predict(test)[0]) == {"doc_id", "outlet"}
    # demanding certainty it cannot have makes it abstain everywhere
    assert set(CharNgramOutlet(min_proba=1.0).fit(train, train_y).predict_labels(test)) == {None}


def test_char_ngram_needs_two_classes():
    train, _ = styled_pages(1, 2)
    with pytest.raises(PresscutError, match="at least two"):
        CharNgramOutlet().fit(train, ["X"] * len(train))


def test_char_ngram_save_load(tmp_path):
    train, train_y = styled_pages(1, 3)
    model = CharNgramOutlet().fit(train, train_y)
    back = CharNgramOutlet.load(model.save(tmp_path / "src.joblib"))
    assert back.predict_labels(train) == model.predict_labels(train)


def test_score_outlets_hand_computed():
    scores = score_outlets(["A", None, "B"], ["A", None, None])
    assert scores["accuracy"] == pytest.approx(2 / 3)
    # per class F1: A 1, B 0, no-outlet P 1/2 R 1 → 2/3
    assert scores["macro_f1"] == pytest.approx((1 + 0 + 2 / 3) / 3)


def test_find_evidence_lines():
    ev = find_evidence("Title\n\u00a0\n© 2024 Coast Times\nBY A [a@coasttimes.example]")
    assert [(e.line, e.kind) for e in ev] == [(2, "copyright"), (3, "email_domain")]
