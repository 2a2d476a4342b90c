"""The leaderboard as one static, self-contained HTML page.

No CDN, no fonts, no network: inline CSS, a small inline script (allowed by hash in a
Content-Security-Policy that forbids every other script, so an injected one would not
run even if escaping failed), and inline SVG plots.
"""

from __future__ import annotations

import base64
import hashlib
from collections.abc import Iterable, Mapping
from html import escape

from presscut.leaderboard.board import (
    Table,
    build_tables,
    fmt,
    fmt_ci,
    metric_label,
    short_fingerprint,
    summary_metrics,
)
from presscut.leaderboard.records import Record, safe_link
from presscut.leaderboard.scoring import metric_direction
from presscut.leaderboard.verify import GroupKey, State

_SCRIPT = r"""
(function () {
  "use strict";
  function cellValue(row, i, type) {
    var cell = row.cells[i];
    var raw = cell ? cell.getAttribute("data-sort") : null;
    if (raw === null) { raw = cell ? cell.textContent : ""; }
    if (type === "num") {
      var n = parseFloat(raw);
      return isNaN(n) ? null : n;
    }
    return raw.toLowerCase();
  }
  function sortTable(table, col, dir) {
    var heads = table.tHead.rows[0].cells, idx = -1, type = "text", i;
    for (i = 0; i < heads.length; i++) {
      if (heads[i].getAttribute("data-col") === col) {
        idx = i;
        type = heads[i].getAttribute("data-type") || "text";
      }
    }
    if (idx < 0) { return false; }
    for (i = 0; i < heads.length; i++) { heads[i].removeAttribute("aria-sort"); }
    heads[idx].setAttribute("aria-sort", dir === "desc" ? "descending" : "ascending");
    var body = table.tBodies[0];
    var rows = Array.prototype.slice.call(body.rows);
    var sign = dir === "desc" ? -1 : 1;
    rows.sort(function (a, b) {
      var x = cellValue(a, idx, type), y = cellValue(b, idx, type);
      if (x === null && y === null) { return 0; }
      if (x === null) { return 1; }  // missing values last in either direction
      if (y === null) { return -1; }
      return x < y ? -sign : (x > y ? sign : 0);
    });
    rows.forEach(function (r) { body.appendChild(r); });
    table.setAttribute("data-sorted", col + ":" + dir);
    return true;
  }
  function applyHash() {
    var spec;
    try { spec = decodeURIComponent(window.location.hash); } catch (e) { return; }
    var m = /^#sort=([^:]+):([^:]+):(asc|desc)$/.exec(spec);
    if (!m) { return; }
    var done = false;
    document.querySelectorAll("table.sortable").forEach(function (t) {
      if (t.getAttribute("data-task") === m[1] || t.getAttribute("data-key") === m[1]) {
        done = sortTable(t, m[2], m[3]) || done;
      }
    });
    if (done) { document.body.setAttribute("data-sorted", m[1] + ":" + m[2] + ":" + m[3]); }
  }
  document.querySelectorAll("table.sortable th[data-col]").forEach(function (th) {
    th.tabIndex = 0;
    function go() {
      var now = th.getAttribute("aria-sort");
      var dir = now ? (now === "descending" ? "asc" : "desc")
                    : (th.getAttribute("data-first") || "asc");
      sortTable(th.closest("table"), th.getAttribute("data-col"), dir);
    }
    th.addEventListener("click", go);
    th.addEventListener("keydown", function (e) {
      if (e.key === "Enter" || e.key === " ") { e.preventDefault(); go(); }
    });
  });
  window.addEventListener("hashchange", applyHash);
  applyHash();
  document.documentElement.setAttribute("data-js", "ready");
})();
"""

_STYLE = """
body { font-family: system-ui, -apple-system, "Segoe UI", sans-serif; margin: 2rem auto;
       max-width: 72rem; padding: 0 1rem; color: #1b1b1b; }
h1 { font-size: 1.6rem; } h2 { font-size: 1.25rem; margin-top: 2.5rem; }
table { border-collapse: collapse; margin: .75rem 0; font-size: .9rem; }
th, td { padding: .3rem .6rem; border-bottom: 1px solid #ddd; text-align: left;
         white-space: nowrap; }
td.sys { white-space: normal; min-width: 10rem; max-width: 24rem; overflow-wrap: anywhere; }
td.num { text-align: right; font-variant-numeric: tabular-nums; }
th[data-col] { cursor: pointer; user-select: none; background: #f4f4f4; }
th[data-col]:focus { outline: 2px solid #4a7bd0; }
th[aria-sort=ascending]::after { content: " \\25B2"; }
th[aria-sort=descending]::after { content: " \\25BC"; }
.ci { color: #666; font-size: .8rem; }
table.stale { opacity: .75; }
.note { color: #555; font-size: .85rem; }
.scroll { overflow-x: auto; }
svg text { font-size: 11px; fill: #333; }
"""


