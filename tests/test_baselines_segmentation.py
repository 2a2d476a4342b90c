"""Segmentation baselines: API contract, rule cues on hand-made pages, learned vs floor."""

from __future__ import annotations

import re
import sys

import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from toy_pages import toy_pages

from presscut.baselines import registry
from presscut.baselines.segment_common import (
    as_page,
    best_segmenter,
    body_shingle_f1,
    consistent_record,
    load,
)
from presscut.baselines.segment_rules import RuleSegmenter
from presscut.baselines.segment_trivial import FirstLineTitle, KeepEverything
from presscut.errors import PresscutError
from presscut.schema import ARTICLE_ROLES, ROLES, is_blank

SEGMENTERS = [s.name for s in registry.specs("segmentation")]


def _justext_ok() -> bool:
    try:
        import justext  # noqa: F401
    except ImportError:
        return False
    return True


def _maybe_skip(name: str) -> None:
    if name == "seg-justext" and not _justext_ok():
        pytest.skip("justext (or lxml_html_clean) not installed")


@pytest.fixture(scope="module")
def train_pages():
    return toy_pages(50, seed=11)


@pytest.fixture(scope="module")
def heldout_pages():
    return toy_pages(30, seed=12)


@pytest.fixture(scope="module")
def edge_pages():
    return [
        {"doc_id": "one-line", "lines": ["Just one line of text here."]},
        {"doc_id": "all-blank", "lines": ["", "\u00a0", "  ", "\u200b"]},
        {"doc_id": "cjk", "lines": ["北朝鲜领导人金正恩提出新的军事目标", "", "Comments",
                                    "金正恩在会议上发表讲话。会议将持续数日。"]},
        {"doc_id": "text-only", "text": "Title Here\n\nBody sentence one is this.\n20"},
    ]


@pytest.fixture(scope="module")
def fitted(train_pages):
    models = {}
    for name in SEGMENTERS:
        if name == "seg-justext" and not _justext_ok():
            continue
        models[name] = registry.create(name).fit(train_pages)
    return models


def _check_record(page: dict, rec: dict) -> None:
    lines = page["lines"] if "lines" in page else page["text"].split("\n")
    assert rec["doc_id"] == page["doc_id"]
    roles = rec["roles"]
    assert len(roles) == len(lines)
    assert all(r in ROLES for r in roles)
    for line, r in zip(lines, roles):
        assert (r == "blank") == is_blank(line)
    inside = [False] * len(lines)
    prev_end = 0
    for s, e in rec["articles"]:
        assert isinstance(s, int) and isinstance(e, int)
        assert prev_end <= s < e <= len(lines)
        # spans run from first to last content line
        assert roles[s] in ARTICLE_ROLES and roles[e - 1] in ARTICLE_ROLES
        for i in range(s, e):
            inside[i] = True
        prev_end = e
    for i, r in enumerate(roles):
        if not inside[i]:
            assert r in ("boilerplate", "blank")


# ------------------------------------------------------------------ contract
@pytest.mark.parametrize("name", SEGMENTERS)
def test_contract(name, fitted, heldout_pages, edge_pages):
    _maybe_skip(name)
    model = fitted[name]
    pages = heldout_pages[:10] + edge_pages
    recs = model.predict(pages)
    assert len(recs) == len(pages)
    for page, rec in zip(pages, recs):
        _check_record(page, rec)


@pytest.mark.parametrize("name", SEGMENTERS)
def test_fit_returns_self_and_save_load_round_trip(name, train_pages, heldout_pages, tmp_path):
    _maybe_skip(name)
    model = registry.create(name)
    assert model.fit(train_pages[:25]) is model
    before = model.predict(heldout_pages[:8])
    path = model.save(tmp_path / name)
    assert (path / "config.json").is_file()
    again = load(path)
    assert type(again) is type(model)
    assert again.predict(heldout_pages[:8]) == before


def test_learned_is_deterministic_with_seed(train_pages, heldout_pages):
    a = registry.create("seg-learned", random_state=3).fit(train_pages[:25])
    b = registry.create("seg-learned", random_state=3).fit(train_pages[:25])
    assert a.predict(heldout_pages) == b.predict(heldout_pages)


