"""presscut: a labelled dataset and benchmark for noisy scraped news pages."""

from importlib.metadata import PackageNotFoundError, version


def _mount_checkout_folders() -> None:
    """Make ``presscut.builder`` and ``presscut.baselines`` importable from a plain checkout.

    An install maps the checkout's top-level ``builder/`` and ``baselines/`` folders onto
    these names (``package-dir`` in pyproject.toml); a checkout put on ``sys.path`` without
    installing has no such mapping, so tests and tools run from it would fail to import.
    When the folders sit beside this package (a checkout), they are mounted here, once,
    as the install would.
    """
    import importlib.util
    import sys
    from pathlib import Path

    here = Path(__file__).resolve().parent
    for name in ("builder", "baselines"):
        full = f"{__name__}.{name}"
        folder = here.parent / name
        # an install puts the folder inside the package; an editable one maps it to the
        # very folder mounted here
        if full in sys.modules or (here / name).is_dir() or not (folder / "__init__.py").is_file():
            continue
        spec = importlib.util.spec_from_file_location(
            full, folder / "__init__.py", submodule_search_locations=[str(folder)])
        module = importlib.util.module_from_spec(spec)
        sys.modules[full] = module
        spec.loader.exec_module(module)
        setattr(sys.modules[__name__], name, module)


try:
    __version__ = version("presscut")
except PackageNotFoundError:  # running from a source tree that was never installed
    __version__ = "0.0.0+unknown"
_mount_checkout_folders()
