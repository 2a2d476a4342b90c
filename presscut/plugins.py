"""Tasks and baselines that live outside this package.

A plugin is a module that registers tasks (:func:`presscut.tasks.register`) and/or
baselines (:func:`presscut.baselines.registry.baseline`) when imported. It is named in
the ``PRESSCUT_PLUGINS`` environment variable (module names, comma-separated) or in an
installed distribution's ``presscut.plugins`` entry-point group; both registries import
every plugin once, on their first look-up.
"""

from __future__ import annotations

import importlib
import os
from importlib.metadata import entry_points

from presscut.errors import PresscutError

ENV = "PRESSCUT_PLUGINS"
GROUP = "presscut.plugins"
_loaded: set[str] = set()
_entry_points: list[str] | None = None


def plugin_modules() -> list[str]:
    """Plugin module names: the environment variable's (read every time), then the
    entry points' (read once: installed distributions do not change under a process)."""
    global _entry_points
    if _entry_points is None:
        _entry_points = [ep.value.split(":")[0] for ep in entry_points(group=GROUP)]
    names = [n.strip() for n in os.environ.get(ENV, "").split(",") if n.strip()]
    return list(dict.fromkeys(names + _entry_points))


def load_plugins() -> None:
    for name in plugin_modules():
        if name in _loaded:
            continue
        _loaded.add(name)  # first: a plugin importing the registries comes back here
        try:
            importlib.import_module(name)
        except ImportError as err:
            raise PresscutError(f"plugin {name!r} (from ${ENV} or the {GROUP!r} entry points) "
                                f"cannot be imported: {err}") from None
