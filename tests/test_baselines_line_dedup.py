"""Line-dedup baselines on hand-made pages, checked against an independent similarity."""

from __future__ import annotations

import itertools
import random

import pytest
from toy_pages import toy_pages

from presscut.baselines import registry
from presscut.baselines.line_dedup import ExactLineDedup, NearLineDedup
from presscut.baselines.segment_common import load
from presscut.errors import PresscutError
from presscut.schema import is_blank


def _one(model, lines):
    return model.predict([{"doc_id": "d", "lines": lines}])[0]["groups"]


def _check_groups(lines, groups):
    seen = set()
    for g in groups:
        assert len(g) >= 2 and g == sorted(g)
        assert not seen & set(g)
        seen |= set(g)
        assert all(0 <= i < len(lines) and not is_blank(lines[i]) for i in g)
    assert groups == sorted(groups)


def test_exact_normalises_case_space_and_end_punctuation():
    lines = [
        "Kim Lays Out Key Goals",  # 0
        "",  # 1
        "  kim lays  out KEY goals.  ",  # 2
        "\u00a0",  # 3 NBSP-only: blank, never grouped with 1
        "“Kim lays out key goals”",  # 4 curly quotes at the ends
        "Kim lays out key goals now",  # 5 different text
        "TT",  # 6
        "tt",  # 7
        "Once only",  # 8
    ]
    groups = _one(ExactLineDedup(), lines)
    assert groups == [[0, 2, 4], [6, 7]]


def test_exact_keeps_inner_punctuation_and_cjk():
    lines = ["U.S. says no", "US says no", "金正恩讲话。", "金正恩讲话", "金正恩讲话!"]
    assert _one(ExactLineDedup(), lines) == [[2, 3, 4]]


def test_near_groups_typos_and_joins_transitively():
    a = "North Korean leader Kim Jong Un presented unspecified goals to bolster his military"
    b = a.replace("presented", "presnted")  # one deletion
    c = b.replace("bolster", "bolstr")  # chain: c ~ b ~ a
    other = "Iran said on Thursday that accusations it had targeted officials were baseless"
    lines = [a, "", other, b, "Share", c, "Share"]
    groups = _one(NearLineDedup(threshold=0.97, containment=False), lines)
    assert groups == [[0, 3, 5], [4, 6]]


def test_near_short_lines_only_join_exact_groups():
    lines = ["TT", "TA", "20", "21", "TT"]
    assert _one(NearLineDedup(threshold=0.4), lines) == [[0, 4]]


def test_near_containment_joins_caption_and_credited_copy():
    cap = "North Korea’s Kim Jong-Un at the Workers’ Party meeting"
    lines = [cap, cap + " (KCNA VIA KNS/AFP via Getty Image)", "Unrelated line of body text here."]
    assert _one(NearLineDedup(), lines) == [[0, 1]]
    assert _one(NearLineDedup(containment=False), lines) == []


def test_near_jaccard_by_hand():
    # word bigrams: {a b, b c, c d, d e} vs {a b, b c, c d, d f}: J = 3/5 = 0.6
    lines = ["alpha beta gamma delta epsilon", "alpha beta gamma delta phi"]
    jac = dict(method="jaccard", shingle=2, min_chars=5, containment=False)
    assert _one(NearLineDedup(threshold=0.6, **jac), lines) == [[0, 1]]
    assert _one(NearLineDedup(threshold=0.61, **jac), lines) == []


def _indel_similarity(a: str, b: str) -> float:
    """1 - Indel distance / (len a + len b), by an LCS dynamic programme (no rapidfuzz)."""
    prev = [0] * (len(b) + 1)
    for ca in a:
        cur = [0]
        for j, cb in enumerate(b):
            cur.append(prev[j] + 1 if ca == cb else max(prev[j + 1], cur[j]))
        prev = cur
    lcs = prev[-1]
    return 2 * lcs / (len(a) + len(b)) if a or b else 1.0


def test_near_ratio_pairs_agree_with_independent_similarity():
    rng = random.Random(5)
    base = "the council approved the harbour budget after a long debate on monday"
    lines = []
    for _ in range(12):
        chars = list(base)
        for _ in range(rng.randint(0, 12)):
            chars[rng.randrange(len(chars))] = rng.choice("xyzq ")
        lines.append("".join(chars))
    thr = 0.9
    groups = _one(NearLineDedup(threshold=thr, min_chars=0, containment=False), lines)
    group_of = {i: k for k, g in enumerate(groups) for i in g}
    # every pair above the threshold shares a group ...
    for i, j in itertools.combinations(range(len(lines)), 2):
        norm_i, norm_j = (" ".join(x.split()) for x in (lines[i], lines[j]))
        if _indel_similarity(norm_i, norm_j) >= thr:
            assert group_of.get(i) is not None and group_of.get(i) == group_of.get(j)
    # ... and every group is connected by such pairs
    for g in groups:
        linked = {g[0]}
        changed = True
        while changed:
            changed = False
            for x in g:
                if x not in linked and any(
                    _indel_similarity(" ".join(lines[x].split()), " ".join(lines[y].split()))
                    >= thr for y in linked):
                    linked.add(x)
                    changed = True
        assert linked == set(g)


@pytest.mark.parametrize("name", ["dedup-exact", "dedup-near"])
def test_contract_and_save_load(name, tmp_path):
    pages = toy_pages(8, seed=4) + [{"doc_id": "empty", "lines": ["", " "]},
                                     {"doc_id": "single", "lines": ["x"]}]
    model = registry.create(name)
    assert model.fit(pages) is model
    recs = model.predict(pages)
    assert [r["doc_id"] for r in recs] == [p["doc_id"] for p in pages]
    for page, rec in zip(pages, recs):
        assert set(rec) == {"doc_id", "groups"}
        _check_groups(page["lines"], rec["groups"])
    again = load(model.save(tmp_path / name))
    assert type(again) is type(model) and again.get_params() == model.get_params()
    assert again.predict(pages) == recs


def test_near_finds_everything_exact_finds():
    pages = toy_pages(10, seed=9)
    exact = ExactLineDedup().predict(pages)
    near = NearLineDedup().predict(pages)
    for e, n in zip(exact, near):
        near_of = {i: k for k, g in enumerate(n["groups"]) for i in g}
        for g in e["groups"]:
            assert len({near_of.get(i) for i in g}) == 1 and near_of.get(g[0]) is not None


def test_bad_parameters_are_user_errors():
    with pytest.raises(PresscutError, match="method"):
        NearLineDedup(method="cosine").fit([])
    with pytest.raises(PresscutError, match="threshold"):
        NearLineDedup(threshold=0).predict([{"doc_id": "d", "lines": ["a", "a"]}])