def test_unfitted_learned_refuses_to_predict_or_save(heldout_pages, tmp_path):
    model = registry.create("seg-learned")
    with pytest.raises(PresscutError, match="fit"):
        model.predict(heldout_pages[:1])
    with pytest.raises(PresscutError, match="unfitted"):
        model.save(tmp_path / "m")


def test_bad_input_names_the_page():
    with pytest.raises(PresscutError, match="doc_id"):
        RuleSegmenter().predict([{"lines": ["a"]}])
    with pytest.raises(PresscutError, match="'p1'.*2 roles for 3 lines"):
        registry.create("seg-learned").fit(
            [{"doc_id": "p1", "lines": ["a", "b", "c"], "roles": ["body", "body"],
              "articles": [[0, 3]]}])
    with pytest.raises(PresscutError, match="unknown role 'headline'"):
        as_page({"doc_id": "p2", "lines": ["a"], "roles": ["headline"], "articles": []})
    with pytest.raises(PresscutError, match="article 0"):
        as_page({"doc_id": "p3", "lines": ["a"], "roles": ["body"], "articles": [[0, 5]]})
    with pytest.raises(PresscutError, match="no saved baseline"):
        load("/nonexistent/model/dir")


def test_load_refuses_foreign_classes(tmp_path):
    (tmp_path / "config.json").write_text(
        '{"class": "os:system", "params": {}, "name": "x", "task": "segmentation"}')
    with pytest.raises(PresscutError, match="not a presscut baseline"):
        load(tmp_path)


def test_class_label_ids_are_accepted_as_roles():
    page = as_page({"doc_id": "p", "lines": ["T", "b"], "roles": [0, 5],
                    "articles": [{"start_line": 0, "end_line": 2}]})
    assert page["roles"] == [ROLES[0], ROLES[5]] and page["articles"] == [[0, 2]]


# ------------------------------------------------------------------ trivial
def test_trivial_baselines_by_hand():
    page = {"doc_id": "d", "lines": ["", "Headline", "", "Para one.", "Share", "\u00a0"]}
    keep = KeepEverything().predict([page])[0]
    assert keep["roles"] == ["blank", "body", "blank", "body", "body", "blank"]
    assert keep["articles"] == [[1, 5]]
    first = FirstLineTitle().predict([page])[0]
    assert first["roles"] == ["blank", "title", "blank", "body", "body", "blank"]
    assert first["articles"] == [[1, 5]]


def test_consistent_record_by_hand():
    lines = ["Nav", "T", "b1", "junk", "b2", "", "x", "T2", "b3", "tail"]
    roles = ["body", "title", "body", "boilerplate", "body", "blank", "caption", "title",
             "body", "boilerplate"]
    rec = consistent_record("d", lines, roles, starts=[1, 7])
    # the article before the first start and after a span's last content line are outside
    assert rec["articles"] == [[1, 7], [7, 9]]
    assert rec["roles"][0] == "boilerplate"
    assert rec["roles"][6] == "caption"  # inside the first span (up to the next start)
    assert rec["roles"][9] == "boilerplate"


# ------------------------------------------------------------------ rule cues
BODY1 = ("North Korean leader Kim Jong Un presented goals to further bolster his military "
         "power next year at a meeting of top political officials, state media said.")
BODY2 = ("During the session at the ongoing plenary meeting of the ruling party, he analyzed "
         "new security challenges in international politics and on the peninsula.")
BODY3 = ("Some observers say the new goals could be related to the push to expand the nuclear "
         "arsenal and to introduce a spate of new weapons systems in the coming years.")
BODY4 = ("Iran said on Thursday that accusations it had targeted former US officials were "
         "baseless, after the former president implicated the country in the plots.")
BODY5 = ("The foreign ministry said such accusations were just a part of creating the "
         "election atmosphere in the country and were not even worth a response.")


def _rules(lines: list[str]) -> dict:
    return RuleSegmenter().predict([{"doc_id": "h", "lines": lines}])[0]


