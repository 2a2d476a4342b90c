"""Submissions, verification and the rendered boards (with a fake harness, so no dataset)."""

from __future__ import annotations

import gzip
import hashlib
import json
import re
import sys
from datetime import datetime, timezone
from html.parser import HTMLParser
from pathlib import Path

import pytest
from markdown_it import MarkdownIt

from presscut.errors import PredictionError, PresscutError
from presscut.leaderboard import records as rec
from presscut.leaderboard import scoring
from presscut.leaderboard import submit as submit_mod
from presscut.leaderboard.html_page import render_html
from presscut.leaderboard.markdown import (
    END,
    START,
    readme_diff,
    readme_section,
    render_markdown,
    update_readme,
)
from presscut.leaderboard.submit import submit
from presscut.leaderboard.verify import (
    DUPLICATE,
    INVALID,
    MISMATCH,
    MISSING,
    OK,
    STALE,
    TAMPERED,
    current_states,
    verify,
)

ROOT = Path(__file__).resolve().parent.parent
FIXED = datetime(2025, 3, 4, 5, 6, 7, tzinfo=timezone.utc)
HOSTILE = '<script>alert("x")</script> | evil\n[click](javascript:alert(1)) `tick` <b>bold</b>'


class FakeHarness:
    """A deterministic stand-in for presscut.harness.evaluate.evaluate.

    Scores are a function of the predictions bytes only, so any change to the stored
    file changes them; fingerprint and task version can be moved to simulate new data.
    """

    def __init__(self):
        self.task_version = "1.0"
        self.fingerprint = "f" * 64
        self.calls = 0
        self.rejects: set[str] = set()  # sha256 of predictions that no longer validate

    def __call__(self, task, predictions, split="test", data="gold", root=None):
        self.calls += 1
        raw = Path(predictions).read_bytes()
        sha = hashlib.sha256(raw).hexdigest()
        if sha in self.rejects:
            raise PredictionError(f"{predictions}: unknown doc_id")
        lines = raw.decode().splitlines()
        for number, line in enumerate(lines, 1):
            try:
                json.loads(line)
            except ValueError as err:
                raise PredictionError(f"{predictions}:{number}: not JSON") from err
        score = int(sha[:8], 16) / 2**32
        return {
            "task": task,
            "task_version": self.task_version,
            "split": split,
            "data": data,
            "data_fingerprint": self.fingerprint,
            "package_version": "0.1.0",
            "n_items": len(lines),
            "main_score": "body_f1",
            "scores": {"body_f1": score, "role_macro_f1": score / 2, "pk": float("nan")},
            "ci": {"body_f1": [score - 0.05, score + 0.05]},
            "per_item": [],
        }


@pytest.fixture
def harness(monkeypatch) -> FakeHarness:
    fake = FakeHarness()
    # the CLI reaches the harness through scoring.default_evaluate
    monkeypatch.setattr(scoring, "default_evaluate", lambda: fake)
    return fake


def write_preds(path: Path, n: int = 3, salt: str = "") -> Path:
    lines = [json.dumps({"doc_id": f"doc{i}{salt}", "roles": ["body"], "articles": [[0, 1]]})
             for i in range(n)]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def do_submit(root: Path, harness: FakeHarness, name: str = "sys-a", salt: str = "", **kw) -> Path:
    preds = write_preds(root / f"preds-{hashlib.md5((name + salt).encode()).hexdigest()}.jsonl",
                        salt=salt)
    return submit("segmentation", preds, name, root=root, evaluate_fn=harness,
                  clock=lambda: FIXED, **kw)


def statuses(root: Path, harness: FakeHarness) -> dict[str, str]:
    return {c.name: c.status for c in verify(root, evaluate_fn=harness)}


