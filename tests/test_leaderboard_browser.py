"""The HTML leaderboard in a real browser: it renders, sorts from the URL, stays inert.

Needs a headless Chromium (Debian: `apt-get install chromium chromium-driver`). Skipped
when none is installed, except under CI=true, where a missing browser is a failure.
"""

from __future__ import annotations

import os
import shutil
import struct
import subprocess
import zlib
from html.parser import HTMLParser
from pathlib import Path

import pytest

from presscut.leaderboard.html_page import render_html
from presscut.leaderboard.records import Record, SystemInfo, record_slug

HOSTILE = '<script>document.title="pwned"</script> | x\n<img src=x onerror=alert(1)>'
BROWSERS = ("chromium", "chromium-browser", "google-chrome", "google-chrome-stable")
FLAGS = [
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
    "--disable-dev-shm-usage", "--hide-scrollbars", "--virtual-time-budget=3000",
]


def _browser() -> str:
    found = os.environ.get("PRESSCUT_CHROMIUM") or next(filter(None, map(shutil.which, BROWSERS)),
                                                        None)
    if found:
        return found
    if os.environ.get("CI", "").lower() in ("1", "true", "yes"):
        pytest.fail("CI is set but no chromium binary was found (apt-get install chromium)")
    pytest.skip("no chromium binary installed (apt-get install chromium); CI is unset")


def _record(name: str, body_f1: float, role_f1: float, day: int, url: str | None = None) -> Record:
    return Record(
        slug=record_slug(name, "segmentation", "test", "gold"),
        task="segmentation", split="test", data="gold",
        system=SystemInfo(name=name, url=url, description="desc <i>x</i>"),
        task_version="1.0", data_fingerprint="a" * 64, package_version="0.1.0",
        predictions_sha256="0" * 64, predictions_bytes=10, main_score="body_f1",
        scores={"body_f1": body_f1, "role_macro_f1": role_f1},
        ci={"body_f1": [body_f1 - 0.04, min(1.0, body_f1 + 0.04)]},
        n_items=5, submitted_at=f"2025-01-{day:02d}T00:00:00Z",
    )


RECORDS = [
    _record("keep everything", 0.67, 0.20, 1),
    _record(HOSTILE, 0.80, 0.90, 2, url="https://example.org/x?a=1&b=<2>"),
    _record("Zeta segmenter", 0.93, 0.55, 3, url="https://example.org/zeta"),
    _record("alpha rules", 0.45, 0.70, 4),
    # another task: the URL hash must sort only the table it names
    Record(**{**_record("stance baseline", 0.70, 0.10, 5).__dict__, "task": "stance",
              "slug": "stance-baseline-stance-test", "main_score": "fnc_score",
              "scores": {"fnc_score": 0.75}, "ci": {"fnc_score": [0.7, 0.8]}}),
]


class _Dom(HTMLParser):
    """Rows of the segmentation table, script elements and text cells of a dumped DOM."""

    def __init__(self):
        super().__init__()
        self.scripts = 0
        self.tags: list[str] = []
        self.rows: list[str] = []
        self.body_attrs: dict = {}
        self.cells: list[str] = []
        self.circles = 0
        self._in_table = False
        self._cell: list[str] | None = None

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        self.tags.append(tag)
        if tag == "script":
            self.scripts += 1
        if tag == "body":
            self.body_attrs = attrs
        if tag == "circle":
            self.circles += 1
        if tag == "table":
            self._in_table = attrs.get("data-key") == "segmentation-test-gold"
        if self._in_table and tag == "tr" and "data-slug" in attrs:
            self.rows.append(attrs["data-slug"])
        if self._in_table and tag == "td":
            self._cell = []

    def handle_endtag(self, tag):
        if tag == "table":
            self._in_table = False
        if tag == "td" and self._cell is not None:
            self.cells.append("".join(self._cell))
            self._cell = None

    def handle_data(self, data):
        if self._cell is not None:
            self._cell.append(data)


def _run(browser: str, page: Path, profile: Path, *extra: str, fragment: str = "") -> str:
    cmd = [browser, *FLAGS, f"--user-data-dir={profile}", *extra, page.as_uri() + fragment]
    done = subprocess.run(cmd, capture_output=True, text=True, timeout=90)
    assert done.returncode == 0, done.stderr[-2000:]
    return done.stdout


@pytest.fixture(scope="module")
def browser() -> str:
    return _browser()


@pytest.fixture
def page(tmp_path) -> Path:
    path = tmp_path / "leaderboard.html"
    path.write_text(render_html(RECORDS), encoding="utf-8")
    return path


def _slugs(records, key):
    return [r.slug for r in sorted((r for r in records if r.task == "segmentation"), key=key)]


@pytest.mark.parametrize(
    "fragment,expected",
    [
        ("", _slugs(RECORDS, lambda r: -r.scores["body_f1"])),
        ("#sort=segmentation:system:asc", _slugs(RECORDS, lambda r: r.system.name.lower())),
        ("#sort=segmentation:role_macro_f1:asc", _slugs(RECORDS, lambda r: r.scores["role_macro_f1"])),
        ("#sort=segmentation:submitted:desc", _slugs(RECORDS, lambda r: r.submitted_at)[::-1]),
    ],
)
def test_page_renders_and_sorts_from_the_url(browser, page, tmp_path, fragment, expected):
    dom = _Dom()
    dom.feed(_run(browser, page, tmp_path / "profile", "--dump-dom", fragment=fragment))
    assert dom.rows == expected
    if fragment:  # the script ran and says what it applied
        assert dom.body_attrs.get("data-sorted") == fragment.removeprefix("#sort=")
    # one plot point per ranked system, over both tables
    assert dom.circles == len(RECORDS)


def test_hostile_names_stay_text(browser, page, tmp_path):
    dom = _Dom()
    dom.feed(_run(browser, page, tmp_path / "profile", "--dump-dom"))
    assert dom.scripts == 1  # ours; an injected one would be a second element
    assert "img" not in dom.tags and "i" not in dom.tags
    assert " ".join(HOSTILE.split()) in [" ".join(c.split()) for c in dom.cells]


def _png_size_and_colours(data: bytes) -> tuple[int, int, int]:
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    width, height = struct.unpack(">II", data[16:24])
    pos, idat = 8, b""
    while pos < len(data):
        length, kind = struct.unpack(">I4s", data[pos:pos + 8])
        if kind == b"IDAT":
            idat += data[pos + 8:pos + 8 + length]
        pos += 12 + length
    return width, height, len(set(zlib.decompress(idat)))


def test_screenshot(browser, page, tmp_path):
    shot = tmp_path / "leaderboard.png"
    _run(browser, page, tmp_path / "profile", f"--screenshot={shot}", "--window-size=1280,1000",
         fragment="#sort=segmentation:body_f1:desc")
    width, height, distinct = _png_size_and_colours(shot.read_bytes())
    assert (width, height) == (1280, 1000)
    assert distinct > 20  # not a blank page
    target = os.environ.get("PRESSCUT_SCREENSHOT_DIR")
    if target:
        Path(target).mkdir(parents=True, exist_ok=True)
        shutil.copy(shot, Path(target) / "screenshot.png")
