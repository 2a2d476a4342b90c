"""seg-seq's title picker (``presscut.baselines.segment_seq_titles``): candidates, features
and the re-decision, by hand; fitting on the title-labelling pages only."""

from __future__ import annotations

import numpy as np
import pytest
from toy_pages import toy_pages

from presscut.baselines import segment_seq_titles as titles
from presscut.baselines.segment_common import consistent_record
from presscut.baselines.segment_seq import SequenceSegmenter, _forward


def _overlap_net(slope: float = 10.0, bias: float = -5.0) -> dict:
    """A hand-made picker net whose p(title) is logistic(slope * overlap + bias): one ReLU
    unit that copies the ``overlap`` feature, then the output unit."""
    n = len(titles.FEATURES)
    w1 = np.zeros((n, 1), dtype=np.float32)
    w1[titles.FEATURES.index("overlap"), 0] = 1.0
    return {"mean": np.zeros(n, np.float32), "scale": np.ones(n, np.float32),
            "weights": [w1, np.array([[slope]], np.float32)],
            "biases": [np.zeros(1, np.float32), np.array([bias], np.float32)],
            "classes": ["other", "title"]}


BODY = "Harbour workers in Oberlake ended their strike after the council approved wages."
LINES = ["Menu", "", "Oberlake harbour strike ends", "Also read:",
         "By Amara Lind", "Oberlake harbour strike ends", BODY, BODY, "Footer"]
ROWS = [0, 2, 3, 4, 5, 6, 7, 8]


def test_candidates_are_the_non_body_rows_just_above_the_first_body_line():
    roles = ["boilerplate", "blank", "title", "boilerplate", "byline", "boilerplate",
             "body", "body", "boilerplate"]
    assert titles.candidates(LINES, ROWS, roles, [[2, 8]], window=8) == [(0, 6, [0, 2, 3, 4, 5])]
    # the window counts non-blank rows; a body row above and the article before stop it
    assert titles.candidates(LINES, ROWS, roles, [[2, 8]], window=2) == [(0, 6, [4, 5])]
    two = ["body", "blank"] + roles[2:]
    assert titles.candidates(LINES, ROWS, two, [[0, 1], [2, 8]], window=8) == [
        (0, 0, []), (1, 6, [2, 3, 4, 5])]
    assert titles.candidates(LINES, ROWS, ["boilerplate"] * 9, [[2, 8]], window=8) == []  # no body


def test_features_by_hand():
    roles = ["boilerplate", "blank", "boilerplate", "boilerplate", "byline", "boilerplate",
             "body", "body", "boilerplate"]
    assert titles.solid_rows(LINES) == ROWS
    counts = titles.copies(LINES, ROWS, [2, 3, 4])
    assert counts == {"oberlake harbour strike ends": 2, "also read:": 1, "by amara lind": 1}
    rows = titles.features(LINES, roles, 6, [2, 3, 4], counts)
    f = {name: [r[k] for r in rows] for k, name in enumerate(titles.FEATURES)}
    assert f["rows_above"] == [3, 2, 1]
    # oberlake, harbour and strike come back in the body; "ends" does not ("ended" does)
    assert f["overlap"] == pytest.approx([3 / 4, 0, 0])
    assert f["content_words"] == [4, 2, 2]  # "by" is under MIN_TOKEN letters
    assert f["best_overlap"] == pytest.approx([0.75] * 3)
    assert f["overlap_vs_best"] == pytest.approx([0, -0.75, -0.75])
    assert f["log_copies"] == pytest.approx([np.log(2), 0, 0])  # line 5 is a copy of line 2
    assert f["copy_beside"] == [False, False, False]  # the copy is not among these three
    assert f["separator"] == [False, False, False]
    assert f["ends_colon"] == [False, True, False]
    assert f["log_words"] == pytest.approx(np.log1p([4, 2, 3]))


def test_pick_takes_the_best_candidate_and_its_double_header_and_moves_the_span():
    roles = ["boilerplate", "blank", "boilerplate", "title", "byline", "boilerplate",
             "body", "body", "boilerplate"]
    arts = [[3, 8]]
    titles.pick([_overlap_net()], [(LINES, ROWS, roles, arts)], window=8, threshold=0.5)
    # the teaser headline loses its title; both copies of the headline get it
    assert roles[2:6] == ["title", "boilerplate", "byline", "title"]
    assert arts == [[2, 8]]


