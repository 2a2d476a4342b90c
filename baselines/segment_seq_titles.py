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
candidate's, copies on the page, a copy next to it); a small MLP gives p(headline). When
the best candidate reaches ``threshold`` it is the title, with its copy among the
candidates (a double header), the other candidates lose ``title``, and the span starts at
its first article-role line. Otherwise the article stays as the nets decoded it, and so it
does when its span holds a title above the window.

Fitted on the pages whose gold labels titles (``labelled_roles`` naming ``title``: the real
corpora that do), with the candidates taken from the gold body. Synthetic pages are left
out: they label a page-title copy or a breadcrumb far above the body ``title``, which the
real news gold calls boilerplate, and fitted with them the picker scored lower on real
validation titles. Measured in docs/segmentation.md.
"""

from __future__ import annotations

import numpy as np

from presscut.baselines.segment_seq_features import normalise_line, tokens
from presscut.schema import ARTICLE_ROLES

BODY_WORDS = 150  # the article's opening: where a headline's words come back
MIN_TOKEN = 3  # shorter tokens (articles, particles) say nothing about overlap
HIDDEN = (64, 32)
MAX_ITER = 200
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


def features(lines: list[str], roles: list[str], first: int, cand: list[int],
             counts: dict[str, int]) -> list[list[float]]:
    """The candidates' feature rows (``FEATURES``)."""
    body: list[str] = []
    for i in range(first, len(lines)):
        if roles[i] == "body":
            body += tokens(lines[i])
            if len(body) >= BODY_WORDS:
                break
    opening = {t for t in body[:BODY_WORDS] if len(t) >= MIN_TOKEN}
    keys = [normalise_line(lines[i]) for i in cand]
    words = [{t for t in tokens(lines[i]) if len(t) >= MIN_TOKEN} for i in cand]
    overlap = [len(w & opening) / max(1, len(w)) for w in words]
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
                     sum(c.isdigit() for c in line) / chars,
                     sum(c.isupper() for c in line) / chars,
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


def fit(pages: list[dict], window: int, seed: int) -> dict | None:
    """The picker's net, fitted on the candidates of the title-labelling pages' gold
    articles (None when they give no positive and negative candidate)."""
    from presscut.baselines.segment_seq import _fit_mlp

    X, y = [], []
    for p in pages:
        if not labels_titles(p):
            continue
        lines, roles = p["lines"], p["roles"]
        rows = solid_rows(lines)
        for _, first, cand in candidates(lines, rows, roles, p["articles"], window):
            X += features(lines, roles, first, cand, copies(lines, rows, cand))
            y += [roles[i] == "title" for i in cand]
    if len(set(y)) < 2:
        return None
    return _fit_mlp(np.array(X, dtype=np.float32), np.where(y, "title", "other"), HIDDEN,
                    MAX_ITER, seed)


def pick(net: dict, decoded: list[tuple[list[str], list[int], list[str], list[list[int]]]],
         window: int, threshold: float) -> None:
    """Re-decide the titles of decoded pages ``(lines, rows, roles, articles)``, in place.

    An article is left as decoded when its span already holds a title above the window
    (synthetic pages put a page-title copy or a breadcrumb there and label it ``title``, with
    widget debris between it and the body) or when no candidate reaches ``threshold``."""
    from presscut.baselines.segment_seq import _forward

    found, X = [], []
    for p, (lines, rows, roles, articles) in enumerate(decoded):
        if not articles:
            continue
        for k, first, cand in candidates(lines, rows, roles, articles, window):
            if cand and "title" not in roles[articles[k][0]:cand[0]]:
                X += features(lines, roles, first, cand, copies(lines, rows, cand))
                found.append((p, k, cand))
    if not X:
        return
    prob = _forward(net, np.array(X, dtype=np.float32))[:, net["classes"].index("title")]
    at = 0
    for p, k, cand in found:
        lines, _, roles, articles = decoded[p]
        score = prob[at:at + len(cand)]
        at += len(cand)
        best = len(score) - 1 - int(score[::-1].argmax())  # a tie goes to the nearest
        if score[best] < threshold:
            continue
        for i in cand:
            if roles[i] == "title":
                roles[i] = "boilerplate"
        key = normalise_line(lines[cand[best]])
        same = [i for i in cand if normalise_line(lines[i]) == key]
        # a double header is two copies; a line repeated more is a widget, not a headline
        for i in same if len(same) <= 2 else [cand[best]]:
            roles[i] = "title"
        s, e = articles[k]
        articles[k] = [next(i for i in range(min(s, cand[0]), e) if roles[i] in ARTICLE_ROLES),
                       e]
