"""seg-seq's title picker: which line above an article's first body line is its headline.

The role nets label each line on its own look and its neighbours', so on news pages they
give an article no headline (one above a byline and a date block), several (a teaser list's
headlines, a breadcrumb ending in the headline, a standfirst) or the wrong one. A headline
is one line, near the body, whose words come back in the body; the picker compares the
candidates of one article with each other on exactly that.

For each article (a span with body), the candidates are the up-to-``window`` non-blank,
non-body lines just above its first body line, not reaching into the article before. Each
gets a few features (how far above the body, its length and shape, the share of its words
found in the article's first ``BODY_WORDS`` body words and how that compares with the best
candidate's, copies on the page, a copy next to it); small MLPs (seg-seq's ``members``,
from successive seeds) give p(headline), averaged. When the best candidate reaches
``threshold`` it is the title, with its copy among the candidates (a double header), the
other candidates lose ``title``, and the span starts at its first article-role line.
Otherwise the article stays as the nets decoded it, and so it does when its span holds a
title above the window that reads as its headline (``far_headline``); a far title that does
not is boilerplate.

Fitted on the pages whose gold labels titles (``labelled_roles`` naming ``title``: the real
corpora that do), with the candidates taken from the gold body, and again with each body
started a line late (``SHIFTS``), as the nets sometimes start it. Synthetic pages are left
out: they label a page-title copy or a breadcrumb far above the body ``title``, which the
real news gold calls boilerplate, and fitted with them the picker scored lower on real
validation titles. Measured in docs/segmentation.md.
"""

from __future__ import annotations

import re

import numpy as np

from presscut.baselines.segment_seq_features import normalise_line, tokens
from presscut.schema import ARTICLE_ROLES

BODY_WORDS = 150  # the article's opening: where a headline's words come back
MIN_TOKEN = 3  # shorter tokens (articles, particles) say nothing about overlap
HIDDEN = (64, 32)
MAX_ITER = 200
# the picker is also fitted with each article's body started one line late: on the titled
# real validation pages the train-only fit starts it one line late on 5 of 47 pages and two
# on 1, and there the nearest candidate is a standfirst or first paragraph that the gold
# calls body, which the picker had never met as a negative
SHIFTS = (0, 1)
# a title above the window keeps the article as the nets decoded it only when it reads as
# the headline (docs/segmentation.md, "Picker members, late starts, far titles")
FAR_ECHO = 0.3
FAR_COPY = 0.5
# an article's first body line may challenge for the headline (``lead_threshold``) only with
# a headline's shape: no closing sentence mark and at most LEAD_WORDS words
LEAD_WORDS = 30
_SENTENCE_END = re.compile(r"[.!?]['\"”’)]*$")
FEATURES = ("rows_above", "log_rows_above", "log_words", "log_chars", "ends_terminal",
            "ends_colon", "capword_share", "digit_share", "upper_share", "overlap",
            "overlap_vs_best", "best_overlap", "content_words", "log_copies", "copy_beside",
            "separator")


def solid_rows(lines: list[str]) -> list[int]:
    """The non-blank lines (seg-seq's rows; predicting takes them from its batch)."""
    from presscut.baselines.segment_seq import _blank

    return [i for i, line in enumerate(lines) if not _blank(line)]


def candidates(lines: list[str], rows: list[int], roles: list[str], articles, window: int):
    """Per article with body: (index of the article, first body line, candidate lines, top
    to bottom). ``rows``: the page's non-blank lines, in order."""
    at = {line: r for r, line in enumerate(rows)}
    out = []
    prev_end = 0
    for k, (s, e) in enumerate(articles):
        first = next((i for i in range(s, e) if roles[i] == "body" and i in at), None)
        if first is not None:
            r = lo = at[first]
            while (lo > 0 and r - lo < window and rows[lo - 1] >= prev_end
                   and roles[rows[lo - 1]] != "body"):
                lo -= 1
            out.append((k, first, rows[lo:r]))
        prev_end = e
    return out


def content_words(line: str) -> set[str]:
    return {t for t in tokens(line) if len(t) >= MIN_TOKEN}


def opening_words(lines: list[str], roles: list[str], first: int) -> set[str]:
    """The content words of the article's first ``BODY_WORDS`` body words, from line
    ``first``."""
    body: list[str] = []
    for i in range(first, len(lines)):
        if roles[i] == "body":
            body += tokens(lines[i])
            if len(body) >= BODY_WORDS:
                break
    return {t for t in body[:BODY_WORDS] if len(t) >= MIN_TOKEN}


def share(words: set[str], other: set[str]) -> float:
    return len(words & other) / max(1, len(words))


