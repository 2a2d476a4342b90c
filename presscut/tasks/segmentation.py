"""Segmentation: article spans and a role for every line of a scraped page."""

from __future__ import annotations

from dataclasses import dataclass

from presscut.harness import metrics as m
from presscut.harness.bootstrap import Scores
from presscut.harness.scoring import Sums, SumScorer, round_score
from presscut.harness.validate import check_number, is_int, list_field
from presscut.schema import ROLES, SCORED_ROLES
from presscut.tasks import BadRecord, register
from presscut.tasks._pages import PAGE_DATA, PAGE_RUNS, REAL_DATA, REAL_RUN, PageTask

_ROLE_ID = {r: i for i, r in enumerate(ROLES)}
_ROLE_LIST = ", ".join(ROLES)
_COUNTS = ("tp", "fp", "fn")
# what a source that labels only some roles calls every other non-blank line
OTHER = "boilerplate"


def role_columns(role: str) -> tuple[str, str, str]:
    return tuple(f"role_{role}_{c}" for c in _COUNTS)


class SegmentationScorer(SumScorer):
    columns = (
        "body_precision", "body_recall", "body_f1",
        # boundary matches: (matched, predicted, gold) exactly and within one line
        "boundary_tp", "boundary_pred", "boundary_gold",
        "tol1_tp", "tol1_pred", "tol1_gold",
        "pk", "pk_defined", "windowdiff",
        *(c for r in SCORED_ROLES for c in role_columns(r)),
    )

    def add(self, gold: dict, pred: tuple[bytes, tuple[tuple[int, int], ...]]) -> None:
        lines, gold_roles, gold_arts = gold["lines"], gold["roles"], gold["articles"]
        role_ids, pred_arts = pred
        pred_roles = [ROLES[i] for i in role_ids]
        labelled = gold.get("labelled_roles")
        if labelled is not None:
            # a source that labels only some roles calls every other line boilerplate, so a
            # predicted byline there is a boilerplate line to it; roles it cannot tell
            # apart get no counts (and no F1), whatever was predicted
            pred_roles = [r if r in labelled or r == "blank" else OTHER for r in pred_roles]

        blank = m.blank_mask(lines)
        # tokenise each body line once: gold and predicted bodies share most lines
        tokens: dict[int, list[str]] = {}

        def body_words(roles) -> list[str]:
            out: list[str] = []
            for i, r in enumerate(roles):
                if r == "body" and not blank[i]:
                    if i not in tokens:
                        tokens[i] = m.words(lines[i])
                    out += tokens[i]
            return out

        bp, br, bf = m.prf(*m.shingle_counts_words(body_words(gold_roles), body_words(pred_roles)))
        b0 = m.boundary_counts(gold_arts, pred_arts, lines, tol=0, blank=blank)
        b1 = m.boundary_counts(gold_arts, pred_arts, lines, tol=1, blank=blank)
        ref = m.boundaries(m.segment_labels(lines, gold_arts, blank))
        hyp = m.boundaries(m.segment_labels(lines, pred_arts, blank))
        k = m.default_window(ref) if ref else 1
        pk, wd = m.pk(ref, hyp, k), m.windowdiff(ref, hyp, k)
        roles = m.role_counts(lines, gold_roles, pred_roles, blank)
        if labelled is not None:
            roles = {r: c if r in labelled else (0, 0, 0) for r, c in roles.items()}

        row = {"body_precision": bp, "body_recall": br, "body_f1": bf,
               **dict(zip(("boundary_tp", "boundary_pred", "boundary_gold"), b0)),
               **dict(zip(("tol1_tp", "tol1_pred", "tol1_gold"), b1)),
               "pk": pk or 0.0, "pk_defined": float(pk is not None), "windowdiff": wd or 0.0}
        for r in SCORED_ROLES:
            row.update(zip(role_columns(r), roles[r]))
        self.append(row)
        n_content = sum(tp + fn for tp, _, fn in roles.values())
        n_right = sum(tp for tp, _, _ in roles.values())
        self.emit({
            "doc_id": gold["id"],
            "body_precision": bp,
            "body_recall": br,
            "body_f1": bf,
            "boundary_f1": m.prf(*b0)[2],
            "boundary_f1_tol1": m.prf(*b1)[2],
            "pk": pk,
            "windowdiff": wd,
            "role_accuracy": n_right / n_content if n_content else None,
        })

    def finalize(self, s: Sums, n: float) -> Scores:
        bp, br, bf = (s[c] / n for c in ("body_precision", "body_recall", "body_f1"))
        p0, r0, f0 = m.prf(s["boundary_tp"], s["boundary_pred"], s["boundary_gold"])
        f1_tol = m.prf(s["tol1_tp"], s["tol1_pred"], s["tol1_gold"])[2]
        defined = s["pk_defined"]
        counts = {r: tuple(s[c] for c in role_columns(r)) for r in SCORED_ROLES}
        per_role = m.per_label_f1(counts)
        out: Scores = {
            "body_f1": bf,
            "body_precision": bp,
            "body_recall": br,
            "boundary_f1": f0,
            "boundary_precision": p0,
            "boundary_recall": r0,
            "boundary_f1_tol1": f1_tol,
            "pk": s["pk"] / defined if defined else None,
            "windowdiff": s["windowdiff"] / defined if defined else None,
            "role_macro_f1": sum(per_role.values()) / len(per_role) if per_role else None,
        }
        for r in SCORED_ROLES:
            out[f"role_f1_{r}"] = per_role.get(r)
        return {k: round_score(v) for k, v in out.items()}