def _script_hash() -> str:
    digest = hashlib.sha256(_SCRIPT.encode("utf-8")).digest()
    return "sha256-" + base64.b64encode(digest).decode()


def _e(text: object) -> str:
    return escape("" if text is None else str(text), quote=True)


def _link(text: str | None, url: str | None) -> str:
    link = safe_link(url)
    if link:
        return f'<a href="{_e(link)}" rel="nofollow noopener noreferrer">{_e(text)}</a>'
    return _e(text)


def _num_cell(value: float | None, extra: str = "") -> str:
    sort = "" if value is None else repr(value)
    return f'<td class="num" data-sort="{sort}">{fmt(value)}{extra}</td>'


def _th(col: str, label: str, kind: str, first: str) -> str:
    return (f'<th data-col="{_e(col)}" data-type="{kind}" data-first="{first}" '
            f'scope="col">{_e(label)}</th>')


def _current_table(table: Table) -> str:
    main = table.main_score
    summary = summary_metrics(table.metrics)[1:]
    # summary scores first, then the precision/recall halves and per-label scores
    others = summary + tuple(m for m in table.metrics[1:] if m not in summary)
    best_first = "desc" if table.direction == "higher" else "asc"
    head = [
        _th("rank", "#", "num", "asc"),
        _th("system", "System", "text", "asc"),
        _th(main, f"{main} (95% CI)", "num", best_first),
        *[_th(m, metric_label(table.task, m), "num",
              "asc" if metric_direction(table.task, m) == "lower" else "desc") for m in others],
        _th("paper", "Paper", "text", "asc"),
        _th("submitted", "Submitted", "text", "desc"),
    ]
    rows = []
    for rank, record in enumerate(table.ranked, 1):
        ci = fmt_ci(record.ci.get(main))
        cells = [
            f'<td class="num" data-sort="{rank}">{rank}</td>',
            _system_cell(record),
            _num_cell(record.main_value, f' <span class="ci">{_e(ci)}</span>' if ci else ""),
            *[_num_cell(record.scores.get(m)) for m in others],
            f"<td>{_paper(record)}</td>",
            f'<td data-sort="{_e(record.submitted_at)}">{_e(record.submitted_at[:10])}</td>',
        ]
        rows.append(f'<tr data-slug="{_e(record.slug)}">' + "".join(cells) + "</tr>")
    return (
        f'<table class="sortable current" data-task="{_e(table.task)}" '
        f'data-key="{_e(table.key)}"><thead><tr>{"".join(head)}</tr></thead>'
        f'<tbody>{"".join(rows)}</tbody></table>'
    )


def _stale_table(table: Table) -> str:
    main = table.main_score
    head = [
        _th("system", "System", "text", "asc"),
        _th(main, f"{main} (95% CI)", "num", "desc"),
        _th("task_version", "Task version", "text", "asc"),
        _th("data_fingerprint", "Data fingerprint", "text", "asc"),
        _th("submitted", "Submitted", "text", "desc"),
    ]
    rows = []
    for record in table.stale:
        ci = fmt_ci(record.ci.get(main))
        cells = [
            _system_cell(record),
            _num_cell(record.main_value, f' <span class="ci">{_e(ci)}</span>' if ci else ""),
            f"<td>{_e(record.task_version)}</td>",
            f'<td title="{_e(record.data_fingerprint)}">{_e(short_fingerprint(record.data_fingerprint))}</td>',
            f'<td data-sort="{_e(record.submitted_at)}">{_e(record.submitted_at[:10])}</td>',
        ]
        rows.append(f'<tr data-slug="{_e(record.slug)}">' + "".join(cells) + "</tr>")
    return (
        f'<p class="note">Stale: made on other data or another task version; not ranked.</p>'
        f'<table class="sortable stale" data-task="{_e(table.task)}-stale" '
        f'data-key="{_e(table.key)}-stale"><thead><tr>{"".join(head)}</tr></thead>'
        f'<tbody>{"".join(rows)}</tbody></table>'
    )


def _system_cell(record: Record) -> str:
    title = f' title="{_e(record.system.description)}"' if record.system.description else ""
    sort = _e(record.system.name.casefold())
    return (f'<td class="sys" data-sort="{sort}"{title}>'
            f"{_link(record.system.name, record.system.url)}</td>")


def _paper(record: Record) -> str:
    paper = record.system.paper
    if not paper:
        return ""
    return _link("paper", paper) if safe_link(paper) else _e(paper)