def test_pick_leaves_an_article_below_the_threshold_or_with_its_headline_above_the_window():
    roles = ["boilerplate", "blank", "title", "boilerplate", "byline", "boilerplate",
             "body", "body", "boilerplate"]
    for net, window in [(_overlap_net(bias=-9.0), 8),  # p < 0.5 everywhere
                        (_overlap_net(), 2)]:  # line 2, above 2 rows, echoes the body
        got, arts = list(roles), [[2, 8]]
        titles.pick([net], [(LINES, ROWS, got, arts)], window=window, threshold=0.5)
        assert got == roles and arts == [[2, 8]]


def test_a_far_title_that_does_not_read_as_the_headline_becomes_boilerplate():
    # "Also read:" (line 3) is above a window of 2 rows and shares no word with the body or
    # with the candidates (lines 4 and 5): it is boilerplate, and the picker decides
    roles = ["boilerplate", "blank", "boilerplate", "title", "byline", "boilerplate",
             "body", "body", "boilerplate"]
    arts = [[3, 8]]
    titles.pick([_overlap_net()], [(LINES, ROWS, roles, arts)], window=2, threshold=0.5)
    assert roles[2:6] == ["boilerplate", "boilerplate", "byline", "title"]
    assert arts == [[4, 8]]
    # with no candidate at the threshold the span still starts at its first article line
    roles = ["boilerplate", "blank", "boilerplate", "title", "byline", "boilerplate",
             "body", "body", "boilerplate"]
    arts = [[3, 8]]
    titles.pick([_overlap_net(bias=-9.0)], [(LINES, ROWS, roles, arts)], window=2,
                threshold=0.5)
    assert roles[3:6] == ["boilerplate", "byline", "boilerplate"] and arts == [[4, 8]]


def test_far_headline_by_hand():
    roles = ["boilerplate"] * 6 + ["body", "body", "boilerplate"]
    # 3 of "oberlake harbour strike ends"'s 4 content words come back in the body
    assert titles.far_headline(LINES, roles, 6, [4, 5], [2])
    lines = ["Harbour news today", *LINES[1:6], "Harbour workers left the quay at noon.",
             "", ""]
    # 1 of its 3 content words is in the body: 0.33 >= FAR_ECHO (0.3)
    assert titles.FAR_ECHO == 0.3
    assert titles.far_headline(lines, roles, 6, [4], [0])
    lines[0] = "Weather forecast tomorrow"  # nothing in the body or in "By Amara Lind"
    assert not titles.far_headline(lines, roles, 6, [4], [0])
    # a page-title copy: "Oberlake harbour strike ends | Courier": 4 of 5 words in line 5
    lines[0] = "Oberlake harbour strike ends | Courier"
    lines[6] = "Workers left the quay at noon."
    assert titles.far_headline(lines, roles, 6, [5], [0])
    assert not titles.far_headline(lines, roles, 6, [4], [0])  # not in "By Amara Lind"


def test_pick_averages_its_members():
    roles = ["boilerplate", "blank", "boilerplate", "boilerplate", "byline", "boilerplate",
             "body", "body", "boilerplate"]
    # line 2's overlap is 3/4: p = logistic(10 * 0.75 - 5) = 0.924 alone, and with a
    # member giving logistic(-9) = 0.0001 everywhere, the mean 0.462 is under 0.5
    one, two = list(roles), list(roles)
    titles.pick([_overlap_net()], [(LINES, ROWS, one, [[4, 8]])], window=8, threshold=0.5)
    titles.pick([_overlap_net(), _overlap_net(slope=0.0, bias=-9.0)],
                [(LINES, ROWS, two, [[4, 8]])], window=8, threshold=0.5)
    assert one[2] == one[5] == "title" and two == roles


