"""Submission records: what a record holds, how it is named, stored and read back.

A record is data, never code: it is written and read with ``json`` only, every field is
checked on the way in *and* on the way out (a record can arrive by pull request, so it is
untrusted input even when this module wrote it), and the predictions it points to are
addressed by their sha256, never by a path taken from the record.
"""

from __future__ import annotations

import gzip
import hashlib
import json
import math
import re
import unicodedata
from collections.abc import Iterator
from dataclasses import asdict, dataclass
from pathlib import Path
from urllib.parse import urlsplit

from presscut import paths
from presscut.errors import PresscutError
from presscut.tasks import data_kinds

RECORD_FORMAT = "presscut-submission/1"
MAX_PREDICTIONS_BYTES = 50 * 1024 * 1024
MAX_RECORD_BYTES = 1024 * 1024
MAX_SHORT_FIELD = 200
MAX_DESCRIPTION = 2000
MAX_SLUG = 64
URL_SCHEMES: tuple[str, ...] = ("http", "https")

_SLUG_RE = re.compile(rf"^[a-z0-9](?:[a-z0-9-]{{0,{MAX_SLUG - 2}}}[a-z0-9])?$")
_SHA_RE = re.compile(r"^[0-9a-f]{64}$")
# task and split names end up in slugs and table anchors; keep them to plain identifiers
_NAME_RE = re.compile(r"^[a-z][a-z0-9_]{0,39}$")
# metric names are the harness's to choose; still no spaces, quotes, colons or markup
_METRIC_RE = re.compile(r"^[A-Za-z][A-Za-z0-9_.@+\-]{0,63}$")
# a scheme prefix as RFC 3986 spells it, used to spot "javascript:" in a paper field
_SCHEME_RE = re.compile(r"^\s*([a-zA-Z][a-zA-Z0-9+.\-]*):")
# C0/C1 controls other than tab and line breaks: terminal escapes, NULs, bidi tricks
_BAD_CHARS_RE = re.compile(
    "[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]"
)


# ------------------------------------------------------------------ metadata
@dataclass(frozen=True)
class SystemInfo:
    """Who made the system and where to read about it."""

    name: str
    url: str | None = None
    paper: str | None = None
    description: str | None = None
    contact: str | None = None

    def validated(self, where: str) -> SystemInfo:
        problems: list[str] = []
        limits = {
            "name": MAX_SHORT_FIELD,
            "url": MAX_SHORT_FIELD,
            "paper": MAX_SHORT_FIELD,
            "contact": MAX_SHORT_FIELD,
            "description": MAX_DESCRIPTION,
        }
        for key, limit in limits.items():
            value = getattr(self, key)
            if value is None:
                continue
            if not isinstance(value, str):
                problems.append(f"{key}: expected a string, got {type(value).__name__}")
                continue
            if len(value) > limit:
                problems.append(f"{key}: {len(value)} characters, at most {limit} allowed")
            if _BAD_CHARS_RE.search(value):
                problems.append(f"{key}: contains control or bidi-override characters")
        if not isinstance(self.name, str) or not self.name.strip():
            problems.append("name: a system name is required")
        if isinstance(self.url, str):
            problem = url_problem(self.url)
            if problem:
                problems.append(f"url: {problem}")
        if isinstance(self.paper, str):
            match = _SCHEME_RE.match(self.paper)
            # a paper may be a citation ("arXiv:2101.00001") or a link; only a
            # link scheme browsers would execute or fetch locally is refused
            if match and match.group(1).lower() in ("javascript", "data", "vbscript", "file"):
                problems.append(f"paper: scheme {match.group(1)!r} is not allowed")
        if problems:
            raise PresscutError(f"{where}: invalid system metadata", problems)
        return self


def url_problem(url: str) -> str | None:
    """Why ``url`` may not be shown as a link, or None when it is a plain http(s) URL."""
    try:
        parts = urlsplit(url.strip())
    except ValueError as err:
        return f"not a URL ({err})"
    if parts.scheme.lower() not in URL_SCHEMES:
        shown = parts.scheme or "none"
        return f"scheme {shown!r} is not allowed (use {' or '.join(URL_SCHEMES)})"
    if not parts.netloc:
        return "a host name is required"
    if any(c.isspace() for c in url.strip()):
        return "white space inside a URL"
    return None


def safe_link(url: str | None) -> str | None:
    """The URL to link to, or None when it must be shown as text (or not at all)."""
    if not url or url_problem(url):
        return None
    return url.strip()


