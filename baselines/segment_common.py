"""What every segmentation / line-dedup baseline shares: page input, output records, save/load.

Baselines take pages as dicts with at least ``doc_id`` and ``lines`` (``text`` is accepted
instead of ``lines``; an annotated :class:`presscut.annotations.Page` works too) and
return records in the harness's prediction format. Training pages also carry ``roles``
(role names, one per line) and ``articles`` (``[[start, end), ...]``).
"""

from __future__ import annotations

from collections.abc import Iterable
from itertools import repeat
from pathlib import Path
from typing import Any

from presscut.errors import PresscutError
from presscut.schema import ARTICLE_ROLES, ROLES, is_blank, split_lines

TASK = "segmentation"


# ---------------------------------------------------------------- page input
def as_page(page: Any, *, need_labels: bool = False, where: str = "page") -> dict:
    """Normalise one input page to ``{"doc_id", "lines"[, "roles", "articles"]}``.

    Bad input is a :class:`PresscutError` that says which page and what is wrong,
    because curators feed these baselines pages by hand.
    """
    if not isinstance(page, dict):
        # An annotated Page (or anything shaped like one).
        if hasattr(page, "doc_id") and hasattr(page, "text"):
            out = {"doc_id": page.doc_id, "lines": split_lines(page.text)}
            if getattr(page, "roles", None) is not None:
                out["roles"] = list(page.roles)
                out["articles"] = [[a.start_line, a.end_line] for a in page.articles]
            page = out
        else:
            raise PresscutError(f"{where}: expected a dict with 'doc_id' and 'lines', "
                                f"got {type(page).__name__}")
    doc_id = page.get("doc_id")
    if not isinstance(doc_id, str) or not doc_id:
        raise PresscutError(f"{where}: 'doc_id' must be a non-empty string, got {doc_id!r}")
    where = f"{where} {doc_id!r}"
    lines = page.get("lines")
    if lines is None and isinstance(page.get("text"), str):
        lines = split_lines(page["text"])
    # map over the builtin, not a generator expression: one C call a line (seg-seq's
    # predict checked 76k real lines in ~13 ms the other way)
    if not isinstance(lines, (list, tuple)) or not all(map(isinstance, lines, repeat(str))):
        raise PresscutError(f"{where}: 'lines' must be a list of strings (or give 'text')")
    out = {"doc_id": doc_id, "lines": list(lines)}
    if page.get("source_pages"):  # synthetic training pages: whose text they hold
        out["source_pages"] = list(page["source_pages"])
    if page.get("labelled_roles") is not None:  # real pages: the roles their gold tells apart
        out["labelled_roles"] = _check_labelled(page["labelled_roles"], where)
    if need_labels or "roles" in page:
        out["roles"] = _check_roles(page.get("roles"), len(lines), where)
        out["articles"] = _check_spans(page.get("articles"), len(lines), where)
    return out


def _role_name(r: Any) -> Any:
    # Parquet rows hold ClassLabel ids; accept them so split files can be fed directly.
    if isinstance(r, int) and not isinstance(r, bool) and 0 <= r < len(ROLES):
        return ROLES[r]
    return r


def _check_roles(roles: Any, n: int, where: str) -> list[str]:
    if not isinstance(roles, (list, tuple)):
        raise PresscutError(f"{where}: 'roles' missing (training pages need one role per line)")
    if len(roles) != n:
        raise PresscutError(f"{where}: {len(roles)} roles for {n} lines")
    out = [_role_name(r) for r in roles]
    for i, r in enumerate(out):
        if r not in ROLES:
            raise PresscutError(f"{where}: line {i}: unknown role {r!r} (known: {', '.join(ROLES)})")
    return out


def _check_labelled(labelled: Any, where: str) -> list[str]:
    if not isinstance(labelled, (list, tuple, set, frozenset)):
        raise PresscutError(f"{where}: 'labelled_roles' must be a list of role names")
    out = sorted({_role_name(r) for r in labelled}, key=str)
    bad = [r for r in out if r not in ROLES]
    if bad:
        raise PresscutError(f"{where}: 'labelled_roles': unknown role {bad[0]!r} "
                            f"(known: {', '.join(ROLES)})")
    return out


def _check_spans(spans: Any, n: int, where: str) -> list[list[int]]:
    if not isinstance(spans, (list, tuple)):
        raise PresscutError(f"{where}: 'articles' missing (training pages need article spans)")
    out = []
    for k, s in enumerate(spans):
        if isinstance(s, dict):  # a row of the segmentation config
            s = [s.get("start_line"), s.get("end_line")]
        if (not isinstance(s, (list, tuple)) or len(s) != 2
                or not all(isinstance(v, int) for v in s) or not 0 <= s[0] < s[1] <= n):
            raise PresscutError(f"{where}: article {k}: span {s!r} is not [start, end) "
                                f"within 0..{n}")
        out.append([int(s[0]), int(s[1])])
    return out


def as_pages(X: Iterable[Any], *, need_labels: bool = False) -> list[dict]:
    return [as_page(p, need_labels=need_labels, where=f"page #{i}") for i, p in enumerate(X)]