def test_late_start_and_the_fit_sees_the_late_lines_as_negatives():
    roles = ["title", "body", "body", "boilerplate", "body"]
    assert titles.late_start(roles, [[0, 5]], 1) == ["title", "boilerplate", "body",
                                                      "boilerplate", "body"]
    assert titles.late_start(roles, [[0, 5]], 3) == roles  # no body would be left
    assert titles.late_start(roles, [[0, 1], [1, 5]], 1) == ["title", "boilerplate", "body",
                                                             "boilerplate", "body"]
    # the shifted candidates hold the first body line, labelled by the gold (not a title)
    late = titles.late_start(roles, [[0, 5]], 1)
    assert titles.candidates(["a", "b", "c", "d", "e"], [0, 1, 2, 3, 4], late, [[0, 5]],
                             8) == [(0, 2, [0, 1])]


def test_a_line_repeated_more_than_twice_is_titled_once():
    lines = ["Storm in Velmar", "Storm in Velmar", "Storm in Velmar",
             "Storm in Velmar closed the harbour road for two days."]
    roles = ["boilerplate", "boilerplate", "boilerplate", "body"]
    arts = [[3, 4]]
    titles.pick([_overlap_net()], [(lines, [0, 1, 2, 3], roles, arts)], window=8, threshold=0.5)
    assert roles == ["boilerplate", "boilerplate", "title", "body"]  # the nearest of ties
    assert arts == [[2, 4]]


def test_fit_learns_from_title_labelling_pages_only():
    pages = toy_pages(12, seed=3)
    assert all("title" in p["roles"] for p in pages)
    assert titles.fit(pages, 8, 0) is None  # no labelled_roles: not a real page
    real = [{**p, "labelled_roles": ["title", "body", "boilerplate"]} for p in pages]
    untitled = [{**p, "labelled_roles": ["body", "boilerplate"]} for p in pages]
    assert titles.fit(untitled, 8, 0) is None
    net = titles.fit(real, 8, 0)
    assert net["classes"] == ["other", "title"]
    assert net["weights"][0].shape == (len(titles.FEATURES), titles.HIDDEN[0])
    # it learns the toy pages' titles: the gold title is the best candidate of most articles
    right = total = 0
    for p in real:
        rows = titles.solid_rows(p["lines"])
        for _, first, cand in titles.candidates(p["lines"], rows, p["roles"], p["articles"], 8):
            counts = titles.copies(p["lines"], rows, cand)
            X = np.array(titles.features(p["lines"], p["roles"], first, cand, counts),
                         dtype=np.float32)
            best = cand[int(_forward(net, X)[:, 1].argmax())]
            total += 1
            right += p["roles"][best] == "title"
    assert total and right / total >= 0.8


def test_seg_seq_fits_the_picker_and_a_model_without_one_decodes_as_before():
    pages = toy_pages(24, seed=5)
    real = [{**p, "labelled_roles": ["title", "body", "boilerplate", "byline", "caption",
                                     "dateline", "dek"]} for p in pages]
    model = SequenceSegmenter(max_iter=5, members=1, random_state=2).fit(real[:18])
    assert model.title_net_ is not None
    off = SequenceSegmenter(max_iter=5, members=1, random_state=2, title_window=0)
    off.fit(real[:18])
    assert off.title_net_ is None
    test = [{"doc_id": p["doc_id"], "lines": p["lines"]} for p in pages[18:]]
    before = off.predict(test)
    old = SequenceSegmenter(max_iter=5, members=1, random_state=2).fit(real[:18])
    del old.title_net_  # a model saved before the picker
    assert old.predict(test) == before
    # the picker leaves the nets alone: its records are the plain decoding, re-decided
    titles.pick(model.title_net_, [(p["lines"], titles.solid_rows(p["lines"]), r["roles"],
                                    r["articles"]) for p, r in zip(test, before)], 8, 0.3)
    model.title_lead = 0.0  # the lead challenge reads the nets' p(title): tested by hand below
    got = model.predict(test)
    assert got == before
    # the re-decided records are still valid segmentations: articles made of article roles
    for page, rec in zip(test, got):
        assert rec == consistent_record(page["doc_id"], page["lines"], rec["roles"],
                                        [s for s, _ in rec["articles"]])
    assert got != off.predict(test)  # the picker changed something on these pages
    model.title_lead = 0.02
    led = model.predict(test)
    assert led != got  # a first body line took the headline on one of these pages
    for page, rec in zip(test, led):
        assert rec == consistent_record(page["doc_id"], page["lines"], rec["roles"],
                                        [s for s, _ in rec["articles"]])