def test_rules_two_articles_repeated_title_and_captions():
    lines = [
        "Kim Lays Out Key Goals to Boost Military Power",  # 0
        "",
        "This picture taken on December 27 shows the leader at a party meeting (AFP)",  # 2
        "This picture taken on December 27 shows the leader at a party meeting (AFP)",  # 3
        "",
        "Kim Lays Out Key Goals to Boost Military Power",  # 5 repeated headline
        "",
        BODY1, "", BODY2, "", BODY3,  # 7, 9, 11
        "", "", "",
        "Iran Denies Targeting Former Officials",  # 15
        "",
        BODY4, BODY5,  # 17, 18
        "",
        "Comments",  # 20
        "Share",  # 21
    ]
    rec = _rules(lines)
    assert rec["articles"] == [[0, 12], [15, 19]]
    r = rec["roles"]
    assert r[0] == r[5] == r[15] == "title"
    assert r[2] == r[3] == "caption"
    assert [r[i] for i in (7, 9, 11, 17, 18)] == ["body"] * 5
    assert r[20] == r[21] == "boilerplate"


def test_rules_header_cues_and_appeal_block():
    lines = [
        "Home > World > Asia",  # 0 breadcrumb
        "Kim unveils goals to further bolster military power next year",  # 1
        "",
        "North Korean leader sets out military goals amid tension with the South",  # 3 dek
        "",
        "By Jane Doe",  # 5
        "Thursday 29 December 2022 10:08 GMT",  # 6
        "Your support helps us to tell the story",  # 7
        "At such a critical moment we need reporters on the ground. Your donation allows us "
        "to keep sending journalists to speak to both sides of the story.",  # 8
        "",
        BODY1,  # 10
        "He said so.",  # 11 short line between body paragraphs
        BODY2,  # 12
        "",
        "jane.doe@example.com",  # 14 e-mail byline after the text
        "Join our commenting forum",  # 15
        "20",  # 16
    ]
    rec = _rules(lines)
    r = rec["roles"]
    assert r[0] == "boilerplate"
    assert r[1] == "title" and r[3] == "dek"
    assert r[5] == "byline" and r[6] == "dateline"
    assert r[7] == r[8] == "boilerplate"
    assert r[10] == r[11] == r[12] == "body"
    assert r[14] == "byline"
    assert r[15] == r[16] == "boilerplate"
    assert rec["articles"] == [[1, 15]]


def test_rules_short_line_between_widgets_is_boilerplate():
    lines = [BODY1, BODY2, "", "Print", "ok then", "Share", "", BODY3]
    r = _rules(lines)["roles"]
    assert r[4] == "boilerplate"
    assert r[0] == r[1] == r[7] == "body"


def test_rules_reported_speech_ending_with_agency_is_body():
    lines = ["Kim Presents Goals at Party Gathering", "",
             BODY1, "", "On Tuesday he delivered a report on the newly created situation on the "
             "peninsula, according to the Korean Central News Agency (KCNA).", "", BODY2]
    r = _rules(lines)["roles"]
    assert r[4] == "body"


def test_rules_question_headline_site_suffix_and_alt_text_pair():
    lines = [
        "Who is behind the new malaria vaccine? | The Daily Post",  # 0
        "You are here: Home / Science / Health",  # 1
        "Facebook Twitter WhatsApp",  # 2
        "Who is behind the new malaria vaccine?",  # 3 same headline, no site name
        "",
        "A nurse prepares a dose at a clinic.",  # 5 alt text ...
        "A nurse prepares a dose at a clinic.",  # 6 ... and caption, identical
        "",
        BODY1, "", BODY2,  # 8, 10
        "",
        "Comments are closed for this article.",  # 12
    ]
    rec = _rules(lines)
    r = rec["roles"]
    assert r[0] == r[3] == "title"
    assert r[1] == r[2] == r[12] == "boilerplate"
    assert r[5] == r[6] == "caption"
    assert rec["articles"] == [[0, 11]]


def test_rules_appeal_ends_at_quoted_we_and_cut_line_is_body():
    lines = [
        "Bridge Closure Hits Local Shops Hard",  # 0
        "",
        "Support quality journalism",  # 2
        "If you value what we do, please consider a monthly contribution to us.",  # 3
        "",
        "“Half of our customers used to come over the bridge on their way to work,” said "
        "the bakery owner, who has run the shop on the corner for more than twenty years.",  # 5
        BODY1,  # 6
        "The chamber of commerce has asked the city for",  # 7 page cut off mid-sentence
    ]
    r = _rules(lines)["roles"]
    assert r[2] == r[3] == "boilerplate"
    assert r[5] == r[6] == r[7] == "body"