# -------------------------------------------------------------------- naming
def slugify(text: str, limit: int = MAX_SLUG) -> str:
    """Lower-case ASCII letters, digits and single hyphens; never empty, never a path."""
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    slug = re.sub(r"[^a-z0-9]+", "-", ascii_text.lower()).strip("-")
    slug = slug[:limit].rstrip("-")
    if not slug:
        # names in other scripts have no ASCII letters; a hash keeps them distinct
        slug = "system-" + hashlib.sha256(text.encode()).hexdigest()[:8]
    return slug


def record_slug(system: str, task: str, split: str, data: str) -> str:
    suffix = slugify(f"{task}-{split}" + ("" if data == "gold" else f"-{data}"), 30)
    return f"{slugify(system, MAX_SLUG - len(suffix) - 1)}-{suffix}"


def check_slug(slug: str) -> str:
    if not isinstance(slug, str) or not _SLUG_RE.match(slug) or "--" in slug:
        raise PresscutError(
            f"invalid record name {slug!r}: use lower-case letters, digits and single "
            f"hyphens, at most {MAX_SLUG} characters"
        )
    return slug


def records_dir(root: Path | None = None) -> Path:
    return paths.leaderboard_dir(root) / "records"


def predictions_dir(root: Path | None = None) -> Path:
    return paths.leaderboard_dir(root) / "predictions"


def record_path(slug: str, root: Path | None = None) -> Path:
    """``leaderboard/records/<slug>.json``; refuses anything that could leave that folder."""
    base = records_dir(root)
    path = base / f"{check_slug(slug)}.json"
    # belt and braces: the slug pattern already excludes separators and dots
    if path.resolve().parent != base.resolve():
        raise PresscutError(f"record name {slug!r} would leave {base}")
    return path