def test_a_title_after_its_articles_first_body_line_takes_its_next_likeliest_role():
    model = SequenceSegmenter()
    model.classes_ = ["body", "boilerplate", "caption", "title"]
    # lines: "Headline", "Body one.", "Photo: a harbour", "Body two.", "Share", "Second story"
    rec = {"roles": ["title", "body", "title", "body", "title", "title"],
           "articles": [[0, 5], [5, 6]]}
    line_of = np.arange(6)
    P = np.array([[.1, .1, .1, .7], [.9, .05, .03, .02], [.2, .1, .3, .4],
                  [.9, .05, .03, .02], [.1, .3, .2, .4], [.1, .1, .1, .7]])
    model._demote_inner_titles(rec, line_of, P)
    # the headline and the title opening the second span stay; the inner ones take their
    # most likely other role, and the first span ends at its last article-role line
    assert rec["roles"] == ["title", "body", "caption", "body", "boilerplate", "title"]
    assert rec["articles"] == [[0, 4], [5, 6]]


def test_leads_by_hand():
    lines = ["Oberlake harbour strike ends", BODY, "Strike ends.", BODY,
             " ".join(["word"] * 31), BODY, "Strike ends", BODY]
    roles = ["body"] * 8
    arts = [[0, 2], [2, 4], [4, 6], [6, 8]]
    p = {0: 0.02, 2: 0.5, 4: 0.5, 6: 0.019}
    # article 0 is admitted; 1 ends with a full stop, 2 has 31 words, 3 is under 0.02
    assert titles.leads(lines, roles, arts, p, 0.02) == [(0, 0)]
    assert titles.leads(lines, roles, arts, p, 0.03) == []
    # a lone body line cannot be its article's headline: no body would be left
    assert titles.leads(lines[:1], ["body"], [[0, 1]], {0: 0.9}, 0.02) == []


def test_a_first_body_line_with_some_p_title_challenges_for_the_headline():
    # the nets called the headline (line 2) body; the only candidate above it is "Menu"
    lines = ["Menu", "", "Oberlake harbour strike ends", "By Amara Lind", BODY, BODY, "Footer"]
    rows = [0, 2, 3, 4, 5, 6]
    roles = ["boilerplate", "blank", "body", "byline", "body", "body", "boilerplate"]
    for p_title, threshold, titled in [({2: 0.05}, 0.02, True), ({2: 0.01}, 0.02, False),
                                       ({2: 0.05}, 0.0, False), (None, 0.02, False)]:
        got, arts = list(roles), [[2, 6]]
        titles.pick([_overlap_net()], [(lines, rows, got, arts)], 8, 0.5,
                    None if p_title is None else [p_title], threshold)
        # as a candidate, 3 of its 4 content words come back in the body: p = 0.924
        assert got[2] == ("title" if titled else "body") and got[3:] == roles[3:]
        assert arts == [[2, 6]] and got[:2] == roles[:2]


def test_a_challenge_the_picker_turns_down_leaves_its_article_as_picked():
    rain = "It rained all day in Velmar and the roads were wet."
    lines = ["Weather report today", rain, rain, "Oberlake harbour strike ends",
             "By Amara Lind", BODY, BODY]
    roles = ["body", "body", "body", "body", "byline", "body", "body"]
    arts = [[0, 3], [3, 7]]
    # both first body lines challenge; "weather report today" shares no word with the rain
    # (p = 0.007 < 0.5), so article 0 keeps its decoding, and article 1 takes its headline
    got = list(roles)
    titles.pick([_overlap_net()], [(lines, list(range(7)), got, arts)], 8, 0.5,
                [{0: 0.5, 3: 0.5}], 0.02)
    assert got == ["body", "body", "body", "title", "byline", "body", "body"]
    assert arts == [[0, 3], [3, 7]]
