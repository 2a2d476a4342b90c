"""The harness metrics against independent references (nltk, segeval, scikit-learn, scipy)
on random inputs, and against hand computation on small and degenerate cases."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from nltk.metrics.segmentation import pk as nltk_pk
from nltk.metrics.segmentation import windowdiff as nltk_windowdiff
from scipy.optimize import linear_sum_assignment
from sklearn.metrics import adjusted_rand_score, f1_score
from sklearn.metrics.cluster import pair_confusion_matrix

from presscut.harness import metrics as m

TOL = 1e-9
SETTINGS = settings(max_examples=150, deadline=None)


# ------------------------------------------------------------------ strategies
@st.composite
def boundary_pair(draw):
    """Two 0/1 boundary sequences over the same units and a window 1 <= k <= len."""
    n_gaps = draw(st.integers(1, 40))
    ref = draw(st.lists(st.integers(0, 1), min_size=n_gaps, max_size=n_gaps))
    hyp = draw(st.lists(st.integers(0, 1), min_size=n_gaps, max_size=n_gaps))
    k = draw(st.integers(1, n_gaps))
    return ref, hyp, k


labels = st.lists(st.sampled_from("abcde"), min_size=1, max_size=40)


@st.composite
def two_labelings(draw):
    gold = draw(labels)
    pred = draw(st.lists(st.sampled_from("vwxyz"), min_size=len(gold), max_size=len(gold)))
    return gold, pred


def masses(bounds):
    """Boundary indicators → segment sizes (segeval's input format)."""
    out = [1]
    for b in bounds:
        if b:
            out.append(1)
        else:
            out[-1] += 1
    return out


# ------------------------------------------------------------------ Pk / WindowDiff
@SETTINGS
@given(boundary_pair())
def test_pk_and_windowdiff_match_nltk(case):
    ref, hyp, k = case
    # nltk reads strings and counts boundary="1" (its default, passed explicitly)
    r, h = "".join(map(str, ref)), "".join(map(str, hyp))
    assert m.pk(ref, hyp, k) == pytest.approx(nltk_pk(r, h, k, boundary="1"), abs=TOL)
    assert m.windowdiff(ref, hyp, k) == pytest.approx(
        nltk_windowdiff(r, h, k, boundary="1"), abs=TOL
    )


@SETTINGS
@given(boundary_pair())
def test_pk_and_windowdiff_match_segeval(case):
    segeval = pytest.importorskip("segeval")
    ref, hyp, k = case
    # segeval takes (hypothesis, reference) as masses, returns Decimal and has its own
    # default window, so the window is always passed
    assert m.pk(ref, hyp, k) == pytest.approx(
        float(segeval.pk(masses(hyp), masses(ref), window_size=k)), abs=TOL
    )
    assert m.windowdiff(ref, hyp, k) == pytest.approx(
        float(segeval.window_diff(masses(hyp), masses(ref), window_size=k)), abs=TOL
    )


def test_default_window_is_half_mean_reference_segment_rounded_up():
    # 6 units in 2 segments: mean 3, half 1.5 → 2
    assert m.default_window([0, 0, 1, 0, 0]) == 2
    # 10 units, one segment: 5
    assert m.default_window([0] * 9) == 5
    # 4 units in 4 segments: 0.5 → 1 (never below 1)
    assert m.default_window([1, 1, 1]) == 1


def test_pk_degenerate_inputs():
    assert m.pk([], []) is None and m.windowdiff([], []) is None  # a single unit
    assert m.pk([0, 0, 0], [0, 0, 0]) == 0.0  # one segment each
    # reference without a boundary, hypothesis with one in the middle: k = 2,
    # windows (0,1),(1,2) both see the hypothesis boundary at gap 1 → both wrong
    assert m.pk([0, 0, 0], [0, 1, 0]) == 1.0
    with pytest.raises(ValueError):
        m.pk([0], [0, 1])


# ------------------------------------------------------------------ clusterings
@SETTINGS
@given(two_labelings())
def test_pair_counts_match_sklearn_pair_confusion(case):
    gold, pred = case
    (tn2, fp2), (fn2, tp2) = pair_confusion_matrix(gold, pred)  # ordered pairs
    tp, fp, fn, tn = m.pair_counts(gold, pred)
    assert (2 * tp, 2 * fp, 2 * fn, 2 * tn) == (tp2, fp2, fn2, tn2)


@SETTINGS
@given(two_labelings())
def test_ari_matches_sklearn(case):
    gold, pred = case
    assert m.ari(gold, pred) == pytest.approx(adjusted_rand_score(gold, pred), abs=TOL)


def _bcubed_reference(gold, pred):
    n = len(gold)
    p = r = 0.0
    for i in range(n):
        same_pred = {j for j in range(n) if pred[j] == pred[i]}
        same_gold = {j for j in range(n) if gold[j] == gold[i]}
        both = len(same_pred & same_gold)
        p += both / len(same_pred)
        r += both / len(same_gold)
    return p / n, r / n


@SETTINGS
@given(two_labelings())
def test_bcubed_matches_item_by_item_definition(case):
    gold, pred = case
    p, r, f = m.bcubed(gold, pred)
    rp, rr = _bcubed_reference(gold, pred)
    assert p == pytest.approx(rp, abs=TOL) and r == pytest.approx(rr, abs=TOL)
    assert f == pytest.approx(2 * rp * rr / (rp + rr), abs=TOL)


def test_bcubed_hand_case():
    # gold {0,1} {2,3,4}; pred {0,1,2} {3,4}
    gold, pred = "aabbb", "xxxyy"
    # precision: items 0,1: 2/3; item 2: 1/3; items 3,4: 2/2 → (2/3+2/3+1/3+1+1)/5 = 11/15
    # recall:    items 0,1: 2/2; item 2: 1/3; items 3,4: 2/3 → (1+1+1/3+2/3+2/3)/5 = 11/15
    p, r, f = m.bcubed(gold, pred)
    assert p == pytest.approx(11 / 15) and r == pytest.approx(11 / 15) and f == pytest.approx(11 / 15)


def test_clustering_degenerate_cases():
    singletons = list(range(6))
    # all singletons on both sides: no pairs anywhere → perfect by convention, ARI 1 like sklearn
    assert m.pairwise_prf(singletons, singletons) == (1.0, 1.0, 1.0)
    assert m.ari(singletons, singletons) == adjusted_rand_score(singletons, singletons) == 1.0
    # one big predicted cluster against singletons: every predicted pair is wrong
    p, r, f = m.pairwise_prf(singletons, [0] * 6)
    assert (p, r, f) == (0.0, 0.0, 0.0)
    assert m.bcubed(singletons, [0] * 6)[:2] == pytest.approx((1 / 6, 1.0))
    assert m.ari(singletons, [0] * 6) == pytest.approx(adjusted_rand_score(singletons, [0] * 6))


# ------------------------------------------------------------------ labels
@SETTINGS
@given(st.data())
def test_macro_f1_matches_sklearn_over_present_labels(data):
    gold = data.draw(st.lists(st.sampled_from("abcd"), min_size=1, max_size=40))
    pred = data.draw(st.lists(st.sampled_from("abcde"), min_size=len(gold), max_size=len(gold)))
    present = sorted(set(gold) | set(pred))
    ref = f1_score(gold, pred, labels=present, average="macro", zero_division=0)
    assert m.macro_f1(gold, pred) == pytest.approx(ref, abs=TOL)


def test_role_counts_skip_blank_lines_and_count_blank_predictions_as_misses():
    lines = ["Head", "", "Body one", "\u00a0", "Body two"]
    gold = ["title", "blank", "body", "blank", "body"]
    pred = ["title", "body", "blank", "title", "body"]  # entries on blank lines ignored
    c = m.role_counts(lines, gold, pred)
    assert c["title"] == (1, 0, 0)
    assert c["body"] == (1, 0, 1)  # "blank" on a content line is a miss, not a body FP


def test_accuracy_and_empty():
    assert m.accuracy(["a", "b", "c", "d"], ["a", "x", "c", "x"]) == 0.5
    assert m.accuracy([], []) == 1.0


# ------------------------------------------------------------------ FNC-1
def _fnc_official(gold, pred):
    """FNC-1's score_submission logic, as published with the challenge."""
    related = ["agree", "disagree", "discuss"]
    score = 0.0
    for g, t in zip(gold, pred):
        if g == t:
            score += 0.25
            if g != "unrelated":
                score += 0.50
        if g in related and t in related:
            score += 0.25
    best = sum(1.0 if g in related else 0.25 for g in gold)
    return score / best


def test_fnc_score_hand_case():
    gold = ["agree", "disagree", "discuss", "unrelated", "unrelated"]
    pred = ["agree", "discuss", "unrelated", "unrelated", "agree"]
    # agree/agree 1.0; disagree/discuss 0.25; discuss/unrelated 0; unrelated ok 0.25; 0
    # max = 3 * 1.0 + 2 * 0.25 = 3.5
    assert m.fnc_score(gold, pred) == pytest.approx(1.5 / 3.5)
    assert m.fnc_score(["unrelated"] * 3, ["unrelated"] * 3) == 1.0


@SETTINGS
@given(st.data())
def test_fnc_score_matches_official_formula(data):
    stances = ["agree", "disagree", "discuss", "unrelated"]
    gold = data.draw(st.lists(st.sampled_from(stances), min_size=1, max_size=30))
    pred = data.draw(st.lists(st.sampled_from(stances), min_size=len(gold), max_size=len(gold)))
    assert m.fnc_score(gold, pred) == pytest.approx(_fnc_official(gold, pred), abs=TOL)


# ------------------------------------------------------------------ body text
def test_body_shingle_f1_hand_case():
    gold = "the cat sat on the mat today"  # 4-grams: 4
    pred = "the cat sat on the rug today"  # shares "the cat sat on", "cat sat on the"
    p, r, f = m.body_prf(gold, pred)
    assert (p, r, f) == pytest.approx((2 / 4, 2 / 4, 0.5))


def test_body_shingles_are_sets_and_casefolded():
    gold = "A b c d. A B C D"  # 4-grams: abcd, bcda, cdab, dabc, abcd → set of 4
    assert m.shingle_counts(gold, gold.upper()) == (4, 4, 4)


def test_short_texts_use_the_words_available():
    # 3 words each side: one 3-gram each, equal
    assert m.body_prf("Kim meets Xi", "kim meets xi") == (1.0, 1.0, 1.0)
    # 2-word gold inside a longer prediction: shingled with n=2 on both sides
    assert m.shingle_counts("Kim meets", "Kim meets Xi today") == (1, 3, 1)


def test_empty_body_conventions():
    assert m.body_prf("", "") == (1.0, 1.0, 1.0)
    assert m.body_prf("some gold body text here", "") == (0.0, 0.0, 0.0)
    assert m.body_prf("", "predicted text that is not body") == (0.0, 0.0, 0.0)


# ------------------------------------------------------------------ boundaries
def _max_matching(pred, gold, tol):
    if not pred or not gold:
        return 0
    cost = np.array([[-(abs(p - g) <= tol) for g in gold] for p in pred], dtype=float)
    rows, cols = linear_sum_assignment(cost)
    return int(-cost[rows, cols].sum())


@SETTINGS
@given(st.lists(st.integers(0, 30), max_size=12), st.lists(st.integers(0, 30), max_size=12),
       st.integers(0, 2))
def test_greedy_boundary_matching_is_a_maximum_matching(pred, gold, tol):
    assert m.match_count(sorted(pred), sorted(gold), tol) == _max_matching(pred, gold, tol)


def test_boundaries_ignore_blank_lines_and_tolerate_one_line():
    lines = ["T", "", "b1", "b2", "", "x", "T2", "c"]
    gold = [(0, 4), (6, 8)]
    # predicted first span ends after the blank line: same non-blank position → exact
    assert m.boundary_counts(gold, [(0, 5), (6, 8)], lines) == (4, 4, 4)
    # second article predicted to start one content line early (at "x")
    assert m.boundary_counts(gold, [(0, 4), (5, 8)], lines, tol=0) == (3, 4, 4)
    assert m.boundary_counts(gold, [(0, 4), (5, 8)], lines, tol=1) == (4, 4, 4)
    # starts never match ends: one article over everything vs two
    assert m.boundary_counts(gold, [(0, 8)], lines) == (2, 2, 4)


def test_segment_labels_over_non_blank_lines():
    lines = ["a", "", "b", "c", "d"]
    assert m.segment_labels(lines, [(0, 3)]) == [0, 0, -1, -1]
    assert m.boundaries(m.segment_labels(lines, [(0, 3), (3, 5)])) == [0, 1, 0]


def test_prf_conventions():
    assert m.prf(0, 0, 0) == (1.0, 1.0, 1.0)
    assert m.prf(0, 0, 3) == (0.0, 0.0, 0.0)
    assert m.prf(0, 2, 0) == (0.0, 0.0, 0.0)
    assert m.prf(1, 2, 4) == pytest.approx((0.5, 0.25, 1 / 3))


@SETTINGS
@given(two_labelings(), st.randoms(use_true_random=False))
def test_resampled_pair_counts_leave_out_copies_of_one_item(case, rnd):
    """On a bootstrap resample, pairs between copies of one drawn item are not pairs.

    Reference: enumerate the pairs of draw positions by brute force, skipping those
    whose two draws are the same original item.
    """
    from presscut.harness.scoring import cluster_scores_from_codes, codes, self_pairs

    gold, pred = case
    idx = np.array([rnd.randrange(len(gold)) for _ in range(len(gold))])
    tp = fp = fn = tn = 0
    for a in range(len(idx)):
        for b in range(a + 1, len(idx)):
            i, j = idx[a], idx[b]
            if i == j:
                continue
            same_g, same_p = gold[i] == gold[j], pred[i] == pred[j]
            tp += same_g and same_p
            fp += same_p and not same_g
            fn += same_g and not same_p
            tn += not same_g and not same_p
    g, p = codes(gold), codes(pred)
    fast = cluster_scores_from_codes(g[idx], p[idx], self_pairs(idx))
    assert fast["pairwise_f1"] == pytest.approx(m.prf(tp, tp + fp, tp + fn)[2], abs=TOL)
    if fp or fn:
        den = (tp + fn) * (fn + tn) + (tp + fp) * (fp + tn)
        ari = 2.0 * (tp * tn - fn * fp) / den if den else 1.0
        assert fast["ari"] == pytest.approx(ari, abs=TOL)


@SETTINGS
@given(two_labelings())
def test_vectorised_cluster_scores_match_the_pure_functions(case):
    from presscut.harness.scoring import cluster_scores_from_codes, codes

    gold, pred = case
    fast = cluster_scores_from_codes(codes(gold), codes(pred))
    pp, pr, pf = m.pairwise_prf(gold, pred)
    bp, br, bf = m.bcubed(gold, pred)
    expected = {"pairwise_precision": pp, "pairwise_recall": pr, "pairwise_f1": pf,
                "ari": m.ari(gold, pred), "bcubed_precision": bp, "bcubed_recall": br,
                "bcubed_f1": bf}
    for name, value in expected.items():
        assert fast[name] == pytest.approx(value, abs=TOL), name


# ------------------------------------------------------------------ dedup recall by edit level
N_LEVELS = 4


def brute_level_counts(gold, pred, levels, n_levels=N_LEVELS, origin=None):
    """Every pair of items, one at a time: (tp, gold pairs) per max(level) of the pair.
    ``origin`` names the item each position copies (a bootstrap draw); pairs of copies
    of one item are left out."""
    out = [[0, 0] for _ in range(n_levels)]
    n = len(gold)
    for i in range(n):
        for j in range(i + 1, n):
            if gold[i] != gold[j] or (origin is not None and origin[i] == origin[j]):
                continue
            level = max(levels[i], levels[j])
            out[level][1] += 1
            out[level][0] += pred[i] == pred[j]
    return [tuple(x) for x in out]


@st.composite
def levelled_clustering(draw):
    # few gold clusters, so that clusters are big and hold every level
    n = draw(st.integers(0, 60))
    gold = draw(st.lists(st.sampled_from("abc"), min_size=n, max_size=n))
    pred = draw(st.lists(st.sampled_from("vwxyz"), min_size=n, max_size=n))
    levels = draw(st.lists(st.integers(0, N_LEVELS - 1), min_size=n, max_size=n))
    return gold, pred, levels


@SETTINGS
@given(levelled_clustering())
def test_pair_counts_by_level_match_pair_enumeration(case):
    gold, pred, levels = case
    assert m.pair_counts_by_level(gold, pred, levels, N_LEVELS) == brute_level_counts(
        gold, pred, levels)


@SETTINGS
@given(levelled_clustering(), st.data())
def test_vectorised_level_counts_match_pair_enumeration(case, data):
    from presscut.harness.scoring import codes
    from presscut.tasks.article_dedup import level_pair_counts_from_codes

    gold, pred, levels = case
    g, cells = codes(gold), codes(list(zip(gold, pred)))
    lv = np.asarray(levels, dtype=np.int64)
    fast = level_pair_counts_from_codes(g, cells, lv, N_LEVELS)
    assert fast.tolist() == [list(x) for x in brute_level_counts(gold, pred, levels)]
    if gold:  # a bootstrap draw: items repeat, copies of one item never pair
        idx = np.asarray(data.draw(st.lists(st.integers(0, len(gold) - 1),
                                            min_size=len(gold), max_size=len(gold))))
        fast = level_pair_counts_from_codes(g, cells, lv, N_LEVELS, idx)
        slow = brute_level_counts([gold[i] for i in idx], [pred[i] for i in idx],
                                  [levels[i] for i in idx], origin=idx.tolist())
        assert fast.tolist() == [list(x) for x in slow]


def test_pair_counts_by_level_hand_case():
    # cluster A: levels 0, 0, 1, 3; the level-3 copy is missed. Cluster B: two level-2
    # copies split apart. Cluster C: a singleton, no pairs.
    gold = ["A", "A", "A", "A", "B", "B", "C"]
    pred = ["x", "x", "x", "y", "z", "w", "x"]
    levels = [0, 0, 1, 3, 2, 2, 0]
    # L0: (a0,a1) found; L1: (a0,a2), (a1,a2) found; L2: (b0,b1) missed;
    # L3: the three pairs with a3 missed
    assert m.pair_counts_by_level(gold, pred, levels, 4) == [(1, 1), (2, 2), (0, 1), (0, 3)]
    assert m.pair_counts_by_level([], [], [], 4) == [(0, 0)] * 4


def test_pair_counts_by_level_scale_with_a_big_cluster():
    # 600 copies of one article, one of them heavily edited and split off: C(599, 2) exact
    # pairs all found, 599 level-3 pairs all missed — counted without enumerating pairs
    n = 600
    gold, pred = ["A"] * n, ["x"] * (n - 1) + ["y"]
    levels = [0] * (n - 1) + [3]
    assert m.pair_counts_by_level(gold, pred, levels, 4) == [
        (599 * 598 // 2, 599 * 598 // 2), (0, 0), (0, 0), (0, n - 1)]


def test_pair_counts_by_level_rejects_bad_input():
    with pytest.raises(ValueError, match="outside"):
        m.pair_counts_by_level(["a"], ["x"], [4], 4)
    with pytest.raises(ValueError, match="length"):
        m.pair_counts_by_level(["a"], ["x", "y"], [0], 4)


@pytest.mark.parametrize("n", [777, 20_011])  # within one block, and over several
def test_bootstrap_weighted_sums_add_items_in_order(n):
    """The bootstrap's weighted column sums are the item-by-item sums, to the last bit.

    A BLAS product sums in an order that depends on the CPU, which made committed CIs
    differ in their last digit between machines.
    """
    import numpy as np

    from presscut.harness.bootstrap import weighted_sums

    rng = np.random.default_rng(3)
    rows = rng.random((n, 5)) * 10.0 ** rng.integers(-8, 8, (n, 5))
    weights = np.bincount(rng.integers(0, n, n), minlength=n).astype(float)
    expected = [0.0] * 5
    for w, row in zip(weights.tolist(), rows.tolist()):
        for j, x in enumerate(row):
            expected[j] += x * w
    assert weighted_sums(weights, rows).tolist() == expected