def parse_segmentation(rec: dict) -> tuple[bytes, tuple[tuple[int, int], ...]]:
    """Role ids and sorted, non-overlapping article spans of one segmentation record."""
    roles = list_field(rec, "roles")
    ids = bytearray(len(roles))
    for i, r in enumerate(roles):
        if not isinstance(r, str):
            raise BadRecord(f"roles[{i}] must be a role name, got {type(r).__name__}")
        if r not in _ROLE_ID:
            raise BadRecord(f"roles[{i}] = {r!r} is not a role ({_ROLE_LIST})")
        ids[i] = _ROLE_ID[r]
    spans = []
    for j, span in enumerate(list_field(rec, "articles")):
        if not (isinstance(span, list) and len(span) == 2):
            raise BadRecord(f"articles[{j}] must be [start_line, end_line], got {span!r}")
        for x in span:
            check_number(x, f"articles[{j}]")
        if not all(is_int(x) for x in span):
            raise BadRecord(f"articles[{j}] = {span!r} must hold two integers")
        s, e = span
        if s < 0 or e <= s:
            raise BadRecord(f"articles[{j}] = [{s}, {e}] is not a span 0 <= start < end")
        spans.append((s, e))
    spans.sort()
    for (s1, e1), (s2, e2) in zip(spans, spans[1:]):
        if s2 < e1:
            raise BadRecord(f"articles [{s1}, {e1}] and [{s2}, {e2}] overlap")
    return bytes(ids), tuple(spans)


def check_segmentation(value, n_lines: int) -> str | None:
    """What is wrong with a parsed segmentation of a page of ``n_lines`` lines."""
    roles, spans = value
    if len(roles) != n_lines:
        return f"{len(roles)} roles for a page of {n_lines} lines"
    bad = [f"[{s}, {e}]" for s, e in spans if e > n_lines]
    if bad:
        return f"article span {bad[0]} ends past the page's {n_lines} lines"
    return None


@dataclass(frozen=True, kw_only=True, eq=False)
class Segmentation(PageTask):
    def parse(self, rec: dict):
        return parse_segmentation(rec)

    def check(self, value, gold: dict) -> str | None:
        return check_segmentation(value, len(gold["lines"]))

    def make_scorer(self) -> SegmentationScorer:
        return SegmentationScorer()

    def gold_record(self, item: dict) -> dict:
        return {"doc_id": item["id"], "roles": item["roles"],
                "articles": [list(a) for a in item["articles"]]}


TASK = register(Segmentation(
    name="segmentation",
    version="1.0",
    description="Article spans and a role for every line of a scraped page.",
    order=10,
    # real pages first: they are the main test; gold seeds are a smoke test
    data={**REAL_DATA, **PAGE_DATA},
    runs=(REAL_RUN, *PAGE_RUNS),
    fields={"doc_id": "str", "roles": "list[str]", "articles": "list[[int, int]]"},
    metrics=(
        "body_f1",
        "body_precision",
        "body_recall",
        "boundary_f1",
        "boundary_precision",
        "boundary_recall",
        "boundary_f1_tol1",
        "pk",
        "windowdiff",
        "role_macro_f1",
        *(f"role_f1_{r}" for r in ROLES if r != "blank"),
    ),
    main_score="body_f1",
    group_metrics=("boundary_f1", "role_f1_title"),
    lower_is_better=("pk", "windowdiff"),
    expected_input_format=(
        "One JSON object per line and one line per page of the split:\n"
        '  {"doc_id": str, "roles": [str, ...], "articles": [[start_line, end_line], ...]}\n'
        "roles: one role per line of the page (len == number of lines), each one of "
        f"{_ROLE_LIST}; entries on blank lines are ignored.\n"
        "articles: [start, end) line spans, 0 <= start < end <= number of lines, "
        "not overlapping (any order)."
    ),
    example={"doc_id": "000_8aceb1973127ff81", "roles": ["title", "blank", "body"],
             "articles": [[0, 3]]},
))
