"""Shared plumbing for the collection baselines: input checks, saving and loading.

Baselines are scikit-learn estimators, so their configuration is ``get_params()``;
a saved file holds that configuration next to the fitted estimator, and loading
refuses a file written for another class instead of returning a surprise.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from pathlib import Path

import joblib

from presscut.errors import PresscutError

SAVE_FORMAT = 1


def check_records(
    records: Iterable[dict], required: Sequence[str], id_key: str, what: str
) -> list[dict]:
    """Records as a list; every record a mapping with string fields and a unique id."""
    out: list[dict] = []
    problems: list[str] = []
    seen: set[str] = set()
    for i, rec in enumerate(records):
        if not isinstance(rec, dict):
            problems.append(f"{what} record {i}: expected a mapping, got {type(rec).__name__}")
            continue
        for key in required:
            value = rec.get(key)
            if key == id_key:
                if not isinstance(value, str) or not value:
                    problems.append(f"{what} record {i}: {key!r} must be a non-empty string")
            elif value is not None and not isinstance(value, str):
                problems.append(
                    f"{what} record {i} ({rec.get(id_key)!r}): {key!r} must be text or null, "
                    f"got {type(value).__name__}"
                )
        rid = rec.get(id_key)
        if isinstance(rid, str):
            if rid in seen:
                problems.append(f"{what} record {i}: {id_key} {rid!r} appears twice")
            seen.add(rid)
        out.append(rec)
    if problems:
        raise PresscutError(f"bad {what} input: {len(problems)} problem(s)", problems)
    return out


def text_of(rec: dict, key: str) -> str:
    value = rec.get(key)
    return value if isinstance(value, str) else ""


def config_of(estimator) -> dict:
    """JSON-serialisable configuration: class path and constructor parameters."""
    cls = type(estimator)
    params = {k: _jsonable(v) for k, v in estimator.get_params(deep=False).items()}
    return {"class": f"{cls.__module__}:{cls.__qualname__}", "params": params}


def _jsonable(value):
    if isinstance(value, tuple):
        return [_jsonable(v) for v in value]
    if isinstance(value, dict):
        return {k: _jsonable(v) for k, v in value.items()}
    return value


def save(estimator, path: Path) -> Path:
    """Write the estimator with its configuration; a readable ``.json`` sidecar says what it is."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    config = config_of(estimator)
    joblib.dump({"format": SAVE_FORMAT, "config": config, "estimator": estimator}, path)
    path.with_suffix(path.suffix + ".json").write_text(
        json.dumps(config, indent=2, sort_keys=True) + "\n", encoding="utf-8"
    )
    return path


def load(path: Path, expected: type | None = None):
    """Read an estimator written by :func:`save`; a foreign or mismatched file is refused."""
    path = Path(path)
    if not path.exists():
        raise PresscutError(f"{path}: no such saved baseline")
    try:
        payload = joblib.load(path)
    except Exception as err:  # joblib raises many unrelated types for a corrupt file
        raise PresscutError(f"{path}: not a saved presscut baseline ({err})") from None
    if not isinstance(payload, dict) or payload.get("format") != SAVE_FORMAT:
        raise PresscutError(f"{path}: not a saved presscut baseline (format {SAVE_FORMAT})")
    estimator = payload["estimator"]
    if expected is not None and not isinstance(estimator, expected):
        raise PresscutError(
            f"{path}: holds a {type(estimator).__name__}, expected a {expected.__name__}"
        )
    return estimator


class SaveLoadMixin:
    """``save``/``load`` for any estimator of the collection baselines."""

    def save(self, path: Path) -> Path:
        return save(self, path)

    @classmethod
    def load(cls, path: Path):
        return load(path, expected=cls)

    def config(self) -> dict:
        return config_of(self)