def test_rules_headline_with_dek_after_one_blank_starts_new_article():
    lines = [
        "Satellite Launch Delayed by Storms", "", BODY1, "", BODY2,  # 0-4
        "",
        "Businesses near closed bridge report falling sales",  # 6
        "",
        "Detours expected to add up to thirty minutes to commutes",  # 8 dek
        "",
        BODY4, "", BODY5,  # 10, 12
    ]
    rec = _rules(lines)
    assert rec["articles"] == [[0, 5], [6, 13]]
    assert rec["roles"][6] == "title" and rec["roles"][8] == "dek"


# ------------------------------------------------------------------ learned vs floor
def _body_f1(gold: dict, pred: dict) -> float:
    """4-gram shingle F1 of body text, written independently of the package's copy."""
    def sh(roles):
        text = " ".join(x for x, r in zip(gold["lines"], roles) if r == "body").lower()
        toks = [t for t in re.split(r"[^0-9a-z]+", text) if t]
        return {tuple(toks[i:i + 4]) for i in range(len(toks) - 3)}

    g, p = sh(gold["roles"]), sh(pred["roles"])
    if not g and not p:
        return 1.0
    prec = len(g & p) / len(p) if p else 0.0
    rec = len(g & p) / len(g) if g else 0.0
    return 2 * prec * rec / (prec + rec) if prec + rec else 0.0


def _role_acc(gold: list[dict], pred: list[dict]) -> float:
    pairs = [(a, b) for g, p in zip(gold, pred) for a, b in zip(g["roles"], p["roles"])
             if a != "blank"]
    return sum(a == b for a, b in pairs) / len(pairs)


def test_learned_beats_keep_everything_on_heldout(fitted, heldout_pages):
    keep = KeepEverything().predict(heldout_pages)
    learned = fitted["seg-learned"].predict(heldout_pages)
    f_keep = sum(_body_f1(g, p) for g, p in zip(heldout_pages, keep)) / len(keep)
    f_learned = sum(_body_f1(g, p) for g, p in zip(heldout_pages, learned)) / len(keep)
    assert f_learned > f_keep + 0.02
    assert _role_acc(heldout_pages, learned) > _role_acc(heldout_pages, keep) + 0.3
    exact_spans = sum(g["articles"] == p["articles"] for g, p in zip(heldout_pages, learned))
    assert exact_spans >= 0.8 * len(heldout_pages)


def test_package_body_f1_matches_independent_reference(heldout_pages):
    preds = KeepEverything().predict(heldout_pages)
    ours = body_shingle_f1(heldout_pages, preds)
    ref = sum(_body_f1(g, p) for g, p in zip(heldout_pages, preds)) / len(preds)
    assert ours == pytest.approx(ref, abs=1e-9)


# ------------------------------------------------------------------ justext
def test_justext_missing_is_a_clear_error(monkeypatch):
    monkeypatch.setitem(sys.modules, "justext", None)
    with pytest.raises(PresscutError, match="justext"):
        registry.create("seg-justext").fit([])


def test_justext_marks_widgets_boilerplate():
    if not _justext_ok():
        pytest.skip("justext not installed")
    lines = ["Share", "", BODY1 + " " + BODY2, BODY3 + " " + BODY1, "", "Comments"]
    rec = registry.create("seg-justext").predict([{"doc_id": "j", "lines": lines}])[0]
    assert rec["roles"][0] == rec["roles"][5] == "boilerplate"
    assert rec["roles"][2] == rec["roles"][3] == "body"
    assert rec["articles"] == [[2, 4]]


