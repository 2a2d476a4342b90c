"""The one baseline registry (in the manner of lm-eval's): a baseline declares itself once.

A baseline module decorates its estimator class (or a factory function) with
:func:`baseline`, giving everything the runner needs: the task, the name, whether it
trains, its tuning grid, its caveats, the extras it needs, whether it is its task's
default model. ``presscut baselines run``, ``presscut predict`` and the curation tools
read this table and nothing else; the modules of this package are imported on the
first look-up (and any plugins, see :mod:`presscut.plugins`), so adding a baseline is
adding one module.

Every registered estimator follows scikit-learn (parameters in ``__init__``, ``fit``
returns self) and its ``predict`` returns prediction records of its task.
"""

from __future__ import annotations

import importlib
import pkgutil
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from presscut.errors import PresscutError
from presscut.tasks import get_task

Factory = Callable[..., Any]


@dataclass(frozen=True)
class BaselineSpec:
    task: str
    name: str
    factory: Factory  # a class or any callable taking keyword parameters
    params: dict = field(default_factory=dict)  # fixed parameters this entry passes
    trains: bool = False  # fitted on labelled training data before it can predict
    grid: tuple[float, ...] = ()  # values of its ``tune_param`` to tune over, best-first
    caveat: str = ""  # known limit of its gold score, shown beside it in every table
    extras: tuple[str, ...] = ()  # optional extras of presscut it needs
    optional: bool = False  # left out of the default run (``presscut baselines run --extra``)
    default: bool = False  # the task's default model (``presscut predict``)
    order: int = 100  # position in tables among its task's baselines (floors first)
    # folder (under the project root) of its committed fitted model: predict, add and
    # ``baselines run`` load it; ``presscut baselines refit`` rebuilds it with the
    # factory's ``fit_saved(root)``
    saved: str = ""
    # external benchmarks that run it, with what their runner needs: ``{"fnc1": {"about":
    # str, "groups": "story" (fit(..., groups=) gets each pair's story), "refit": bool
    # (fitted again on train + validation after tuning)}}`` (``presscut baselines fnc1``)
    benchmarks: dict = field(default_factory=dict)

    def make(self, **params) -> Any:
        """A fresh, unfitted estimator (``params`` override the entry's own)."""
        return self.factory(**{**self.params, **params})


_SPECS: dict[tuple[str, str], BaselineSpec] = {}
_discovered = False


def register(spec: BaselineSpec) -> BaselineSpec:
    get_task(spec.task)  # an unknown task is an error here too
    key = (spec.task, spec.name)
    old = _SPECS.get(key)
    if old is not None and old.factory is not spec.factory:
        raise PresscutError(f"baseline {spec.name!r} is already registered for task "
                            f"{spec.task!r}")
    if spec.default:
        other = [s.name for s in _SPECS.values()
                 if s.task == spec.task and s.default and s.name != spec.name]
        if other:
            raise PresscutError(f"task {spec.task!r} has two default baselines: "
                                f"{other[0]!r} and {spec.name!r}")
    _SPECS[key] = spec
    return spec


def baseline(task: str, name: str, **options) -> Callable[[Factory], Factory]:
    """Class/function decorator: register ``obj`` as baseline ``name`` of ``task``.

    ``options`` are the :class:`BaselineSpec` fields (``params``, ``trains``, ``grid``,
    ``caveat``, ``extras``, ``optional``, ``default``, ``order``, ``saved``,
    ``benchmarks``). Stack it to register one class under several tasks or parameter sets.
    """

    def decorate(obj: Factory) -> Factory:
        grid = tuple(options.pop("grid", ()))
        register(BaselineSpec(task=task, name=name, factory=obj, grid=grid, **options))
        return obj

    return decorate


def _discover() -> None:
    global _discovered
    if not _discovered:
        _discovered = True  # before importing: the modules import this one
        package = importlib.import_module("presscut.baselines")
        for info in pkgutil.iter_modules(package.__path__):
            if not info.name.startswith("_"):
                importlib.import_module(f"presscut.baselines.{info.name}")
    from presscut.plugins import load_plugins

    load_plugins()


def specs(task: str | None = None, *, extras: Iterable[str] | None = None) -> list[BaselineSpec]:
    """Registered baselines (of ``task``), in table order.

    With ``extras`` given, only what a run with those extras includes: every baseline
    not marked ``optional``, and the optional ones whose extras are all enabled.
    """
    _discover()
    if task is not None:
        get_task(task)
    enabled = None if extras is None else set(extras)
    out = [s for s in _SPECS.values() if task is None or s.task == task]
    if enabled is not None:
        out = [s for s in out if not s.optional or (s.extras and set(s.extras) <= enabled)]
    order = {t: i for i, t in enumerate(_task_order())}
    return sorted(out, key=lambda s: (order.get(s.task, len(order)), s.order, s.name))


def _task_order() -> list[str]:
    from presscut.tasks import task_names

    return task_names()


def get(task: str, name: str) -> BaselineSpec:
    _discover()
    get_task(task)
    try:
        return _SPECS[(task, name)]
    except KeyError:
        known = ", ".join(s.name for s in specs(task)) or "none"
        raise PresscutError(f"unknown baseline {name!r} for task {task!r}; "
                            f"choose one of {known}") from None


def task_of(name: str) -> str:
    """The task a baseline name belongs to (names shared by two tasks need ``task=``)."""
    owners = sorted({s.task for s in specs() if s.name == name})
    if not owners:
        raise PresscutError(f"unknown baseline {name!r}; known: "
                            f"{', '.join(sorted({s.name for s in specs()}))}")
    if len(owners) > 1:
        raise PresscutError(f"baseline {name!r} exists for tasks {', '.join(owners)}; "
                            "say which task")
    return owners[0]