# ------------------------------------------------------------------ submit
def test_submit_writes_record_and_content_addressed_predictions(tmp_path, harness):
    preds = write_preds(tmp_path / "p.jsonl")
    path = submit("segmentation", preds, "My System", url="https://example.org/x",
                  paper="arXiv:2101.00001", description="trained on train only",
                  contact="me@example.org", split="test", root=tmp_path,
                  evaluate_fn=harness, clock=lambda: FIXED)
    assert path.parent == tmp_path / "leaderboard" / "records"
    obj = json.loads(path.read_text())
    sha = hashlib.sha256(preds.read_bytes()).hexdigest()
    assert obj["predictions"] == {"sha256": sha, "bytes": preds.stat().st_size}
    stored = tmp_path / "leaderboard" / "predictions" / f"{sha}.jsonl"
    assert stored.read_bytes() == preds.read_bytes()
    expected = harness("segmentation", preds)
    assert obj["scores"]["body_f1"] == expected["scores"]["body_f1"]
    assert obj["scores"]["pk"] is None  # NaN has no JSON form
    assert obj["ci"]["body_f1"] == expected["ci"]["body_f1"]
    assert obj["submitted_at"] == "2025-03-04T05:06:07Z"
    assert obj["data_fingerprint"] == harness.fingerprint
    assert obj["task_version"] == "1.0" and obj["package_version"] == "0.1.0"
    assert obj["system"]["name"] == "My System" and obj["split"] == "test"
    assert obj["n_items"] == 3


def test_submit_invalid_predictions_writes_nothing(tmp_path, harness):
    bad = tmp_path / "bad.jsonl"
    bad.write_text('{"doc_id": "a"}\nnot json\n')
    with pytest.raises(PredictionError) as err:
        submit("segmentation", bad, "sys", root=tmp_path, evaluate_fn=harness)
    assert err.value.exit_code == 2
    assert not (tmp_path / "leaderboard").exists()


def test_submit_refuses_to_overwrite_unless_replace(tmp_path, harness):
    do_submit(tmp_path, harness)
    with pytest.raises(PresscutError, match="exists already"):
        do_submit(tmp_path, harness, salt="2")
    path = do_submit(tmp_path, harness, salt="2", replace=True)
    assert statuses(tmp_path, harness) == {path.stem: OK}


def test_gzip_store_is_deterministic_and_verifies(tmp_path, harness):
    path = do_submit(tmp_path, harness, compress=True)
    sha = json.loads(path.read_text())["predictions"]["sha256"]
    gz = tmp_path / "leaderboard" / "predictions" / f"{sha}.jsonl.gz"
    first = gz.read_bytes()
    assert hashlib.sha256(gzip.decompress(first)).hexdigest() == sha
    gz.unlink()
    do_submit(tmp_path, harness, compress=True, replace=True)
    assert gz.read_bytes() == first
    assert statuses(tmp_path, harness) == {path.stem: OK}


# ------------------------------------------------------------------ verify
def test_verify_passes_after_submit(tmp_path, harness):
    a = do_submit(tmp_path, harness, "sys-a")
    b = do_submit(tmp_path, harness, "sys-b", salt="b")
    assert statuses(tmp_path, harness) == {a.stem: OK, b.stem: OK}


def test_one_byte_of_stored_predictions_fails_verify(tmp_path, harness):
    a = do_submit(tmp_path, harness, "sys-a")
    b = do_submit(tmp_path, harness, "sys-b", salt="b")
    sha = json.loads(b.read_text())["predictions"]["sha256"]
    stored = tmp_path / "leaderboard" / "predictions" / f"{sha}.jsonl"
    data = bytearray(stored.read_bytes())
    data[10] ^= 1
    stored.write_bytes(bytes(data))
    assert statuses(tmp_path, harness) == {a.stem: OK, b.stem: TAMPERED}


def test_one_digit_of_stored_score_fails_verify(tmp_path, harness):
    a = do_submit(tmp_path, harness, "sys-a")
    text = a.read_text()
    value = json.loads(text)["scores"]["body_f1"]
    digits = repr(value)
    # change the 6th significant digit: far above the 1e-9 tolerance
    pos = digits.index(".") + 6
    changed = digits[:pos] + str((int(digits[pos]) + 1) % 10) + digits[pos + 1:]
    assert text.count(digits) == 1
    a.write_text(text.replace(digits, changed))
    checks = verify(tmp_path, evaluate_fn=harness)
    assert [(c.name, c.status) for c in checks] == [(a.stem, MISMATCH)]
    assert "scores.body_f1" in checks[0].detail