# ------------------------------------------------------------------ registry
def test_registry_lists_and_extends():
    names = {s.name for s in registry.specs("segmentation")}
    assert {"seg-keep-all", "seg-first-title", "seg-rules", "seg-learned", "seg-justext"} <= names
    assert {s.name for s in registry.specs("line_dedup")} >= {"dedup-exact", "dedup-near"}
    with pytest.raises(PresscutError, match="unknown baseline"):
        registry.make("segmentation", "no-such-baseline")
    with pytest.raises(PresscutError, match="unknown task"):
        registry.baseline("no-such-task", "x")(dict)
    key = ("segmentation", "test-const")
    registry.baseline(*key, params={"a": 1})(dict)
    try:
        assert registry.task_of("test-const") == "segmentation"
        assert registry.create("test-const") == {"a": 1}
        assert registry.create("test-const", a=2) == {"a": 2}
        with pytest.raises(PresscutError, match="already registered"):
            registry.baseline(*key)(list)
        registry.baseline("line_dedup", "test-const")(list)
        with pytest.raises(PresscutError, match="say which task"):
            registry.task_of("test-const")
        assert registry.create("test-const", task="line_dedup") == []
        with pytest.raises(PresscutError, match="two default baselines"):
            registry.baseline("segmentation", "test-default", default=True)(dict)
    finally:
        registry._SPECS.pop(key, None)
        registry._SPECS.pop(("line_dedup", "test-const"), None)
        registry._SPECS.pop(("segmentation", "test-default"), None)


def test_registry_tables_follow_declared_order():
    specs = registry.specs(extras=())
    tasks = [s.task for s in specs]
    assert tasks == sorted(tasks, key=[t for t in dict.fromkeys(tasks)].index)
    for task in dict.fromkeys(tasks):
        orders = [s.order for s in specs if s.task == task]
        assert orders == sorted(orders)
    # optional baselines only join a run that enables their extras
    optional = [s for s in registry.specs() if s.optional]
    assert all(s not in specs for s in optional)
    assert all(s in registry.specs(extras=s.extras) for s in optional)


def test_best_segmenter_without_data_is_rules(tmp_path):
    model = best_segmenter(tmp_path)
    assert isinstance(model, RuleSegmenter)


def test_best_segmenter_picks_the_higher_scorer(heldout_pages):
    model = best_segmenter(candidates=("seg-keep-all", "seg-rules"), train=[],
                                    validation=heldout_pages[:15])
    scores = {}
    for name in ("seg-keep-all", "seg-rules"):
        preds = registry.create(name).predict(heldout_pages[:15])
        scores[name] = sum(_body_f1(g, p) for g, p in zip(heldout_pages, preds))
    assert model.name == max(scores, key=scores.get)


def test_training_pages_reads_built_parquet(tmp_path, train_pages):
    from presscut.schema import role_id

    out = tmp_path / "splits" / "segmentation"
    out.mkdir(parents=True)
    rows = [{"doc_id": p["doc_id"], "lines": p["lines"],
             "roles": [role_id(r) for r in p["roles"]],
             "articles": [{"start_line": s, "end_line": e, "start_char": 0, "end_char": 0}
                          for s, e in p["articles"]]} for p in train_pages[:3]]
    pq.write_table(pa.Table.from_pylist(rows), out / "train.parquet")
    synth = tmp_path / "splits" / "synthetic"
    synth.mkdir()
    pq.write_table(pa.Table.from_pylist(rows[:1]), synth / "test.parquet")  # never trained on
    from presscut.tasks._pages import training_pages

    pages = training_pages(tmp_path)
    assert [p["doc_id"] for p in pages] == [p["doc_id"] for p in train_pages[:3]]
    assert [as_page(p)["roles"] for p in pages] == [p["roles"] for p in train_pages[:3]]
    assert [p["articles"] for p in pages] == [p["articles"] for p in train_pages[:3]]
    assert not any("labelled_roles" in p for p in pages)  # every role labelled


def test_training_pages_carry_the_roles_a_real_page_labels(tmp_path, train_pages):
    from presscut.schema import role_id
    from presscut.tasks._pages import training_pages

    out = tmp_path / "splits" / "real"
    out.mkdir(parents=True)
    labelled = [["body", "boilerplate"], ["title", "body", "boilerplate"]]
    rows = [{"doc_id": p["doc_id"], "lines": p["lines"],
             "roles": [role_id(r) for r in p["roles"]],
             "articles": [{"start_line": s, "end_line": e, "start_char": 0, "end_char": 0}
                          for s, e in p["articles"]],
             "labelled_roles": [role_id(r) for r in lab]}
            for p, lab in zip(train_pages, labelled)]
    pq.write_table(pa.Table.from_pylist(rows), out / "train.parquet")
    pages = training_pages(tmp_path, config="real")
    assert [sorted(as_page(p)["labelled_roles"]) for p in pages] == [sorted(x) for x in labelled]
