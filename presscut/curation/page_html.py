"""``presscut show``: one page as a static, self-contained HTML file for review.

No scripts and no external assets: the file opens from disk, in a mail
attachment or in CI. Every piece of page text goes through ``html.escape``
because scraped pages contain markup-like text.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from html import escape
from pathlib import Path

from presscut.annotations import Page
from presscut.builder.corpus import load_page
from presscut.errors import PredictionError
from presscut.schema import ROLES
from presscut.tasks import BadRecord
from presscut.tasks.segmentation import check_segmentation, parse_segmentation

ROLE_COLOURS = {
    "title": "#ffd6a5",
    "dek": "#fdffb6",
    "byline": "#caffbf",
    "dateline": "#9bf6ff",
    "caption": "#bdb2ff",
    "body": "#ffffff",
    "boilerplate": "#d9d9d9",
    "blank": "#f4f4f4",
}

CSS = """
body { font: 14px/1.4 system-ui, sans-serif; margin: 1.5em; color: #222; }
table { border-collapse: collapse; width: 100%; }
td, th { padding: 1px 6px; vertical-align: top; border-bottom: 1px solid #eee; }
th { text-align: left; background: #333; color: #fff; position: sticky; top: 0; }
td.n { color: #888; text-align: right; font-family: monospace; }
td.n a { color: inherit; text-decoration: none; }
td.text { white-space: pre-wrap; word-break: break-word; font-family: Georgia, serif; }
td.role { font-family: monospace; font-size: 12px; white-space: nowrap; }
tr.article-start td { border-top: 3px solid #1d3557; }
tr.article-end td { border-bottom: 3px solid #1d3557; }
tr.evidence td.text { outline: 2px dashed #e63946; }
tr.disagree td.mark { background: #e63946; color: #fff; font-weight: bold; }
td.art, td.dup, td.mark { font-family: monospace; font-size: 12px; white-space: nowrap; }
.note { color: #6a4c93; font-style: italic; font-size: 12px; }
.badge { display: inline-block; padding: 0 4px; border-radius: 3px; background: #1d3557;
         color: #fff; font-size: 11px; margin-right: 4px; }
.legend span { display: inline-block; padding: 2px 8px; margin: 2px; border: 1px solid #ccc; }
dl { display: grid; grid-template-columns: max-content auto; gap: 2px 12px; }
dt { font-weight: bold; }
"""


@dataclass
class Prediction:
    roles: list[str]
    articles: list[tuple[int, int]]


def load_prediction(path: Path, doc_id: str, n_lines: int) -> Prediction:
    """The segmentation prediction for ``doc_id`` from a JSONL file, checked against the page."""
    if not path.exists():
        raise PredictionError(f"{path}: predictions file not found")
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        if not line.strip():
            continue
        where = f"{path}:{number}"
        try:
            record = json.loads(line)
        except json.JSONDecodeError as err:
            raise PredictionError(f"{where}: not valid JSON ({err.msg})") from None
        if not isinstance(record, dict) or record.get("doc_id") != doc_id:
            continue
        # checked exactly as the harness checks a segmentation prediction
        try:
            role_ids, spans = parse_segmentation(record)
        except BadRecord as bad:
            raise PredictionError(f"{where}: {bad}") from None
        problem = check_segmentation((role_ids, spans), n_lines)
        if problem:
            raise PredictionError(f"{where}: {problem}")
        return Prediction([ROLES[i] for i in role_ids], list(spans))
    raise PredictionError(f"{path}: no prediction for doc_id {doc_id!r}")


def _span_index(spans: list[tuple[int, int]], n: int) -> list[int]:
    index = [-1] * n
    for k, (start, end) in enumerate(spans):
        for i in range(max(0, start), min(n, end)):
            index[i] = k
    return index


def render_page(page: Page, prediction: Prediction | None = None) -> str:
    """The whole HTML document for one page."""
    lines = page.lines
    n = len(lines)
    gold_article = page.article_index()
    dup_of = page.dup_group_of_line()
    starts = {a.start_line: a for a in page.articles}
    ends = {a.end_line - 1 for a in page.articles}
    evidence = set(page.outlet_evidence_lines)
    pred_article = _span_index(prediction.articles, n) if prediction else []
    pred_starts = {s for s, _ in prediction.articles} if prediction else set()

    disagreements = 0
    rows = []
    for i, line in enumerate(lines):
        role = page.roles[i]
        classes = ["line", f"role-{role}"]
        if i in starts:
            classes.append("article-start")
        if i in ends:
            classes.append("article-end")
        if i in evidence:
            classes.append("evidence")
        cells = [f'<td class="n"><a href="#L{i}">{i}</a></td>']
        cells.append(f'<td class="role" style="background:{ROLE_COLOURS[role]}">{role}</td>')
        if prediction:
            pred = prediction.roles[i]
            differs = role != "blank" and pred != role
            if differs:
                disagreements += 1
                classes.append("disagree")
            colour = ROLE_COLOURS.get(pred, "#fff")
            cells.append(f'<td class="role pred" style="background:{colour}">{escape(pred)}</td>')
            cells.append(f'<td class="mark">{"✗" if differs else ""}</td>')
        art = ""
        if gold_article[i] >= 0:
            a = page.articles[gold_article[i]]
            art = f"{a.k}"
            if i in starts:
                art = f'<span class="badge">{escape(page.article_id(a.k))}</span>'
        cells.append(f'<td class="art">{art}</td>')
        if prediction:
            mark = "▶" if i in pred_starts else ""
            k = pred_article[i]
            cells.append(f'<td class="art pred">{mark}{k if k >= 0 else ""}</td>')
        cells.append(f'<td class="dup">{_dup_links(page, dup_of[i], i)}</td>')
        before = ""
        if i in evidence:
            before = f'<span class="badge">outlet: {escape(str(page.outlet))}</span>'
        after = []
        if i in starts:
            a = starts[i]
            info = f"dup_cluster={a.dup_cluster} story_cluster={a.story_cluster}"
            if a.byline:
                info += f" byline={a.byline}"
            if a.cited_sources:
                info += " cites=" + ", ".join(a.cited_sources)
            after.append(info)
            if a.note:
                after.append(a.note)
        if i in page.line_notes:
            after.append(page.line_notes[i])
        notes = "".join(f'<div class="note">{escape(x)}</div>' for x in after)
        cells.append(f'<td class="text">{before}{escape(line)}{notes}</td>')
        rows.append(f'<tr id="L{i}" class="{" ".join(classes)}">{"".join(cells)}</tr>')

    head = ["#", "role"]
    if prediction:
        head += ["predicted", "≠"]
    head += ["article"]
    if prediction:
        head += ["pred. article"]
    head += ["dup", "text"]
    summary = _summary(page, prediction, disagreements)
    legend = "".join(
        f'<span style="background:{ROLE_COLOURS[r]}">{r}</span>' for r in ROLES
    )
    return (
        "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">"
        f"<title>presscut: {escape(page.doc_id)}</title><style>{CSS}</style></head><body>"
        f"<h1>{escape(page.doc_id)}</h1>{summary}"
        f'<p class="legend">roles: {legend}</p>'
        f'<table class="page"><thead><tr>{"".join(f"<th>{h}</th>" for h in head)}</tr></thead>'
        f"<tbody>{''.join(rows)}</tbody></table></body></html>\n"
    )


def _dup_links(page: Page, group: int, line: int) -> str:
    if group < 0:
        return ""
    g = page.dup_groups[group]
    links = " ".join(f'<a href="#L{j}">{j}</a>' for j in g.lines if j != line)
    return f'<span title="{g.kind} duplicate group {group}">{g.kind[0]}{group}→ {links}</span>'


def _summary(page: Page, prediction: Prediction | None, disagreements: int) -> str:
    items = [
        ("provenance", page.provenance),
        ("sha256", page.sha256),
        ("lines", str(len(page.roles))),
        ("articles", ", ".join(
            f"{page.article_id(a.k)} [{a.start_line}, {a.end_line})" for a in page.articles
        ) or "none"),
        ("line duplicate groups", str(len(page.dup_groups))),
        ("outlet", f"{page.outlet} (evidence lines {page.outlet_evidence_lines})"
         if page.outlet else "not shown on the page"),
    ]
    if page.note:
        items.append(("note", page.note))
    if prediction is not None:
        scored = sum(r != "blank" for r in page.roles)
        items.append(("role disagreements", f"{disagreements} of {scored} non-blank lines"))
        items.append(("predicted articles", ", ".join(
            f"[{s}, {e})" for s, e in prediction.articles) or "none"))
    body = "".join(f"<dt>{escape(k)}</dt><dd>{escape(v)}</dd>" for k, v in items)
    count = f'<p id="disagreements" data-count="{disagreements}"></p>' if prediction else ""
    return f"<dl>{body}</dl>{count}"


def show(doc_id: str, *, against: Path | None = None, root: Path | None = None) -> str:
    page = load_page(doc_id, root)
    prediction = load_prediction(against, doc_id, len(page.roles)) if against else None
    return render_page(page, prediction)