def test_tiny_float_noise_is_within_tolerance(tmp_path, harness):
    a = do_submit(tmp_path, harness)
    obj = json.loads(a.read_text())
    obj["scores"]["body_f1"] += 1e-12
    a.write_text(json.dumps(obj))
    assert statuses(tmp_path, harness) == {a.stem: OK}


def test_missing_predictions_fail_verify(tmp_path, harness):
    a = do_submit(tmp_path, harness)
    for f in (tmp_path / "leaderboard" / "predictions").iterdir():
        f.unlink()
    assert statuses(tmp_path, harness) == {a.stem: MISSING}


@pytest.mark.parametrize("what", ["fingerprint", "task_version"])
def test_other_data_or_task_version_is_stale_and_set_apart(tmp_path, harness, what):
    old = do_submit(tmp_path, harness, "old-system")
    if what == "fingerprint":
        harness.fingerprint = "e" * 64
    else:
        harness.task_version = "2.0"
    new = do_submit(tmp_path, harness, "new-system", salt="n")
    assert statuses(tmp_path, harness) == {old.stem: STALE, new.stem: OK}

    records = rec.load_records(tmp_path)
    current = current_states(records, tmp_path, harness)
    md = render_markdown(records, current)
    ranked, _, stale = md.partition("Stale")
    assert "new-system" in ranked and "old-system" not in ranked
    assert "old-system" in stale and "new-system" not in stale


def test_stale_record_whose_predictions_no_longer_validate(tmp_path, harness):
    old = do_submit(tmp_path, harness, "old-system")
    harness.fingerprint = "e" * 64
    harness.rejects.add(json.loads(old.read_text())["predictions"]["sha256"])
    new = do_submit(tmp_path, harness, "new-system", salt="n")
    checks = {c.name: c for c in verify(tmp_path, evaluate_fn=harness)}
    assert checks[old.stem].status == STALE and checks[new.stem].status == OK
    assert "made on older data" in checks[old.stem].detail


@pytest.fixture
def cli_run(monkeypatch):
    """Run ``presscut ARGS...`` in-process through ``cli.main``; returns the exit code."""
    from presscut import cli

    def run(*args) -> int:
        monkeypatch.setattr(sys, "argv", ["presscut", *args])
        try:
            cli.main()
        except SystemExit as exc:
            return exc.code or 0
        return 0

    return run


def test_cli_verify_exit_codes_and_names(tmp_path, harness, cli_run, capsys):
    run = cli_run
    preds = write_preds(tmp_path / "p.jsonl")
    assert run("submit", "segmentation", str(preds), "--system", "Cli Sys",
               "--root", str(tmp_path)) == 0
    assert run("verify", "--root", str(tmp_path)) == 0
    assert "all 1 record(s) verified" in capsys.readouterr().out
    record = next((tmp_path / "leaderboard" / "records").glob("*.json"))
    obj = json.loads(record.read_text())
    obj["scores"]["role_macro_f1"] += 0.001
    record.write_text(json.dumps(obj))
    assert run("verify", "--root", str(tmp_path)) == 1
    err = capsys.readouterr().err
    assert record.stem in err and "MISMATCH" in err
    bad = tmp_path / "bad.jsonl"
    bad.write_text("{nope\n")
    assert run("submit", "segmentation", str(bad), "--system", "x", "--root", str(tmp_path)) == 2
    assert run("submit", "segmentation", str(preds), "--system", "x", "--url",
               "javascript:alert(1)", "--root", str(tmp_path)) == 1
    assert "scheme 'javascript' is not allowed" in capsys.readouterr().err


def test_empty_board_needs_no_harness(tmp_path, monkeypatch):
    def unavailable():
        raise PresscutError("the evaluation harness is not available")

    monkeypatch.setattr(scoring, "default_evaluate", unavailable)
    assert verify(tmp_path) == []