def _plot(table: Table) -> str:
    """Main score per system with its CI as a horizontal error bar."""
    rows = [r for r in table.ranked if r.main_value is not None]
    if not rows:
        return ""
    values = []
    for record in rows:
        values.append(record.main_value)
        values += [v for v in (record.ci.get(table.main_score) or []) if v is not None]
    lo, hi = min(0.0, *values), max(1.0, *values)
    width, left, right, top, step = 720, 230, 70, 12, 24
    height = top + step * len(rows) + 34
    span = width - left - right

    def x(v: float) -> float:
        return round(left + (v - lo) / (hi - lo) * span, 1)

    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" '
        f'viewBox="0 0 {width} {height}" role="img" '
        f'aria-label="{_e(table.main_score)} by system with 95% CI">'
    ]
    axis_y = top + step * len(rows) + 4
    for k in range(5):
        v = lo + (hi - lo) * k / 4
        parts.append(f'<line x1="{x(v)}" y1="{top - 4}" x2="{x(v)}" y2="{axis_y}" '
                     'stroke="#eee"/>')
        parts.append(f'<text x="{x(v)}" y="{axis_y + 14}" text-anchor="middle">{v:.2f}</text>')
    parts.append(f'<line x1="{left}" y1="{axis_y}" x2="{left + span}" y2="{axis_y}" '
                 'stroke="#999"/>')
    for i, record in enumerate(rows):
        y = top + step * i + step / 2
        name = record.system.name
        short = name if len(name) <= 34 else name[:33] + "…"
        ci = record.ci.get(table.main_score) or [None, None]
        parts.append(f'<g class="point" data-slug="{_e(record.slug)}">')
        parts.append(f"<title>{_e(name)}: {fmt(record.main_value)} {_e(fmt_ci(ci))}</title>")
        parts.append(f'<text x="{left - 8}" y="{y + 4}" text-anchor="end">{_e(short)}</text>')
        if ci[0] is not None and ci[1] is not None:
            x0, x1 = x(ci[0]), x(ci[1])
            parts.append(f'<line x1="{x0}" y1="{y}" x2="{x1}" y2="{y}" stroke="#4a7bd0" '
                         'stroke-width="2"/>')
            for xc in (x0, x1):
                parts.append(f'<line x1="{xc}" y1="{y - 5}" x2="{xc}" y2="{y + 5}" '
                             'stroke="#4a7bd0" stroke-width="2"/>')
        parts.append(f'<circle cx="{x(record.main_value)}" cy="{y}" r="4" fill="#1f3f7a"/>')
        parts.append(f'<text x="{left + span + 8}" y="{y + 4}">{fmt(record.main_value)}</text>')
        parts.append("</g>")
    parts.append("</svg>")
    return "".join(parts)


def _section(table: Table) -> str:
    better = "higher" if table.direction == "higher" else "lower"
    if table.state is not None:
        about = (f"Main score <code>{_e(table.main_score)}</code> ({better} is better) with its "
                 f"95% bootstrap CI; task version {_e(table.state.task_version)}, data "
                 f'fingerprint <span title="{_e(table.state.data_fingerprint)}">'
                 f"{_e(short_fingerprint(table.state.data_fingerprint))}</span>.")
    else:
        about = (f"Main score <code>{_e(table.main_score)}</code> ({better} is better). No record "
                 "scores on the current data any more.")
    body = [f'<section id="{_e(table.key)}">', f"<h2>{_e(table.title)}</h2>",
            f'<p class="note">{about}</p>']
    if table.ranked:
        body += [f"<figure>{_plot(table)}</figure>",
                 f'<div class="scroll">{_current_table(table)}</div>']
    if table.stale:
        body.append(f'<div class="scroll">{_stale_table(table)}</div>')
    body.append("</section>")
    return "\n".join(body)


def render_html(
    records: Iterable[Record],
    current: Mapping[GroupKey, State | None] | None = None,
    task: str | None = None,
    title: str = "presscut leaderboard",
) -> str:
    """A complete HTML document; open it from disk, it needs nothing else."""
    tables = build_tables(records, current, task)
    csp = (f"default-src 'none'; script-src '{_script_hash()}'; style-src 'unsafe-inline'; "
           "img-src data:; base-uri 'none'; form-action 'none'")
    nav = " · ".join(f'<a href="#{_e(t.key)}">{_e(t.title)}</a>' for t in tables)
    sections = "\n".join(_section(t) for t in tables) or "<p>No submissions yet.</p>"
    return (
        "<!DOCTYPE html>\n"
        '<html lang="en">\n<head>\n<meta charset="utf-8">\n'
        f'<meta http-equiv="Content-Security-Policy" content="{csp}">\n'
        '<meta name="viewport" content="width=device-width, initial-scale=1">\n'
        f"<title>{_e(title)}</title>\n<style>{_STYLE}</style>\n</head>\n<body>\n"
        f"<h1>{_e(title)}</h1>\n"
        '<p class="note">Generated by <code>presscut leaderboard --format html</code> from the '
        "submission records. Click a column header to sort; a link ending in "
        "<code>#sort=&lt;task&gt;:&lt;column&gt;:desc</code> opens sorted.</p>\n"
        f"<nav>{nav}</nav>\n{sections}\n"
        f"<script>{_SCRIPT}</script>\n</body>\n</html>\n"
    )
