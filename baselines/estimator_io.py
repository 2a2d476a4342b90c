"""Shared plumbing of the baselines: input checks, and the one save/load format.

Baselines are scikit-learn estimators, so their configuration is ``get_params()``; a
saved baseline is a folder holding that configuration (``config.json``) next to the
fitted state (``model.joblib``), and loading refuses a folder written for another class
instead of returning a surprise.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from pathlib import Path

import joblib

from presscut.errors import PresscutError

SAVE_FORMAT = 1
CONFIG_FILE = "config.json"
MODEL_FILE = "model.joblib"


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


def fitted_state(estimator) -> dict:
    """What ``fit`` learned: the attributes the class names in ``_fitted_attrs``, else every
    public attribute ending in "_" (scikit-learn's convention for fitted state)."""
    names = getattr(estimator, "_fitted_attrs", None)
    if names:
        missing = [a for a in names if not hasattr(estimator, a)]
        if missing:
            raise PresscutError(f"{type(estimator).__name__}: cannot save an unfitted model "
                                f"(call fit first; missing {', '.join(missing)})")
        return {a: getattr(estimator, a) for a in names}
    return {k: v for k, v in vars(estimator).items() if k.endswith("_") and not k.startswith("_")}


def save(estimator, path: Path, *, default: bool = False) -> Path:
    """Write a baseline as a folder: ``config.json`` (format, class, parameters, readable
    without Python) and ``model.joblib`` (the exact parameters and the fitted state).
    ``default`` marks a committed model as its task's default (see
    :func:`presscut.baselines.registry.committed_default`).

    The one save format of every presscut baseline, page and collection alike.
    """
    path = Path(path)
    if path.exists() and not path.is_dir():
        raise PresscutError(f"{path}: exists and is not a folder; a saved baseline is a folder")
    state = fitted_state(estimator)
    path.mkdir(parents=True, exist_ok=True)
    config = {"format_version": SAVE_FORMAT, **config_of(estimator),
              "name": getattr(estimator, "name", ""), "task": getattr(estimator, "task", "")}
    if default:
        config["default"] = True
    # the exact parameters (tuples stay tuples) travel with the state
    joblib.dump({"params": estimator.get_params(deep=False), "state": state}, path / MODEL_FILE)
    (path / CONFIG_FILE).write_text(json.dumps(config, indent=2, sort_keys=True) + "\n",
                                    encoding="utf-8")
    return path


def load(path: Path, expected: type | None = None):
    """Rebuild a baseline written by :func:`save`; a foreign or mismatched one is refused."""
    import importlib

    path = Path(path)
    cfg_file = path / CONFIG_FILE
    if not path.is_dir():
        raise PresscutError(f"{path}: no saved baseline here (a saved baseline is a folder "
                            f"holding {CONFIG_FILE})")
    try:
        config = json.loads(cfg_file.read_text(encoding="utf-8"))
        module_name, _, qualname = config["class"].partition(":")
    except FileNotFoundError:
        raise PresscutError(f"{cfg_file}: no saved baseline here") from None
    except (ValueError, KeyError, TypeError, AttributeError) as err:
        raise PresscutError(f"{cfg_file}: not a baseline config ({err})") from None
    if not module_name.startswith("presscut."):
        # the config names code to import; only our own package is trusted
        raise PresscutError(f"{cfg_file}: class {config['class']!r} is not a presscut baseline")
    if config.get("format_version") != SAVE_FORMAT:
        raise PresscutError(f"{cfg_file}: not a saved presscut baseline (format {SAVE_FORMAT})")
    try:
        klass = getattr(importlib.import_module(module_name), qualname)
    except (ImportError, AttributeError) as err:
        raise PresscutError(f"{cfg_file}: cannot import {config['class']!r} ({err})") from None
    if expected is not None and not issubclass(klass, expected):
        raise PresscutError(f"{path}: holds a {klass.__name__}, expected a {expected.__name__}")
    model_file = path / MODEL_FILE
    try:
        payload = joblib.load(model_file)
        params, state = payload["params"], payload["state"]
    except FileNotFoundError:
        raise PresscutError(f"{model_file}: fitted model file missing") from None
    except Exception as err:  # joblib raises many unrelated types for a corrupt file
        raise PresscutError(f"{model_file}: not a saved presscut baseline ({err})") from None
    model = klass(**params)
    for attr, value in state.items():
        setattr(model, attr, value)
    return model


class SaveLoadMixin:
    """``save``/``load``/``config`` for every baseline (one format: :func:`save`)."""

    def save(self, path: Path) -> Path:
        return save(self, path)

    @classmethod
    def load(cls, path: Path):
        return load(path, expected=cls)

    def config(self) -> dict:
        return config_of(self)