def test_cli_leaderboard_outputs(tmp_path, harness, cli_run, capsys):
    run = cli_run
    do_submit(tmp_path, harness, "sys-a")
    harness.fingerprint = "e" * 64
    do_submit(tmp_path, harness, "sys-b", salt="b")
    assert run("verify", "--root", str(tmp_path)) == 1
    assert "STALE" in capsys.readouterr().err
    assert run("verify", "--root", str(tmp_path), "--allow-stale") == 0
    capsys.readouterr()
    assert run("leaderboard", "--root", str(tmp_path)) == 0
    ranked, _, stale = capsys.readouterr().out.partition("Stale")
    assert "sys-b" in ranked and "sys-a" in stale and "sys-a" not in ranked
    out = tmp_path / "board.html"
    assert run("leaderboard", "--format", "html", "-o", str(out), "--root", str(tmp_path)) == 0
    assert out.read_text().startswith("<!DOCTYPE html>")
    assert run("leaderboard", "--task", "stance", "--root", str(tmp_path)) == 0
    assert "sys-b" not in capsys.readouterr().out
    readme = tmp_path / "README.md"
    readme.write_text(f"x\n{START}\n{END}\n")
    assert run("leaderboard", "--readme", str(readme), "--root", str(tmp_path)) == 0
    assert not readme_diff(readme, root=tmp_path, evaluate_fn=harness)
    assert run("leaderboard", "--format", "pdf", "--root", str(tmp_path)) == 1


# ---------------------------------------------------------------- security
@pytest.mark.parametrize("url", ["javascript:alert(1)", "JaVaScRiPt:alert(1)", "data:text/html,x",
                                 "file:///etc/passwd", "ftp://example.org", "//example.org/x",
                                 "https://", " javascript:alert(1)"])
def test_submit_refuses_non_http_urls(tmp_path, harness, url):
    with pytest.raises(PresscutError) as err:
        do_submit(tmp_path, harness, url=url)
    assert "url:" in err.value.render()
    assert not (tmp_path / "leaderboard").exists()


@pytest.mark.parametrize(
    "field,value",
    [("system", "x" * 201), ("description", "d" * 2001), ("contact", "c" * 201),
     ("paper", "javascript:alert(1)"), ("system", "bad\x1b[31mname"), ("system", "rtl\u202eeman"),
     ("system", "   ")],
)
def test_submit_refuses_bad_metadata(tmp_path, harness, field, value):
    kwargs = {"system": "ok"}
    kwargs[field] = value
    preds = write_preds(tmp_path / "p.jsonl")
    name = kwargs.pop("system")
    with pytest.raises(PresscutError):
        submit("segmentation", preds, name, root=tmp_path, evaluate_fn=harness, **kwargs)
    assert not (tmp_path / "leaderboard").exists()


def test_submit_refuses_oversized_predictions(tmp_path, harness, monkeypatch):
    monkeypatch.setattr(submit_mod, "MAX_PREDICTIONS_BYTES", 10)
    with pytest.raises(PresscutError, match="at most 10 allowed"):
        do_submit(tmp_path, harness)
    assert harness.calls == 0


@pytest.mark.parametrize("name", ["../../etc", "..", "/etc/passwd", "a/../../b", "...", "日本語"])
def test_record_names_stay_inside_records(tmp_path, harness, name):
    path = do_submit(tmp_path, harness, name)
    assert path.resolve().parent == (tmp_path / "leaderboard" / "records").resolve()
    assert rec.check_slug(path.stem) == path.stem
    assert statuses(tmp_path, harness) == {path.stem: OK}


@pytest.mark.parametrize("slug", ["../../etc", "../x", "a/b", "", "A", "-a", "a--b", "x" * 65,
                                  "a.json"])
def test_record_path_rejects_escaping_slugs(tmp_path, slug):
    with pytest.raises(PresscutError):
        rec.record_path(slug, tmp_path)


