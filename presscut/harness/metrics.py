"""Pure metric functions. No I/O, no task knowledge: lists in, numbers out.

Conventions that are choices, spelled out once here:
- P/R/F1 with nothing predicted and nothing in the reference is 1.0 (a perfect
  answer to an empty question); with only one side empty it is 0.0.
- Word shingles: words are Unicode ``\\w+`` runs of the casefolded text. A text with
  fewer than ``n`` words still needs to be comparable, so a page pair is shingled with
  ``n' = min(n, words in the shorter non-empty side)`` on both sides: a 3-word gold
  body against a 3-word prediction compares the two 3-grams instead of two empty sets.
- Segments for Pk/WindowDiff are maximal runs of non-blank lines that lie in the same
  article (or outside every article); Pk/WindowDiff are undefined (None) for fewer than
  two non-blank lines.
"""

from __future__ import annotations

import math
import re
from collections import Counter
from collections.abc import Hashable, Iterable, Sequence

from presscut.schema import SCORED_ROLES, STANCES, is_blank

_WORD = re.compile(r"\w+")
RELATED = frozenset(s for s in STANCES if s != "unrelated")


# ------------------------------------------------------------------ P/R/F1
def prf(tp: float, n_pred: float, n_gold: float) -> tuple[float, float, float]:
    """Precision, recall, F1 from counts (see the module's empty-case convention)."""
    if n_pred == 0 and n_gold == 0:
        return 1.0, 1.0, 1.0
    p = tp / n_pred if n_pred else 0.0
    r = tp / n_gold if n_gold else 0.0
    f = 2 * p * r / (p + r) if p + r else 0.0
    return p, r, f


def f1(p: float, r: float) -> float:
    return 2 * p * r / (p + r) if p + r else 0.0


# ------------------------------------------------------------------ body text
def words(text: str) -> list[str]:
    return _WORD.findall(text.casefold())


def shingles(ws: Sequence[str], n: int) -> set[tuple[str, ...]]:
    if not ws:
        return set()
    n = min(n, len(ws))
    # zip over shifted views builds the n-grams in C; same set as slicing ws[i:i+n]
    return set(zip(*(ws[i:] for i in range(n))))


def shingle_counts(gold_text: str, pred_text: str, n: int = 4) -> tuple[int, int, int]:
    """(shared, predicted, gold) set sizes of word n-gram shingles."""
    return shingle_counts_words(words(gold_text), words(pred_text), n)


def shingle_counts_words(gw: Sequence[str], pw: Sequence[str], n: int = 4) -> tuple[int, int, int]:
    if gw and pw:
        n = min(n, len(gw), len(pw))
    gs, ps = shingles(gw, n), shingles(pw, n)
    return len(gs & ps), len(ps), len(gs)


def body_prf(gold_text: str, pred_text: str, n: int = 4) -> tuple[float, float, float]:
    return prf(*shingle_counts(gold_text, pred_text, n))


def body_text(lines: Sequence[str], roles: Sequence[str]) -> str:
    """The page's body text: its non-blank ``body`` lines joined by newlines."""
    return "\n".join(x for x, r in zip(lines, roles) if r == "body" and not is_blank(x))


# ------------------------------------------------------------------ boundaries
def blank_mask(lines: Sequence[str]) -> list[bool]:
    return [is_blank(x) for x in lines]


def nonblank_index(lines: Sequence[str], blank: Sequence[bool] | None = None) -> list[int]:
    """``pos[i]`` = number of non-blank lines before line ``i`` (len = n_lines + 1)."""
    blank = blank_mask(lines) if blank is None else blank
    pos = [0]
    for b in blank:
        pos.append(pos[-1] + (not b))
    return pos