def make(task: str, name: str, **params) -> Any:
    """A fresh, unfitted baseline for ``task``; unknown names list the choices."""
    return get(task, name).make(**params)


def create(name: str, task: str | None = None, **params) -> Any:
    """A fresh, unfitted baseline by name (the task is looked up when not given)."""
    return make(task or task_of(name), name, **params)


def default_for(task: str) -> BaselineSpec:
    """The baseline ``presscut predict`` uses for ``task`` when no model is named."""
    found = [s for s in specs(task) if s.default]
    if not found:
        raise PresscutError(f"task {task!r} has no default baseline; name one with --model "
                            f"({', '.join(s.name for s in specs(task)) or 'none registered'})")
    return found[0]


def prepare(spec: BaselineSpec, root: Path | None = None, fit: str = "",
            **params) -> tuple[Any, str]:
    """``spec``'s estimator fitted or tuned the way its task does it (non-test data only;
    ``fit`` names a run's training data, see :class:`presscut.tasks.Run`), with the note
    the results tables show beside it; a baseline with a committed fitted model
    (``saved``) is loaded instead, so every table scores the model users get."""
    if spec.saved and not params:
        model = load_saved(spec, root)
        return model, getattr(model, "describe", lambda: "")()
    return get_task(spec.task).prepare(spec.make(**params), spec, root, fit)


def saved_path(spec: BaselineSpec, root: Path | None = None) -> Path:
    from presscut import paths

    return (root or paths.project_root()) / spec.saved


def load_saved(spec: BaselineSpec, root: Path | None = None) -> Any:
    """The committed fitted model of ``spec``; a missing one says how to rebuild it."""
    from presscut.baselines.estimator_io import CONFIG_FILE, load

    path = saved_path(spec, root)
    if not (path / CONFIG_FILE).is_file():
        raise PresscutError(f"{path}: the fitted {spec.name} model is missing (rebuild it with "
                            f"`presscut baselines refit {spec.name}`)")
    return load(path)


def committed_default(task: str, root: Path | None = None) -> Path | None:
    """The folder of ``task``'s default model when it is a committed one, found from the
    committed models' own configs (``refit`` writes the registry's ``default`` flag into
    them) without importing every baseline module: what lets ``presscut predict`` label a
    page without loading scikit-learn and the rest. None when no committed model is."""
    import json

    from presscut import paths
    from presscut.baselines.estimator_io import CONFIG_FILE

    found = []
    for cfg in sorted(((root or paths.project_root()) / "models").glob(f"*/{CONFIG_FILE}")):
        try:
            doc = json.loads(cfg.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            continue  # the full look-up below names a broken model properly
        if isinstance(doc, dict) and doc.get("task") == task and doc.get("default") is True:
            found.append(cfg.parent)
    return found[0] if len(found) == 1 else None


def refit(spec: BaselineSpec, root: Path | None = None, out: Path | None = None) -> Path:
    """Fit ``spec``'s committed model again from the data it names and write it to ``out``
    (default: where it is committed), whole or not at all."""
    import shutil
    import tempfile

    from presscut.baselines.estimator_io import save

    if not spec.saved:
        raise PresscutError(f"baseline {spec.name!r} has no committed model to refit")
    out = Path(out) if out is not None else saved_path(spec, root)
    model = spec.factory.fit_saved(root, **spec.params)
    out.parent.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix=f".{out.name}.", dir=out.parent))
    tmp.chmod(0o755)  # mkdtemp makes it private; a committed model is for everyone
    try:
        save(model, tmp, default=spec.default)
        if out.exists():
            shutil.rmtree(out)
        tmp.rename(out)
    finally:
        if tmp.exists():
            shutil.rmtree(tmp)
    return out


def ready(spec: BaselineSpec, root: Path | None = None) -> Any:
    """``spec``'s estimator ready to predict, fitted at most once per training data.

    A committed model is loaded. A learned or tuned one is prepared as ``baselines run``
    prepares it and kept under ``build/models/``, keyed by the baseline's code, its
    parameters and every split file it may learn from, so the next ``predict`` or ``add``
    loads it instead of fitting again (#10.7); anything else is made on the spot.
    """
    if spec.saved:
        return load_saved(spec, root)
    if not (spec.trains or spec.grid):
        return prepare(spec, root)[0]
    from presscut.baselines.estimator_io import CONFIG_FILE, load, save

    cache = _cache_dir(spec, root)
    if (cache / CONFIG_FILE).is_file():
        try:
            return load(cache)
        except PresscutError:
            pass  # a damaged cache entry is rebuilt below
    model = prepare(spec, root)[0]
    try:
        save(model, cache)
    except (OSError, PresscutError):
        pass  # a read-only checkout still predicts; it fits again next time
    return model


def _cache_dir(spec: BaselineSpec, root: Path | None) -> Path:
    import hashlib
    import inspect
    import json

    from presscut import paths
    from presscut.harness.gold import fingerprint

    base = root or paths.project_root()
    files = sorted(p for p in paths.splits_dir(base).glob("*/*.parquet")
                   if p.stem != "test")
    h = hashlib.sha256()
    h.update(json.dumps([spec.task, spec.name, repr(sorted(spec.params.items()))]).encode())
    h.update(fingerprint(files).encode())
    try:  # a changed baseline module is a different model
        h.update(inspect.getsource(inspect.getmodule(spec.factory)).encode())
    except (OSError, TypeError):
        pass
    return base / "build" / "models" / f"{spec.task}-{spec.name}-{h.hexdigest()[:16]}"
