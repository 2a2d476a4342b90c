"""Records arranged into leaderboard tables: shared by the Markdown and HTML renderers."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from presscut.leaderboard.records import Record
from presscut.leaderboard.scoring import metric_direction, task_order
from presscut.leaderboard.verify import GroupKey, State, group_key, record_state
from presscut.schema import ROLES, STANCES
from presscut.tasks import data_kinds


@dataclass(frozen=True)
class Table:
    task: str
    split: str
    data: str
    state: State | None
    metrics: tuple[str, ...]  # main score first
    ranked: tuple[Record, ...]  # current records, best first
    stale: tuple[Record, ...]  # other data / task version, newest first

    @property
    def main_score(self) -> str:
        return self.metrics[0]

    @property
    def direction(self) -> str:
        rows = self.ranked or self.stale
        return rows[0].direction if rows else "higher"

    @property
    def key(self) -> str:
        """Anchor for the table: ``<task>-<split>-<data>``."""
        return f"{self.task}-{self.split}-{self.data}".replace("_", "-")

    @property
    def title(self) -> str:
        return f"{self.task} ({self.split}, {self.data})"


def _rank_key(record: Record):
    value = record.main_value
    missing = value is None
    signed = 0.0 if missing else (-value if record.direction == "higher" else value)
    return (missing, signed, record.system.name.casefold(), record.submitted_at, record.slug)


def _metrics(records: Iterable[Record]) -> tuple[str, ...]:
    seen: dict[str, None] = {}
    mains: dict[str, None] = {}
    for record in records:
        mains.setdefault(record.main_score, None)
        for name in record.scores:
            seen.setdefault(name, None)
    return tuple(mains) + tuple(n for n in seen if n not in mains)


def build_tables(
    records: Iterable[Record],
    current: Mapping[GroupKey, State | None] | None = None,
    task: str | None = None,
) -> list[Table]:
    """One table per (task, split, data), current records ranked, stale ones set apart.

    ``current`` says which task version and data fingerprint each group is scored on
    now (see ``verify.current_states``). Without it, the newest record of a group sets
    the reference — fine for a pure rendering, but only the caller can know the data.
    """
    groups: dict[GroupKey, list[Record]] = {}
    for record in records:
        if task is None or record.task == task:
            groups.setdefault(group_key(record), []).append(record)
    tables = []
    for key, members in groups.items():
        if current is not None:
            state = current.get(key)
        else:
            state = record_state(max(members, key=lambda r: r.submitted_at))
        ranked = sorted((r for r in members if record_state(r) == state), key=_rank_key)
        stale = sorted(
            (r for r in members if record_state(r) != state),
            key=lambda r: (r.submitted_at, r.slug),
            reverse=True,
        )
        tables.append(
            Table(key[0], key[1], key[2], state, _metrics(ranked + stale), tuple(ranked),
                  tuple(stale))
        )

    known = task_order()
    kinds = data_kinds()

    def order(table: Table):
        t = known.index(table.task) if table.task in known else len(known)
        d = kinds.index(table.data) if table.data in kinds else len(kinds)
        return (t, table.task, d, table.data, table.split)

    return sorted(tables, key=order)


_PER_LABEL = frozenset(ROLES) | frozenset(STANCES)


def summary_metrics(metrics: tuple[str, ...]) -> tuple[str, ...]:
    """The metrics worth a column in a README table: the main score and the summary
    scores, without precision/recall halves or per-label (per-role, per-stance) scores."""
    keep = [metrics[0]] if metrics else []
    for name in metrics[1:]:
        if name.endswith(("_precision", "_recall")) or name.rsplit("_", 1)[-1] in _PER_LABEL:
            continue
        if "_level_" in name:  # difficulty breakdowns (and their pair counts) stay on the HTML page
            continue
        keep.append(name)
    return tuple(keep)


def short_fingerprint(fingerprint: str) -> str:
    """12 hex digits of a fingerprint, whatever prefix ("sha256:") it carries."""
    return fingerprint.rsplit(":", 1)[-1][:12]


def metric_label(task: str, metric: str) -> str:
    """The column name, marked when lower is better (Pk, WindowDiff)."""
    return f"{metric} ↓" if metric_direction(task, metric) == "lower" else metric


def fmt(value: float | None) -> str:
    return "–" if value is None else f"{value:.4f}"


def fmt_ci(ci: list[float | None] | None) -> str:
    if not ci:
        return ""
    return f"[{fmt(ci[0])}, {fmt(ci[1])}]"