def boundary_positions(
    articles: Iterable[Sequence[int]], pos: Sequence[int]
) -> tuple[list[int], list[int]]:
    """Article starts and ends as gaps between non-blank lines (sorted lists).

    Start ``s`` maps to the number of non-blank lines before it, end ``e`` (exclusive)
    likewise, so blank lines never move a boundary.
    """
    starts = sorted(pos[s] for s, _ in articles)
    ends = sorted(pos[e] for _, e in articles)
    return starts, ends


def match_count(pred: Sequence[int], gold: Sequence[int], tol: int = 0) -> int:
    """Size of a maximum one-to-one matching with ``|p - g| <= tol`` (inputs sorted).

    Greedy over sorted points is optimal here: each point can only match a contiguous
    window of the other side, and those windows are ordered.
    """
    i = j = m = 0
    while i < len(pred) and j < len(gold):
        if abs(pred[i] - gold[j]) <= tol:
            m += 1
            i += 1
            j += 1
        elif pred[i] < gold[j]:
            i += 1
        else:
            j += 1
    return m


def boundary_counts(
    gold_articles: Sequence[Sequence[int]],
    pred_articles: Sequence[Sequence[int]],
    lines: Sequence[str],
    tol: int = 0,
    blank: Sequence[bool] | None = None,
) -> tuple[int, int, int]:
    """(matched, predicted, gold) boundaries; starts only match starts, ends only ends."""
    pos = nonblank_index(lines, blank)
    gs, ge = boundary_positions(gold_articles, pos)
    ps, pe = boundary_positions(pred_articles, pos)
    matched = match_count(ps, gs, tol) + match_count(pe, ge, tol)
    return matched, len(ps) + len(pe), len(gs) + len(ge)


# ------------------------------------------------------------------ Pk / WindowDiff
def segment_labels(
    lines: Sequence[str],
    articles: Iterable[Sequence[int]],
    blank: Sequence[bool] | None = None,
) -> list[int]:
    """Per non-blank line: the index of the article holding it, -1 outside all."""
    blank = blank_mask(lines) if blank is None else blank
    owner = [-1] * len(lines)
    for k, (s, e) in enumerate(articles):
        owner[s:e] = [k] * (e - s)
    return [o for o, b in zip(owner, blank) if not b]


def boundaries(labels: Sequence[Hashable]) -> list[int]:
    """0/1 per gap between consecutive units: 1 where the segment changes."""
    return [int(a != b) for a, b in zip(labels, labels[1:])]


def default_window(ref_bounds: Sequence[int]) -> int:
    """Half the mean reference segment length, rounded half up, at least 1."""
    n_units = len(ref_bounds) + 1
    n_segments = sum(ref_bounds) + 1
    return max(1, math.floor(n_units / (2 * n_segments) + 0.5))


def _window_sums(bounds: Sequence[int], k: int) -> list[int]:
    acc = [0]
    for b in bounds:
        acc.append(acc[-1] + b)
    return [acc[i + k] - acc[i] for i in range(len(bounds) - k + 1)]


def _probe_sums(
    ref_bounds: Sequence[int], hyp_bounds: Sequence[int], k: int | None
) -> tuple[list[int], list[int]] | None:
    """Boundary counts in every probe window of reference and hypothesis (None: no gaps)."""
    if len(ref_bounds) != len(hyp_bounds):
        raise ValueError("segmentations of different length")
    if not ref_bounds:
        return None
    k = default_window(ref_bounds) if k is None else k
    k = min(k, len(ref_bounds))
    return _window_sums(ref_bounds, k), _window_sums(hyp_bounds, k)


def pk(ref_bounds: Sequence[int], hyp_bounds: Sequence[int], k: int | None = None) -> float | None:
    """Beeferman's Pk over boundary indicators between units (lower is better).

    Probes units ``i`` and ``i + k``; with ``m`` gaps there are ``m - k + 1`` probes.
    """
    sums = _probe_sums(ref_bounds, hyp_bounds, k)
    if sums is None:
        return None
    r, h = sums
    return sum((a > 0) != (b > 0) for a, b in zip(r, h)) / len(r)