def features(lines: list[str], roles: list[str], first: int, cand: list[int],
             counts: dict[str, int], opening: set[str] | None = None) -> list[list[float]]:
    """The candidates' feature rows (``FEATURES``); ``opening``: the article's
    :func:`opening_words`, when the caller has them."""
    if opening is None:
        opening = opening_words(lines, roles, first)
    keys = [normalise_line(lines[i]) for i in cand]
    words = [content_words(lines[i]) for i in cand]
    overlap = [share(w, opening) for w in words]
    best = max(overlap, default=0.0)
    n = len(cand)
    rows = []
    for j, i in enumerate(cand):
        line = lines[i].strip()
        split = line.split()
        beside = (j > 0 and keys[j - 1] == keys[j]) or (j + 1 < n and keys[j + 1] == keys[j])
        chars = max(1, len(line))
        rows.append([n - j, np.log1p(n - j), np.log1p(len(split)), np.log1p(len(line)),
                     line.endswith((".", "!", "?")), line.endswith(":"),
                     sum(w[:1].isupper() for w in split) / max(1, len(split)),
                     sum(map(str.isdigit, line)) / chars,
                     sum(map(str.isupper, line)) / chars,
                     overlap[j], overlap[j] - best, best, len(words[j]),
                     np.log1p(counts[keys[j]] - 1), beside,
                     " | " in line or " - " in line or " – " in line])
    return rows


def copies(lines: list[str], rows: list[int], cand: list[int]) -> dict[str, int]:
    """How often each candidate's normalised line occurs among the page's rows. Only rows
    as long as a candidate (stripped) are normalised: most of a page cannot be a copy."""
    sizes = {len(lines[i].strip()) for i in cand}
    out = dict.fromkeys((normalise_line(lines[i]) for i in cand), 0)
    for i in rows:
        if len(lines[i].strip()) in sizes:
            k = normalise_line(lines[i])
            if k in out:
                out[k] += 1
    return out


def labels_titles(page: dict) -> bool:
    """Whether a training page's gold tells titles apart (real pages name what they label;
    a page without ``labelled_roles`` is not a real page and does not train the picker)."""
    labelled = page.get("labelled_roles")
    return labelled is not None and "title" in labelled


def late_start(roles: list[str], articles, k: int) -> list[str]:
    """``roles`` with each article's first ``k`` body lines made boilerplate (an article
    with no more than ``k`` body lines is left as it is): what the picker sees when the
    nets start the body ``k`` lines late."""
    out = list(roles)
    for s, e in articles:
        body = [i for i in range(s, e) if roles[i] == "body"]
        if len(body) > k:
            for i in body[:k]:
                out[i] = "boilerplate"
    return out


def fit(pages: list[dict], window: int, seed: int, shifts=SHIFTS) -> dict | None:
    """The picker's net, fitted on the candidates of the title-labelling pages' gold
    articles, once per ``shifts`` entry k with the body started k lines late
    (:func:`late_start`; a late body line is a negative). None when they give no positive
    and negative candidate."""
    from presscut.baselines.segment_seq import _fit_mlp

    X, y = [], []
    for p in pages:
        if not labels_titles(p):
            continue
        lines, gold = p["lines"], p["roles"]
        rows = solid_rows(lines)
        for k in shifts:
            roles = late_start(gold, p["articles"], k)
            for _, first, cand in candidates(lines, rows, roles, p["articles"], window):
                X += features(lines, roles, first, cand, copies(lines, rows, cand))
                y += [gold[i] == "title" for i in cand]
    if len(set(y)) < 2:
        return None
    return _fit_mlp(np.array(X, dtype=np.float32), np.where(y, "title", "other"), HIDDEN,
                    MAX_ITER, seed)


def far_headline(lines: list[str], roles: list[str], first: int, cand: list[int],
                 far: list[int], opening: set[str] | None = None) -> bool:
    """Whether one of the titles ``far`` above the candidates reads as the article's
    headline: ``FAR_ECHO`` of its content words come back in the body's opening
    (:func:`opening_words`, or ``opening`` when given), or ``FAR_COPY`` of them are in one
    candidate line (a page-title copy of the headline)."""
    if opening is None:
        opening = opening_words(lines, roles, first)
    near = [content_words(lines[i]) for i in cand]
    for i in far:
        w = content_words(lines[i])
        if share(w, opening) >= FAR_ECHO or any(share(w, c) >= FAR_COPY for c in near):
            return True
    return False