@pytest.mark.parametrize(
    "change,message",
    [(lambda o: o.update(slug="../../etc"), "slug"),
     (lambda o: o["system"].update(url="javascript:alert(1)"), "url"),
     (lambda o: o["predictions"].update(sha256="../../../etc/passwd"), "sha256"),
     (lambda o: o["scores"].update(body_f1="NaN"), "scores.body_f1"),
     (lambda o: o.update(task="../x"), "task"),
     (lambda o: o["system"].update(__class__="x"), "unknown fields")],
)
def test_hand_edited_records_are_checked_on_load(tmp_path, harness, change, message):
    path = do_submit(tmp_path, harness)
    obj = json.loads(path.read_text())
    change(obj)
    path.write_text(json.dumps(obj))
    with pytest.raises(PresscutError) as err:
        rec.load_record(path)
    assert message in err.value.render()
    assert [c.status for c in verify(tmp_path, evaluate_fn=harness)] == ["invalid"]


def test_nan_literal_in_record_is_refused(tmp_path, harness):
    path = do_submit(tmp_path, harness)
    path.write_text(path.read_text().replace('"pk": null', '"pk": NaN'))
    with pytest.raises(PresscutError, match="not a JSON record"):
        rec.load_record(path)


class _Collect(HTMLParser):
    def __init__(self):
        super().__init__()
        self.tags: list[tuple[str, dict]] = []
        self.text: list[str] = []

    def handle_starttag(self, tag, attrs):
        self.tags.append((tag, dict(attrs)))

    def handle_data(self, data):
        self.text.append(data)


def _hostile_board(tmp_path: Path, harness: FakeHarness) -> list[rec.Record]:
    do_submit(tmp_path, harness, HOSTILE, url="https://example.org/a?q=1|2&x=(y)",
              paper="https://example.org/paper)](javascript:alert(1))",
              description='"><img src=x onerror=alert(1)>')
    do_submit(tmp_path, harness, "plain | pipes", salt="p")
    return rec.load_records(tmp_path)


def test_markdown_escapes_hostile_metadata(tmp_path, harness):
    records = _hostile_board(tmp_path, harness)
    md = render_markdown(records)
    # an independent GFM renderer with raw HTML *enabled*: anything unescaped would show
    html_out = MarkdownIt("commonmark").enable("table").render(md)
    parsed = _Collect()
    parsed.feed(html_out)
    tags = [t for t, _ in parsed.tags]
    assert "script" not in tags and "img" not in tags and "b" not in tags
    hrefs = [a["href"] for t, a in parsed.tags if t == "a"]
    assert hrefs and all(h.startswith("https://") for h in hrefs)
    # pipes did not split cells: every body row has as many cells as the header
    header_cells = len(re.findall(r"<th[ >]", html_out.split("<tbody>")[0]))
    body = html_out.split("<tbody>")[1].split("</tbody>")[0]
    rows = body.split("<tr>")[1:]
    assert len(rows) == 2 and all(len(re.findall(r"<td[ >]", r)) == header_cells for r in rows)
    text = " ".join(parsed.text)
    assert " ".join(HOSTILE.split()) in text
    assert "plain | pipes" in text


def test_html_escapes_hostile_metadata(tmp_path, harness):
    records = _hostile_board(tmp_path, harness)
    page = render_html(records)
    parsed = _Collect()
    parsed.feed(page)
    tags = [t for t, _ in parsed.tags]
    assert tags.count("script") == 1 and "img" not in tags and "b" not in tags
    for tag, attrs in parsed.tags:
        assert not any(k.startswith("on") for k in attrs), (tag, attrs)
        if tag == "td" and "title" in attrs:  # the description survives as an attribute value
            assert attrs["title"] == '"><img src=x onerror=alert(1)>'
        if tag == "a":
            assert attrs["href"].startswith(("https://", "#")), attrs
        if tag in ("link", "img", "iframe", "object", "embed"):
            raise AssertionError(f"external resource tag {tag}")
        assert "src" not in attrs and "srcset" not in attrs, (tag, attrs)  # nothing fetched
    assert HOSTILE in "".join(parsed.text)