def windowdiff(
    ref_bounds: Sequence[int], hyp_bounds: Sequence[int], k: int | None = None
) -> float | None:
    """Pevzner & Hearst's WindowDiff (lower is better); windows as in :func:`pk`."""
    sums = _probe_sums(ref_bounds, hyp_bounds, k)
    if sums is None:
        return None
    r, h = sums
    return sum(a != b for a, b in zip(r, h)) / len(r)


# ------------------------------------------------------------------ labels
def label_counts(
    gold: Sequence[str], pred: Sequence[str], labels: Sequence[str]
) -> dict[str, tuple[int, int, int]]:
    """Per label (tp, fp, fn). A prediction outside ``labels`` is only a miss."""
    tp, fp, fn = Counter(), Counter(), Counter()
    wanted = set(labels)
    for g, p in zip(gold, pred):
        if g == p:
            if g in wanted:
                tp[g] += 1
            continue
        if p in wanted:
            fp[p] += 1
        if g in wanted:
            fn[g] += 1
    return {lab: (tp[lab], fp[lab], fn[lab]) for lab in labels}


def per_label_f1(counts: dict[str, tuple[int, int, int]]) -> dict[str, float]:
    """F1 per label; a label with no gold and no predicted item has none (skipped)."""
    out = {}
    for lab, (tp, fp, fn) in counts.items():
        if tp + fp + fn == 0:
            continue
        out[lab] = prf(tp, tp + fp, tp + fn)[2]
    return out


def macro_f1(gold: Sequence[str], pred: Sequence[str], labels: Sequence[str] | None = None) -> float:
    """Mean F1 over the labels that occur in gold or predictions (restricted to ``labels``).

    Equals ``sklearn.metrics.f1_score(gold, pred, labels=present, average="macro")``.
    """
    labels = sorted(set(gold) | set(pred)) if labels is None else labels
    scores = per_label_f1(label_counts(gold, pred, labels))
    return sum(scores.values()) / len(scores) if scores else 1.0


def role_counts(
    lines: Sequence[str],
    gold_roles: Sequence[str],
    pred_roles: Sequence[str],
    blank: Sequence[bool] | None = None,
) -> dict[str, tuple[int, int, int]]:
    """Per scored role (tp, fp, fn) over the page's non-blank lines."""
    blank = blank_mask(lines) if blank is None else blank
    keep = [i for i, b in enumerate(blank) if not b]
    return label_counts(
        [gold_roles[i] for i in keep], [pred_roles[i] for i in keep], SCORED_ROLES
    )


def accuracy(gold: Sequence[Hashable], pred: Sequence[Hashable]) -> float:
    if not gold:
        return 1.0
    return sum(g == p for g, p in zip(gold, pred)) / len(gold)


# ------------------------------------------------------------------ stance
def fnc_points(gold: str, pred: str) -> tuple[float, float]:
    """(points earned, points possible) for one pair under FNC-1's weighted score."""
    possible = 1.0 if gold in RELATED else 0.25
    earned = 0.0
    if gold == pred:
        earned += 0.25
        if gold in RELATED:
            earned += 0.50
    if gold in RELATED and pred in RELATED:
        earned += 0.25
    return earned, possible


def fnc_score(gold: Sequence[str], pred: Sequence[str]) -> float:
    """FNC-1's relative score: weighted points as a fraction of the maximum possible."""
    earned = possible = 0.0
    for g, p in zip(gold, pred):
        e, m = fnc_points(g, p)
        earned += e
        possible += m
    return earned / possible if possible else 1.0


# ------------------------------------------------------------------ clusterings
def _comb2(n: int) -> int:
    return n * (n - 1) // 2