# ---------------------------------------------------------------- predictions
def sha256_file(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as fh:
        for chunk in iter(lambda: fh.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


def check_sha(sha: str) -> str:
    if not isinstance(sha, str) or not _SHA_RE.match(sha):
        raise PresscutError(f"invalid sha256 {sha!r}: expected 64 lower-case hex digits")
    return sha


def stored_predictions(sha: str, root: Path | None = None) -> Path | None:
    """The stored file for ``sha`` (plain or gzip), or None when neither exists."""
    base = predictions_dir(root)
    for name in (f"{check_sha(sha)}.jsonl", f"{sha}.jsonl.gz"):
        if (base / name).is_file():
            return base / name
    return None


def read_predictions_bytes(path: Path) -> bytes:
    """The uncompressed bytes of a stored predictions file (size-limited)."""
    if path.name.endswith(".gz"):
        with gzip.open(path, "rb") as fh:
            data = fh.read(MAX_PREDICTIONS_BYTES + 1)
    else:
        data = path.read_bytes()
    if len(data) > MAX_PREDICTIONS_BYTES:
        raise PresscutError(f"{path}: more than {MAX_PREDICTIONS_BYTES} bytes of predictions")
    return data


def store_predictions(source: Path, root: Path | None = None, compress: bool = False) -> str:
    """Copy ``source`` into the content-addressed store; returns its sha256."""
    size = source.stat().st_size
    if size > MAX_PREDICTIONS_BYTES:
        raise PresscutError(
            f"{source}: predictions file is {size} bytes, at most {MAX_PREDICTIONS_BYTES} allowed"
        )
    data = source.read_bytes()
    sha = hashlib.sha256(data).hexdigest()
    base = predictions_dir(root)
    base.mkdir(parents=True, exist_ok=True)
    if stored_predictions(sha, root) is None:
        if compress:
            # mtime=0 and no file name: the same predictions give the same bytes
            with (base / f"{sha}.jsonl.gz").open("wb") as raw:
                with gzip.GzipFile(filename="", mode="wb", fileobj=raw, mtime=0) as fh:
                    fh.write(data)
        else:
            (base / f"{sha}.jsonl").write_bytes(data)
    return sha


# -------------------------------------------------------------------- record
@dataclass(frozen=True)
class Record:
    slug: str
    task: str
    split: str
    data: str
    system: SystemInfo
    task_version: str
    data_fingerprint: str
    package_version: str
    predictions_sha256: str
    predictions_bytes: int
    main_score: str
    scores: dict[str, float | None]
    ci: dict[str, list[float | None]]
    n_items: int
    submitted_at: str
    direction: str = "higher"

    @property
    def main_value(self) -> float | None:
        return self.scores.get(self.main_score)

    def to_json(self) -> dict:
        return {
            "format": RECORD_FORMAT,
            "slug": self.slug,
            "task": self.task,
            "split": self.split,
            "data": self.data,
            "system": {k: v for k, v in asdict(self.system).items() if v is not None},
            "task_version": self.task_version,
            "data_fingerprint": self.data_fingerprint,
            "package_version": self.package_version,
            "predictions": {"sha256": self.predictions_sha256, "bytes": self.predictions_bytes},
            "main_score": self.main_score,
            "direction": self.direction,
            "scores": self.scores,
            "ci": self.ci,
            "n_items": self.n_items,
            "submitted_at": self.submitted_at,
        }

    @classmethod
    def from_json(cls, obj: object, where: str) -> Record:
        problems: list[str] = []

        def need(container: dict, key: str, kind: type | tuple, label: str | None = None):
            value = container.get(key)
            if not isinstance(value, kind) or isinstance(value, bool) and kind is not bool:
                problems.append(f"{label or key}: missing or not a {_kind_name(kind)}")
                return None
            return value

        if not isinstance(obj, dict):
            raise PresscutError(f"{where}: a record must be a JSON object")
        if obj.get("format") != RECORD_FORMAT:
            problems.append(f"format: expected {RECORD_FORMAT!r}, got {obj.get('format')!r}")
        slug = need(obj, "slug", str)
        task = need(obj, "task", str)
        split = need(obj, "split", str)
        data = need(obj, "data", str)
        for key, value in (("task", task), ("split", split)):
            if value is not None and not _NAME_RE.match(value):
                problems.append(f"{key}: {value!r} is not a plain identifier")
        kinds = data_kinds()
        if data is not None and data not in kinds:
            problems.append(f"data: {data!r} is not one of {', '.join(kinds)}")
        system_obj = need(obj, "system", dict) or {}
        unknown = set(system_obj) - {"name", "url", "paper", "description", "contact"}
        if unknown:
            problems.append(f"system: unknown fields {sorted(unknown)}")
        system = SystemInfo(**{k: system_obj.get(k) for k in SystemInfo.__dataclass_fields__})
        try:
            system.validated(where)
        except PresscutError as err:
            problems += err.problems
        task_version = need(obj, "task_version", str)
        fingerprint = need(obj, "data_fingerprint", str)
        package_version = need(obj, "package_version", str)
        for key, value in (("task_version", task_version), ("data_fingerprint", fingerprint),
                           ("package_version", package_version)):
            if value is not None and len(value) > MAX_SHORT_FIELD:
                problems.append(f"{key}: longer than {MAX_SHORT_FIELD} characters")
        pred = need(obj, "predictions", dict) or {}
        sha = need(pred, "sha256", str, "predictions.sha256")
        if sha is not None and not _SHA_RE.match(sha):
            problems.append("predictions.sha256: expected 64 lower-case hex digits")
        size = need(pred, "bytes", int, "predictions.bytes")
        main_score = need(obj, "main_score", str)
        direction = obj.get("direction", "higher")
        if direction not in ("higher", "lower"):
            problems.append(f"direction: {direction!r} is not 'higher' or 'lower'")
        scores = _check_scores(need(obj, "scores", dict) or {}, problems)
        ci = _check_ci(need(obj, "ci", dict) or {}, problems)
        if main_score is not None and main_score not in scores:
            problems.append(f"main_score: {main_score!r} is not among the scores")
        n_items = need(obj, "n_items", int)
        submitted_at = need(obj, "submitted_at", str)
        if submitted_at is not None and not re.match(
            r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|\+00:00)$", submitted_at
        ):
            problems.append(f"submitted_at: {submitted_at!r} is not a UTC ISO-8601 time")
        if slug is not None:
            try:
                check_slug(slug)
            except PresscutError as err:
                problems.append(f"slug: {err.message}")
        if problems:
            raise PresscutError(f"{where}: invalid submission record", problems)
        return cls(
            slug=slug, task=task, split=split, data=data, system=system,
            task_version=task_version, data_fingerprint=fingerprint,
            package_version=package_version, predictions_sha256=sha, predictions_bytes=size,
            main_score=main_score, scores=scores, ci=ci, n_items=n_items,
            submitted_at=submitted_at, direction=direction,
        )


def _kind_name(kind: type | tuple) -> str:
    kinds = kind if isinstance(kind, tuple) else (kind,)
    names = {str: "string", int: "integer", dict: "JSON object", list: "list", float: "number"}
    return " or ".join(names.get(k, k.__name__) for k in kinds)


def _number(value: object) -> bool:
    return (
        value is None
        or isinstance(value, (int, float)) and not isinstance(value, bool) and math.isfinite(value)
    )


def _check_scores(scores: dict, problems: list[str]) -> dict[str, float | None]:
    out: dict[str, float | None] = {}
    for name, value in scores.items():
        if not _METRIC_RE.match(str(name)):
            problems.append(f"scores: metric name {name!r} is not a plain identifier")
        elif not _number(value):
            problems.append(f"scores.{name}: {value!r} is not a finite number or null")
        else:
            out[name] = None if value is None else float(value)
    return out


def _check_ci(ci: dict, problems: list[str]) -> dict[str, list[float | None]]:
    out: dict[str, list[float | None]] = {}
    for name, value in ci.items():
        if not _METRIC_RE.match(str(name)):
            problems.append(f"ci: metric name {name!r} is not a plain identifier")
        elif not (isinstance(value, list) and len(value) == 2 and all(map(_number, value))):
            problems.append(f"ci.{name}: expected [low, high] finite numbers or nulls")
        else:
            out[name] = [None if v is None else float(v) for v in value]
    return out


def _reject_constant(name: str) -> float:
    raise ValueError(f"{name} is not valid JSON")


def load_record(path: Path) -> Record:
    if path.stat().st_size > MAX_RECORD_BYTES:
        raise PresscutError(f"{path}: record larger than {MAX_RECORD_BYTES} bytes")
    try:
        obj = json.loads(path.read_text(encoding="utf-8"), parse_constant=_reject_constant)
    except (ValueError, UnicodeDecodeError) as err:
        raise PresscutError(f"{path}: not a JSON record ({err})") from err
    record = Record.from_json(obj, str(path))
    if path.stem != record.slug:
        raise PresscutError(f"{path}: file name does not match the record's slug {record.slug!r}")
    return record


def iter_record_paths(root: Path | None = None) -> Iterator[Path]:
    base = records_dir(root)
    if base.is_dir():
        yield from sorted(base.glob("*.json"))


def load_records(root: Path | None = None) -> list[Record]:
    """Every record under ``leaderboard/records``; the first invalid one is an error."""
    return [load_record(p) for p in iter_record_paths(root)]


def write_record(record: Record, root: Path | None = None) -> Path:
    path = record_path(record.slug, root)
    path.parent.mkdir(parents=True, exist_ok=True)
    text = json.dumps(record.to_json(), indent=2, ensure_ascii=False, allow_nan=False)
    path.write_text(text + "\n", encoding="utf-8")
    note_state(record, root)
    return path


# ------------------------------------------------------------------ data states ever scored on
STATES_FILE = "states.json"


def states_path(root: Path | None = None) -> Path:
    return paths.leaderboard_dir(root) / STATES_FILE


def state_key(record: Record) -> str:
    return f"{record.task}/{record.split}/{record.data}"


def state_value(record: Record) -> str:
    return f"{record.task_version} {record.data_fingerprint}"


def read_states(root: Path | None = None) -> dict[str, list[str]] | None:
    """``leaderboard/states.json``: every (task version, data fingerprint) a record was ever
    scored on, per task/split/data; None when the file is missing. A stale record whose
    state is not listed was not made on older data: its fingerprint was edited."""
    path = states_path(root)
    if not path.is_file():
        return None
    try:
        obj = json.loads(path.read_text(encoding="utf-8"))
    except (ValueError, UnicodeDecodeError) as err:
        raise PresscutError(f"{path}: not JSON ({err})") from None
    if not (isinstance(obj, dict) and all(
            isinstance(k, str) and isinstance(v, list) and all(isinstance(x, str) for x in v)
            for k, v in obj.items())):
        raise PresscutError(f"{path}: expected {{\"task/split/data\": [\"version sha256:...\"]}}")
    return obj


def note_state(record: Record, root: Path | None = None) -> None:
    """Add the state a record was just scored on to ``leaderboard/states.json``."""
    states = read_states(root) or {}
    known = states.setdefault(state_key(record), [])
    if state_value(record) in known:
        return
    known.append(state_value(record))
    known.sort()
    paths.write_whole(states_path(root), json.dumps(dict(sorted(states.items())), indent=1) + "\n")


def prune_predictions(root: Path | None = None) -> list[Path]:
    """Delete stored predictions no record refers to (left behind by a replaced record)."""
    used = {r.predictions_sha256 for r in load_records(root)}
    removed = []
    for path in sorted(predictions_dir(root).glob("*.jsonl*")):
        if path.name.split(".", 1)[0] not in used:
            path.unlink()
            removed.append(path)
    return removed
