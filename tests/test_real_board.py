"""The real-pages board: per-source scores, role metrics over the roles a source labels,
learned baselines fitted on real train pages, and rankings compared across kinds of data.

Expected figures are worked out by hand in the comments, not read from the code.
"""

from __future__ import annotations

import pytest
from tinydata import segmentation_row, write_rows

from presscut.harness.evaluate import score_predictions
from presscut.runner import ranks_markdown
from presscut.schema import ROLES

LABELS_ALL3 = ["title", "body", "boilerplate"]
LABELS_BODY = ["body", "boilerplate"]


def real_row(doc_id, lines, roles, span, corpus, labelled, held_out=False):
    row = segmentation_row(doc_id, lines, roles, [span])
    row.update(source={"corpus": corpus, "page_id": doc_id, "url": ""},
               labelled_roles=sorted(ROLES.index(r) for r in labelled),
               out_of_source=held_out)
    return row


PAGE_A = (["Big News Today", "one two three four five", "by Jane Doe", "Share this"],
          ["title", "body", "boilerplate", "boilerplate"])
PAGE_B = (["Headline here", "alpha beta gamma delta epsilon", "Menu item"],
          ["boilerplate", "body", "boilerplate"])


@pytest.fixture()
def real_root(tmp_path):
    write_rows(tmp_path, "real", "test", [
        real_row("a/1", *PAGE_A, (0, 2), "a", LABELS_ALL3),
        real_row("b/1", *PAGE_B, (1, 2), "b", LABELS_BODY, held_out=True),
    ])
    return tmp_path


def test_real_scores_pooled_per_source_and_only_over_labelled_roles(real_root):
    preds = [
        # a byline: source a does not label bylines, so to it this is boilerplate (right)
        {"doc_id": "a/1", "roles": ["title", "body", "byline", "boilerplate"],
         "articles": [[0, 4]]},
        # a title where source b labels none: boilerplate to b (right); "Menu item" as body
        {"doc_id": "b/1", "roles": ["title", "body", "body"], "articles": [[0, 3]]},
    ]
    res = score_predictions("segmentation", preds, split="test", data="real", root=real_root)
    # b/1: gold body 5 words = 2 shingles; predicted 7 words = 4 shingles, 2 shared:
    # P 1/2, R 1, F1 2/3. a/1: F1 1. Macro over pages: 5/6.
    assert res["scores"]["body_f1"] == pytest.approx(5 / 6)
    groups = res["groups"]
    assert set(groups) == {"a", "b"}
    assert groups["a"]["scores"]["body_f1"] == pytest.approx(1.0)
    assert groups["b"]["scores"]["body_f1"] == pytest.approx(2 / 3)
    assert (groups["a"]["held_out"], groups["b"]["held_out"]) == (False, True)
    assert groups["b"]["n_items"] == 1 and groups["b"]["ci"]["body_f1"] == [
        pytest.approx(2 / 3), pytest.approx(2 / 3)]  # one page: every resample is that page
    # roles, after mapping unlabelled predictions to boilerplate:
    # title: a tp 1 (b labels no title) → F1 1; byline: no counts → none
    # body: a tp 1; b tp 1, fp 1 ("Menu item") → P 2/3, R 1, F1 0.8
    # boilerplate: a tp 2; b tp 1 ("Headline here"), fn 1 ("Menu item") → P 1, R 3/4, F1 6/7
    s = res["scores"]
    assert s["role_f1_title"] == pytest.approx(1.0)
    assert s["role_f1_byline"] is None
    assert s["role_f1_body"] == pytest.approx(0.8)
    assert s["role_f1_boilerplate"] == pytest.approx(6 / 7)
    assert s["role_macro_f1"] == pytest.approx((1 + 0.8 + 6 / 7) / 3)
    assert groups["b"]["scores"]["role_f1_title"] is None


def test_gold_pages_keep_every_role(tmp_path):
    # a page without labelled_roles (gold seeds) scores the byline as a byline: wrong here
    write_rows(tmp_path, "segmentation", "test",
               [segmentation_row("g/1", *PAGE_A, [(0, 2)])])
    preds = [{"doc_id": "g/1", "roles": ["title", "body", "byline", "boilerplate"],
              "articles": [[0, 2]]}]
    res = score_predictions("segmentation", preds, split="test", data="gold", root=tmp_path)
    # byline: fp 1 → F1 0; boilerplate: tp 1, fn 1 → F1 2/3
    assert res["scores"]["role_f1_byline"] == 0.0
    assert res["scores"]["role_f1_boilerplate"] == pytest.approx(2 / 3)
    assert res["groups"] == {}


def test_learned_baselines_fit_on_real_train_pages_for_the_real_run(real_root):
    from presscut.baselines.registry import get, prepare

    write_rows(real_root, "real", "train", [
        real_row("a/2", *PAGE_A, (0, 2), "a", LABELS_ALL3),
        real_row("a/3", *PAGE_B, (1, 2), "a", LABELS_ALL3),
    ])
    _, notes = prepare(get("segmentation", "seg-learned"), real_root, "real")
    assert notes.startswith("trained on 2 real train pages")


def _entry(baseline, data, score):
    return {"task": "segmentation", "baseline": baseline, "data": data,
            "scores": {"body_f1": score}}


def test_ranks_side_by_side_and_the_pairs_synthetic_orders_the_other_way():
    summary = [
        _entry("x", "real", 0.9), _entry("y", "real", 0.8), _entry("z", "real", 0.7),
        _entry("x", "synthetic", 0.5), _entry("y", "synthetic", 0.9),
        _entry("z", "synthetic", 0.6),
        _entry("x", "gold", 1.0), _entry("y", "gold", 1.0), _entry("z", "gold", 0.7),
    ]
    md = ranks_markdown(summary)
    rows = {line.split(" | ")[0].strip("| `"): line for line in md.splitlines()
            if line.startswith("| `")}
    # real: x 1, y 2, z 3; gold: x and y tie for 1, z 3; synthetic: y 1, z 2, x 3
    assert rows["x"].endswith("| 1 (0.900) | 1 (1.000) | 3 (0.500) |")
    assert rows["z"].endswith("| 3 (0.700) | 3 (0.700) | 2 (0.600) |")
    # synthetic flips (x, y) and (x, z), keeps (y, z); gold flips nothing (a tie is no flip)
    assert "disagrees with the real one** on 2 of 3 pairs" in md
    assert "`y` above `x`" in md and "`z` above `x`" in md and "`z` above `y`" not in md
    assert "The gold ranking agrees with the real one" in md