def pair_counts(gold: Sequence[Hashable], pred: Sequence[Hashable]) -> tuple[int, int, int, int]:
    """(tp, fp, fn, tn) over unordered item pairs: same cluster in pred / in gold.

    Half of each entry of ``sklearn.metrics.cluster.pair_confusion_matrix``.
    """
    n = len(gold)
    same_both = sum(_comb2(c) for c in Counter(zip(gold, pred)).values())
    same_gold = sum(_comb2(c) for c in Counter(gold).values())
    same_pred = sum(_comb2(c) for c in Counter(pred).values())
    tp = same_both
    fp = same_pred - same_both
    fn = same_gold - same_both
    tn = _comb2(n) - tp - fp - fn
    return tp, fp, fn, tn


def pairwise_prf(gold: Sequence[Hashable], pred: Sequence[Hashable]) -> tuple[float, float, float]:
    tp, fp, fn, _ = pair_counts(gold, pred)
    return prf(tp, tp + fp, tp + fn)


def ari(gold: Sequence[Hashable], pred: Sequence[Hashable]) -> float:
    """Adjusted Rand index from pair counts (as scikit-learn computes it)."""
    tp, fp, fn, tn = pair_counts(gold, pred)
    if fn == 0 and fp == 0:  # identical partitions, including the degenerate ones
        return 1.0
    num = 2.0 * (tp * tn - fn * fp)
    den = (tp + fn) * (fn + tn) + (tp + fp) * (fp + tn)
    return num / den if den else 1.0


def bcubed(gold: Sequence[Hashable], pred: Sequence[Hashable]) -> tuple[float, float, float]:
    """B-cubed precision, recall (means over items) and their harmonic mean.

    Item precision = |pred cluster ∩ gold cluster| / |pred cluster| (the item counts
    itself), recall likewise over the gold cluster (Bagga & Baldwin; Amigó et al.).
    """
    n = len(gold)
    if n == 0:
        return 1.0, 1.0, 1.0
    both = Counter(zip(gold, pred))
    g_size, p_size = Counter(gold), Counter(pred)
    p = sum(c * c / p_size[pl] for (_, pl), c in both.items()) / n
    r = sum(c * c / g_size[gl] for (gl, _), c in both.items()) / n
    return p, r, f1(p, r)


def pair_counts_by_level(
    gold: Sequence[Hashable],
    pred: Sequence[Hashable],
    levels: Sequence[int],
    n_levels: int,
) -> list[tuple[int, int]]:
    """(true positive pairs, gold pairs) per level, for pairs in one gold cluster.

    A pair's level is the larger of its two items' levels (0 .. n_levels - 1). Counted
    by group, never by pair — clusters can hold hundreds of items: in a group of items
    the pairs whose both levels are <= L number C(m_L, 2), with m_L its items of level
    <= L, so the pairs of level exactly L are C(m_L, 2) - C(m_{L-1}, 2). Groups are gold
    clusters for the gold pairs and (gold, pred) cells for the true positives.
    """
    if not len(gold) == len(pred) == len(levels):
        raise ValueError("gold, pred and levels differ in length")
    bad = [lv for lv in levels if not 0 <= lv < n_levels]
    if bad:
        raise ValueError(f"level {bad[0]!r} outside 0..{n_levels - 1}")

    def cumulative(groups: Counter) -> list[int]:
        per_group: dict[Hashable, list[int]] = {}
        for (key, level), c in groups.items():
            per_group.setdefault(key, [0] * n_levels)[level] += c
        out = [0] * n_levels
        for counts in per_group.values():
            m = 0
            for level in range(n_levels):
                m += counts[level]
                out[level] += _comb2(m)
        return out

    gold_cum = cumulative(Counter(zip(gold, levels)))
    tp_cum = cumulative(Counter(zip(zip(gold, pred), levels)))
    return [
        (tp_cum[k] - (tp_cum[k - 1] if k else 0), gold_cum[k] - (gold_cum[k - 1] if k else 0))
        for k in range(n_levels)
    ]