def test_ranking_follows_main_score(tmp_path, harness):
    names = [f"system-{i}" for i in range(6)]
    for name in names:
        do_submit(tmp_path, harness, name, salt=name)
    records = rec.load_records(tmp_path)
    expected = [r.system.name for r in sorted(records, key=lambda r: -r.scores["body_f1"])]
    md = render_markdown(records)
    positions = [md.index(f"| {n} |") for n in expected]
    assert positions == sorted(positions)
    page = render_html(records)
    assert [page.index(f">{n}<") for n in expected] == sorted(page.index(f">{n}<")
                                                              for n in expected)


def test_empty_board(tmp_path):
    assert "No submissions yet" in render_markdown([])
    assert "No submissions yet" in render_html([])


# ------------------------------------------------------------------ README
def test_update_readme_between_markers(tmp_path, harness):
    do_submit(tmp_path, harness)
    readme = tmp_path / "README.md"
    readme.write_text(f"# Title\n\nintro\n\n{START}\nold board\n{END}\n\nafter\n")
    assert readme_diff(readme, root=tmp_path, evaluate_fn=harness)
    assert update_readme(readme, root=tmp_path, evaluate_fn=harness) is True
    text = readme.read_text()
    assert text.startswith("# Title\n\nintro\n\n") and text.endswith(f"{END}\n\nafter\n")
    assert "old board" not in text and "sys-a" in readme_section(readme)
    assert update_readme(readme, root=tmp_path, evaluate_fn=harness) is False
    assert readme_diff(readme, root=tmp_path, evaluate_fn=harness) == ""
    do_submit(tmp_path, harness, "sys-b", salt="b")
    assert "sys-b" in readme_diff(readme, root=tmp_path, evaluate_fn=harness)


def test_update_readme_needs_markers(tmp_path):
    readme = tmp_path / "README.md"
    readme.write_text("# no markers\n")
    assert readme_section(readme) is None
    with pytest.raises(PresscutError, match="markers"):
        update_readme(readme, markdown="x\n")


def test_readme_leaderboard_is_current():
    """The board in README.md matches the records (run `presscut leaderboard --readme README.md`)."""
    readme = ROOT / "README.md"
    if not readme.is_file() or readme_section(readme) is None:
        pytest.skip(f"README.md has no {START} / {END} markers")
    diff = readme_diff(readme, root=ROOT)
    assert not diff, "README leaderboard is stale; run `presscut leaderboard --readme README.md`\n" \
        + diff


# ------------------------------------------------------------- real harness
def test_submit_and_verify_with_the_real_harness(tmp_path):
    evaluate_mod = pytest.importorskip("presscut.harness.evaluate",
                                       reason="the evaluation harness is not built yet")
    if not (ROOT / "splits" / "segmentation").is_dir():
        pytest.skip("no built splits/ in the checkout")
    import pyarrow.parquet as pq

    split_file = next((ROOT / "splits" / "segmentation").glob("*.parquet"))
    split = split_file.stem
    rows = pq.read_table(split_file).to_pylist()
    lines = []
    for row in rows:  # keep-everything system: one article, every line body
        n = len(row["lines"])
        lines.append(json.dumps({"doc_id": row["doc_id"], "roles": ["body"] * n,
                                 "articles": [[0, n]]}))
    preds = tmp_path / "keep.jsonl"
    preds.write_text("\n".join(lines) + "\n")
    (tmp_path / "splits").symlink_to(ROOT / "splits")
    if (ROOT / "corpus").is_dir():
        (tmp_path / "corpus").symlink_to(ROOT / "corpus")
    expected = evaluate_mod.evaluate("segmentation", preds, split=split, root=tmp_path)
    path = submit("segmentation", preds, "keep everything", split=split, root=tmp_path)
    obj = json.loads(path.read_text())
    assert obj["scores"][obj["main_score"]] == pytest.approx(
        expected["scores"][expected["main_score"]], abs=1e-9)
    assert [c.status for c in verify(tmp_path)] == [OK]


