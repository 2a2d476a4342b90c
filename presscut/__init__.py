"""presscut: a labelled dataset and benchmark for noisy scraped news pages."""

from importlib.metadata import PackageNotFoundError, version

try:
    __version__ = version("presscut")
except PackageNotFoundError:  # running from a source tree that was never installed
    __version__ = "0.0.0+unknown"