# ------------------------------------------------------------- output records
def consistent_record(doc_id: str, lines: list[str], roles: list[str],
                      starts: Iterable[int] | None = None) -> dict:
    """Turn per-line roles (and optional article starts) into a valid segmentation record.

    Blank lines get ``blank``; an article runs from its start to the last article-role
    line before the next start; article roles outside every article become
    ``boilerplate`` — the design's rule that only boilerplate/blank sit outside articles.
    Without explicit starts, one article spans the first to the last article-role line.
    """
    n = len(lines)
    roles = ["blank" if is_blank(lines[i]) else roles[i] for i in range(n)]
    for i, r in enumerate(roles):
        if r == "blank" and not is_blank(lines[i]):
            roles[i] = "boilerplate"
    content = [i for i in range(n) if roles[i] in ARTICLE_ROLES]
    if starts is None:
        starts = content[:1]
    starts = sorted({s for s in starts if 0 <= s < n and roles[s] in ARTICLE_ROLES})
    articles: list[list[int]] = []
    inside = [False] * n
    for j, s in enumerate(starts):
        stop = starts[j + 1] if j + 1 < len(starts) else n
        last = max(i for i in range(s, stop) if roles[i] in ARTICLE_ROLES)
        articles.append([s, last + 1])
        for i in range(s, last + 1):
            inside[i] = True
    for i in range(n):
        if not inside[i] and roles[i] in ARTICLE_ROLES:
            roles[i] = "boilerplate"
    return {"doc_id": doc_id, "roles": roles, "articles": articles}


# ---------------------------------------------------------------- base class
class Baseline:
    """scikit-learn style base: parameters in ``__init__``, ``fit`` returns self, and
    scikit-learn's own ``get_params``/``set_params`` (so ``clone`` and tuning work).

    Those two are borrowed from :class:`sklearn.base.BaseEstimator` when first called
    instead of inherited: importing scikit-learn takes a second or more, and a committed
    segmenter loaded to label one page (``presscut predict``) never needs it.

    ``save(path)`` writes the one save format of the baselines (``estimator_io.save``); a
    learned model names its fitted state in ``_fitted_attrs``.
    """

    name: str = ""
    task: str = TASK
    _fitted_attrs: tuple[str, ...] = ()

    @classmethod
    def _get_param_names(cls) -> list[str]:
        from sklearn.base import BaseEstimator

        return BaseEstimator._get_param_names.__func__(cls)

    def get_params(self, deep: bool = True) -> dict:
        from sklearn.base import BaseEstimator

        return BaseEstimator.get_params(self, deep=deep)

    def set_params(self, **params) -> Baseline:
        from sklearn.base import BaseEstimator

        return BaseEstimator.set_params(self, **params)

    def __repr__(self) -> str:
        import inspect

        defaults = {k: p.default for k, p in inspect.signature(type(self).__init__)
                    .parameters.items()}
        shown = [f"{k}={v!r}" for k, v in vars(self).items()
                 if k in defaults and v != defaults[k]]
        return f"{type(self).__name__}({', '.join(shown)})"

    def fit(self, X, y=None):  # noqa: ARG002 - rule baselines learn nothing
        return self

    def predict(self, X) -> list[dict]:
        return [self.predict_page(p) for p in as_pages(X)]

    def predict_page(self, page: dict) -> dict:  # pragma: no cover - abstract
        raise NotImplementedError

    def save(self, path: str | Path) -> Path:
        from presscut.baselines.estimator_io import save

        return save(self, path)

    @classmethod
    def load(cls, path: str | Path) -> Baseline:
        from presscut.baselines.estimator_io import load

        return load(path, expected=cls)


def load(path: str | Path):
    """Rebuild any saved presscut baseline (see :func:`presscut.baselines.estimator_io.save`)."""
    from presscut.baselines.estimator_io import load as load_saved

    return load_saved(path)


# ---------------------------------------------------------------- pre-labelling
def body_shingle_f1(gold: list[dict], predicted: list[dict], n: int = 4) -> float:
    """Macro body-text F1 over word n-gram shingles (the harness's metric), for ranking."""
    from presscut.harness.metrics import body_prf, body_text

    scores = [
        body_prf(body_text(g["lines"], g["roles"]), body_text(g["lines"], p["roles"]), n)[2]
        for g, p in zip(gold, predicted)
    ]
    return sum(scores) / len(scores) if scores else 0.0


def best_segmenter(root: Path | None = None, *, candidates: Iterable[str] = ("seg-rules",
                   "seg-learned"), validation: list[dict] | None = None,
                   train: list[dict] | None = None, max_train_pages: int = 1000) -> Any:
    """The best-scoring ready segmenter, for pre-labelling new pages (silver labels).

    Learned candidates are fitted on ``train`` (default: the training pages; at most
    ``max_train_pages`` of them, evenly spread); candidates are ranked by body-text
    shingle F1 on ``validation`` (default: the gold ``validation`` split), a tie going
    to the earlier candidate. With no training pages the learned ones drop out; with
    no validation pages the first ready candidate wins without fitting the others —
    the rule segmenter by default, which needs no data.
    """
    from presscut.baselines.registry import get
    from presscut.tasks._pages import spread, training_pages

    train = as_pages(train, need_labels=True) if train is not None else training_pages(root)
    # an even spread keeps every source file represented; pre-labelling a page
    # should not wait for a fit on every synthetic page
    train = spread(train, max_train_pages)
    if validation is None:
        validation = training_pages(root, splits=("validation",), synthetic=False)
    validation = as_pages(validation, need_labels=True)
    ready = []
    for name in candidates:
        if ready and not validation:
            break  # nothing to rank them on: the first ready candidate wins
        spec = get(TASK, name)
        model = spec.make()
        if spec.trains:
            if not train:
                continue
            model.fit(train)
        else:
            model.fit([])
        ready.append(model)
    if not ready:
        raise PresscutError("best_segmenter: no candidate is ready (learned ones need "
                            "training pages under splits/)")
    if not validation:
        return ready[0]
    scored = [(body_shingle_f1(validation, m.predict(validation)), -k, m)
              for k, m in enumerate(ready)]
    return max(scored, key=lambda t: (t[0], t[1]))[2]