def test_prune_predictions_keeps_only_referenced_files(tmp_path):
    import shutil

    from presscut.leaderboard.records import load_records, predictions_dir, prune_predictions

    root = Path(__file__).resolve().parent.parent
    shutil.copytree(root / "leaderboard", tmp_path / "leaderboard")
    orphan = predictions_dir(tmp_path) / ("0" * 64 + ".jsonl")
    orphan.write_text("{}\n")
    before = {p.name for p in predictions_dir(tmp_path).iterdir()}
    assert prune_predictions(tmp_path) == [orphan]
    after = {p.name for p in predictions_dir(tmp_path).iterdir()}
    assert after == before - {orphan.name}
    assert {r.predictions_sha256 for r in load_records(tmp_path)} <= {n.split(".")[0] for n in after}


# ------------------------------------------------- #10.9: edits that change the board
def _edit_record(path: Path, change) -> None:
    obj = json.loads(path.read_text())
    change(obj)
    path.write_text(json.dumps(obj, indent=2))


def test_a_flipped_direction_fails_verify(tmp_path, harness):
    a = do_submit(tmp_path, harness, "sys-a")
    _edit_record(a, lambda o: o.update(direction="lower"))
    (check,) = verify(tmp_path, evaluate_fn=harness)
    assert check.status == INVALID and "direction: stored 'lower'" in check.detail


def test_a_copied_record_renamed_to_match_is_a_duplicate(tmp_path, harness):
    a = do_submit(tmp_path, harness, "sys-a")
    obj = json.loads(a.read_text())
    obj["system"]["name"] = "sys-copy"
    obj["slug"] = rec.record_slug("sys-copy", obj["task"], obj["split"], obj["data"])
    obj["submitted_at"] = "2025-03-05T00:00:00Z"
    copy = a.with_name(obj["slug"] + ".json")
    copy.write_text(json.dumps(obj, indent=2))
    checks = {c.name: c for c in verify(tmp_path, evaluate_fn=harness)}
    assert checks[a.stem].status == OK
    assert checks[copy.stem].status == DUPLICATE and a.stem in checks[copy.stem].detail


def test_a_slug_that_does_not_follow_from_the_name_is_invalid(tmp_path, harness):
    a = do_submit(tmp_path, harness, "sys-a")
    obj = json.loads(a.read_text())
    obj["system"]["name"] = "Someone Else"
    a.write_text(json.dumps(obj, indent=2))
    (check,) = verify(tmp_path, evaluate_fn=harness)
    assert check.status == INVALID and "slug" in check.detail


def test_predictions_bytes_are_checked(tmp_path, harness):
    a = do_submit(tmp_path, harness, "sys-a")
    _edit_record(a, lambda o: o["predictions"].update(bytes=o["predictions"]["bytes"] + 1))
    (check,) = verify(tmp_path, evaluate_fn=harness)
    assert check.status == TAMPERED and "predictions.bytes" in check.detail


def test_a_forged_fingerprint_does_not_pass_as_stale(tmp_path, harness, cli_run, capsys):
    a = do_submit(tmp_path, harness, "sys-a")
    do_submit(tmp_path, harness, "sys-b", salt="b")
    _edit_record(a, lambda o: o.update(data_fingerprint="sha256:" + "a" * 64))
    checks = {c.name: c for c in verify(tmp_path, evaluate_fn=harness)}
    assert checks[a.stem].status == INVALID and "never a state" in checks[a.stem].detail
    assert cli_run("verify", "--root", str(tmp_path), "--allow-stale") == 1
    # a genuinely older state (one the board saw) is STALE, and --allow-stale means it
    capsys.readouterr()
    harness.fingerprint = "e" * 64
    fresh = do_submit(tmp_path, harness, "sys-c", salt="c")
    _edit_record(a, lambda o: o.update(data_fingerprint="f" * 64))
    assert statuses(tmp_path, harness)[a.stem] == STALE
    fresh.unlink()
    assert cli_run("verify", "--root", str(tmp_path), "--allow-stale") == 0