def leads(lines: list[str], roles: list[str], articles, p_title: dict[int, float],
          threshold: float) -> list[tuple[int, int]]:
    """``(article, line)`` for each article whose first body line may be its headline: the
    role nets gave it p(title) ``p_title[line] >= threshold`` although they decoded it as
    body, it has a headline's shape (``LEAD_WORDS``, no closing sentence mark), and more
    body follows it."""
    out = []
    for k, (s, e) in enumerate(articles):
        body = [i for i in range(s, e) if roles[i] == "body"]
        if len(body) < 2 or p_title.get(body[0], 0.0) < threshold:
            continue
        line = lines[body[0]].strip()
        if not _SENTENCE_END.search(line) and len(line.split()) <= LEAD_WORDS:
            out.append((k, body[0]))
    return out


def pick(nets: list[dict],
         decoded: list[tuple[list[str], list[int], list[str], list[list[int]]]],
         window: int, threshold: float, p_title: list[dict[int, float]] | None = None,
         lead_threshold: float = 0.0) -> None:
    """Re-decide the titles of decoded pages ``(lines, rows, roles, articles)``, in place
    (:func:`_pick`). With ``p_title`` (per page, the role nets' p(title) of each row) and
    ``lead_threshold`` > 0, an article's first body line that :func:`leads` admits also
    challenges: the article is picked again with that line as a candidate (the body
    starting at the next body line), and when the picker takes it, that pick stands. On
    real validation pages the nets call some fundus headlines body (a long headline over a
    byline) but still give the line some p(title), which few other first body lines get
    (docs/segmentation.md)."""
    gated, alt = [], []
    if p_title is not None and lead_threshold > 0:
        for p, (lines, rows, roles, articles) in enumerate(decoded):
            marks = leads(lines, roles, articles, p_title[p], lead_threshold)
            if marks:
                moved = list(roles)
                for _, i in marks:
                    moved[i] = "boilerplate"
                gated.append((p, marks))
                alt.append((lines, rows, moved, [list(a) for a in articles]))
    _pick(nets, decoded, window, threshold)
    if not gated:
        return
    _pick(nets, alt, window, threshold)
    for (p, marks), (_, _, moved, spans) in zip(gated, alt):
        _, _, roles, articles = decoded[p]
        for k, i in marks:
            if moved[i] == "title":
                # article k's pick touches only lines after the article before it ends
                lo, e = (articles[k - 1][1] if k else 0), articles[k][1]
                roles[lo:e] = moved[lo:e]
                articles[k] = spans[k]


def _pick(nets: list[dict],
          decoded: list[tuple[list[str], list[int], list[str], list[list[int]]]],
          window: int, threshold: float) -> None:
    """Re-decide the titles of decoded pages ``(lines, rows, roles, articles)``, in place,
    with the mean p(headline) of the picker ``nets``.

    An article is left as decoded when its span already holds a title above the window
    that reads as its headline (:func:`far_headline`: synthetic pages put a page-title copy
    there and label it ``title``, with widget debris between it and the body), or when no
    candidate reaches ``threshold``. A far title that does not read as the headline becomes
    boilerplate (a skip link or a section name, which the real news gold calls
    boilerplate)."""
    from presscut.baselines.segment_seq import _forward

    found, X = [], []
    for p, (lines, rows, roles, articles) in enumerate(decoded):
        if not articles:
            continue
        for k, first, cand in candidates(lines, rows, roles, articles, window):
            if not cand:
                continue
            far = [i for i in range(articles[k][0], cand[0]) if roles[i] == "title"]
            # demoting a far title changes no body line, so one opening serves both
            opening = opening_words(lines, roles, first)
            if far and far_headline(lines, roles, first, cand, far, opening):
                continue
            for i in far:
                roles[i] = "boilerplate"
            X += features(lines, roles, first, cand, copies(lines, rows, cand), opening)
            found.append((p, k, cand))
    if not X:
        return
    X = np.array(X, dtype=np.float32)
    prob = np.mean([_forward(n, X)[:, n["classes"].index("title")] for n in nets], 0)
    at = 0
    for p, k, cand in found:
        lines, _, roles, articles = decoded[p]
        score = prob[at:at + len(cand)]
        at += len(cand)
        best = len(score) - 1 - int(score[::-1].argmax())  # a tie goes to the nearest
        if score[best] >= threshold:
            for i in cand:
                if roles[i] == "title":
                    roles[i] = "boilerplate"
            key = normalise_line(lines[cand[best]])
            same = [i for i in cand if normalise_line(lines[i]) == key]
            # a double header is two copies; a line repeated more is a widget, not a headline
            for i in same if len(same) <= 2 else [cand[best]]:
                roles[i] = "title"
        # also below the threshold: a far title made boilerplate may have opened the span
        s, e = articles[k]
        articles[k] = [next(i for i in range(min(s, cand[0]), e) if roles[i] in ARTICLE_ROLES),
                       e]