def test_stale_message_shows_where_fingerprints_differ():
    from presscut.leaderboard.verify import State, _stale_detail

    record = rec.Record.from_json(json.loads(json.dumps({
        "format": rec.RECORD_FORMAT, "slug": "x-segmentation-test", "task": "segmentation",
        "split": "test", "data": "gold", "system": {"name": "x"}, "task_version": "1.0",
        "data_fingerprint": "sha256:aa710" + "1" * 59, "package_version": "0.1.0",
        "predictions": {"sha256": "0" * 64, "bytes": 1}, "main_score": "body_f1",
        "direction": "higher", "scores": {"body_f1": 0.5}, "ci": {}, "n_items": 1,
        "submitted_at": "2025-03-04T05:06:07Z"})), "test")
    for fresh in ("sha256:aa710" + "1" * 58 + "2", "sha256:aa710" + "2" * 59):
        detail = _stale_detail(record, State("1.0", fresh))
        old, new = detail.split("data fingerprint ")[1].split(" -> ")
        assert old != new and len(old) < 80  # the old 12-character cut showed the same text


# ------------------------------------ #10.4: older data is STALE with the real harness
def _clone(tmp_path: Path) -> Path:
    import shutil

    clone = tmp_path / "clone"
    clone.mkdir()
    for name in ("corpus", "splits", "leaderboard", "results"):
        shutil.copytree(ROOT / name, clone / name, ignore=shutil.ignore_patterns(".staging"))
    for name in ("README.md", "dataset_card.md"):
        shutil.copy(ROOT / name, clone / name)
    return clone


def test_a_record_on_older_data_is_stale_even_when_nothing_in_its_group_scores(tmp_path):
    if not (ROOT / "splits" / "stance").is_dir():
        pytest.skip("no built splits/ in the checkout")
    clone = _clone(tmp_path)
    stance = sorted((clone / "leaderboard" / "records").glob("*-stance-test.json"))
    keep, others = stance[0], stance[1:]
    for path in others:
        path.unlink()
    obj = json.loads(keep.read_text())
    # its predictions name a pair today's data no longer has, as after a rebuild
    preds = b'{"pair_id": "gone/0|gone/1", "stance": "agree"}\n'
    sha = hashlib.sha256(preds).hexdigest()
    (clone / "leaderboard" / "predictions" / f"{sha}.jsonl").write_bytes(preds)
    obj["predictions"] = {"sha256": sha, "bytes": len(preds)}
    obj["data_fingerprint"] = "sha256:" + "0" * 64
    keep.write_text(json.dumps(obj, indent=2))
    rec.note_state(rec.load_record(keep), clone)
    checks = {c.name: c for c in verify(clone, paths=[keep])}
    assert checks[keep.stem].status == STALE, checks[keep.stem].detail


# ------------------------------ #10.3: a documented submission passes CI's checks
def test_a_submission_in_a_clone_passes_the_reproduction_diff(tmp_path, monkeypatch, capsys):
    if not (ROOT / "splits" / "segmentation").is_dir():
        pytest.skip("no built splits/ in the checkout")
    import pyarrow.parquet as pq

    try:
        from presscut.publish import publish
    except ImportError:
        from presscut.baselines.publish import publish
    from presscut import cli

    clone = _clone(tmp_path)
    rows = pq.read_table(clone / "splits" / "segmentation" / "test.parquet").to_pylist()
    preds = tmp_path / "keep.jsonl"
    preds.write_text("".join(json.dumps({"doc_id": r["doc_id"], "roles": ["body"] * len(
        r["lines"]), "articles": [[0, len(r["lines"])]]}) + "\n" for r in rows))
    monkeypatch.chdir(clone)
    monkeypatch.delenv("PRESSCUT_ROOT", raising=False)
    monkeypatch.setattr(sys, "argv", ["presscut", "submit", "segmentation", str(preds),
                                      "--system", "Keep Everything"])
    with pytest.raises(SystemExit) as exc:
        cli.main()
    assert exc.value.code == 0, capsys.readouterr().err
    assert "refreshed" in capsys.readouterr().out
    files = ("README.md", "leaderboard/index.html", "leaderboard/states.json")
    after_submit = {f: (clone / f).read_bytes() for f in files}
    publish([], clone, readme=False)  # what CI's `presscut baselines run` does to the board
    assert {f: (clone / f).read_bytes() for f in files} == after_submit
    record = clone / "leaderboard" / "records" / "keep-everything-segmentation-test.json"
    assert [c.status for c in verify(clone, paths=[record])] == [OK]
