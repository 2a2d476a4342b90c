"""`presscut predict` pre-labels raw pages in the harness's prediction format."""

from __future__ import annotations

import json
from pathlib import Path

from typer.testing import CliRunner

from presscut.cli import app
from presscut.errors import PresscutError
from presscut.harness.validate import read_predictions
from presscut.tasks import get_task

ROOT = Path(__file__).resolve().parent.parent
PAGES = sorted((ROOT / "corpus" / "raw").glob("*.txt"))


def test_predict_writes_valid_segmentation_records(tmp_path):
    out = tmp_path / "pred.jsonl"
    result = CliRunner().invoke(
        app, ["predict", "segmentation", *map(str, PAGES), "-m", "seg-rules", "-o", str(out)]
    )
    assert result.exit_code == 0, result.output
    records = [json.loads(line) for line in out.read_text().splitlines()]
    assert [r["doc_id"] for r in records] == [p.stem for p in PAGES]
    for r, page in zip(records, PAGES):
        assert len(r["roles"]) == len(page.read_text(encoding="utf-8").split("\n"))
    # the harness's own validator accepts them as they are
    assert read_predictions(get_task("segmentation"), out).ok


def test_predict_refuses_a_task_it_cannot_do(tmp_path):
    result = CliRunner().invoke(app, ["predict", "stance", str(PAGES[0])])
    assert result.exit_code != 0


def test_predict_uses_the_tasks_default_baseline(tmp_path):
    """Without --model every page task predicts with its registry default (#10.7: line_dedup
    used to fail with the segmentation default)."""
    from presscut.baselines.registry import default_for, specs

    for task in ("segmentation", "line_dedup", "source"):
        assert default_for(task).task == task
        assert sum(s.default for s in specs(task)) == 1
        out = tmp_path / f"{task}.jsonl"
        result = CliRunner().invoke(app, ["predict", task, *map(str, PAGES), "-o", str(out)])
        assert result.exit_code == 0, result.output
        assert read_predictions(get_task(task), out).ok  # every record parses as the harness reads it
        records = [json.loads(line) for line in out.read_text().splitlines()]
        assert [r[get_task(task).id_field] for r in records] == [p.stem for p in PAGES]


def test_predict_default_loads_the_committed_model_without_fitting(tmp_path, monkeypatch):
    """The registry's default segmenter is seg-seq's committed model: predict loads it."""
    from presscut.baselines.segment_seq import SequenceSegmenter

    def no_fit(self, X, y=None):  # noqa: ARG001
        raise AssertionError("predict must not fit")

    monkeypatch.setattr(SequenceSegmenter, "fit", no_fit)
    out = tmp_path / "pred.jsonl"
    result = CliRunner().invoke(app, ["predict", "segmentation", *map(str, PAGES), "-o", str(out)])
    assert result.exit_code == 0, result.output
    assert read_predictions(get_task("segmentation"), out).ok


def test_add_prelabels_with_the_default_model():
    from presscut.baselines.registry import default_for
    from presscut.curation.add import default_prelabeler

    prelabel, name = default_prelabeler()
    assert name == default_for("segmentation").name == "seg-seq"
    lines = PAGES[0].read_text(encoding="utf-8").split("\n")
    assert len(prelabel("x", lines)["roles"]) == len(lines)


def test_a_learned_baseline_is_fitted_once_then_loaded(tmp_path, monkeypatch):
    """#10.7: predict -m seg-learned fitted on every call; now the fit is kept under build/
    and reused until a split file it may learn from changes."""
    import shutil

    from presscut.baselines import registry
    from presscut.baselines.segment_learned import LearnedSegmenter

    gold = tmp_path / "splits" / "segmentation"
    gold.mkdir(parents=True)
    shutil.copy(ROOT / "splits" / "segmentation" / "train.parquet", gold / "train.parquet")
    fits = []
    real_fit = LearnedSegmenter.fit

    def counting_fit(self, X, y=None):
        fits.append(len(X))
        return real_fit(self, X, y)

    monkeypatch.setattr(LearnedSegmenter, "fit", counting_fit)
    spec = registry.get("segmentation", "seg-learned")
    pages = [{"doc_id": p.stem, "lines": p.read_text(encoding="utf-8").split("\n")} for p in PAGES]
    first = registry.ready(spec, tmp_path).predict(pages)
    second = registry.ready(spec, tmp_path).predict(pages)
    assert len(fits) == 1 and first == second
    assert len(list((tmp_path / "build" / "models").iterdir())) == 1
    # new training data is a new model
    (gold / "validation.parquet").write_bytes((gold / "train.parquet").read_bytes())
    registry.ready(spec, tmp_path)
    assert len(fits) == 2


def test_predicting_one_page_imports_neither_datasets_nor_datasketch_nor_scikit_learn():
    """`presscut predict` on one page should answer in about a second (#13: under 2 s):
    the committed default is loaded from its folder without importing every baseline
    module, and seg-seq needs no scikit-learn to predict (datasets ~1 s, scikit-learn
    with SciPy ~1.5 s, datasketch ~0.5 s of start-up)."""
    import subprocess
    import sys

    code = ("import sys; from presscut.runner import predict_pages; "
            "predict_pages('segmentation', [{'doc_id': 'a', 'lines': ['Hello world.']}]); "
            "print(sorted({'datasets', 'datasketch', 'sklearn', 'scipy'} & set(sys.modules)))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         cwd=ROOT, check=True).stdout.strip().splitlines()[-1]
    assert out == "[]"


def test_the_committed_default_found_from_model_configs_is_the_registrys():
    """predict's fast path (a committed model's config says it is its task's default) must
    name the model the registry would pick, for every task; a config without the flag
    leaves a task to the registry."""
    from presscut.baselines.registry import committed_default, default_for, saved_path
    from presscut.tasks import all_tasks

    for task in all_tasks():
        try:
            spec = default_for(task.name)
        except PresscutError:  # a task without a default has no fast path either
            assert committed_default(task.name) is None
            continue
        want = saved_path(spec) if spec.saved else None
        assert committed_default(task.name) == want, task.name


def test_without_the_default_flag_predict_falls_back_to_the_registry(tmp_path):
    import shutil

    from presscut.baselines.registry import committed_default
    from presscut.runner import predict_pages

    shutil.copytree(ROOT / "models", tmp_path / "models")
    assert committed_default("segmentation", tmp_path) == tmp_path / "models" / "seg-seq"
    cfg = tmp_path / "models" / "seg-seq" / "config.json"
    cfg.write_text(cfg.read_text(encoding="utf-8").replace('"default": true,', ""),
                   encoding="utf-8")
    assert committed_default("segmentation", tmp_path) is None
    page = {"doc_id": "a", "lines": PAGES[0].read_text(encoding="utf-8").split("\n")}
    assert predict_pages("segmentation", [page], root=tmp_path) == predict_pages(
        "segmentation", [page])


def test_predict_reads_html_pages_as_the_real_pages_were_converted(tmp_path):
    """An HTML page (here Latin-1, as old news sites serve them) is decoded and rendered one
    block a line, as the real config's pages were; predicting it equals predicting that
    text saved as a .txt page."""
    html = ("<html><head><title>Not shown</title></head><body><div>Home | World | Sport</div>"
            "<h1>Caf\xe9 owners protest new rules</h1><p>The owners of caf\xe9s in the old "
            "town met on Monday to protest the new rules on terraces.</p><p>They say the "
            "rules will cost them half their summer trade.</p><div>12 Comments</div>"
            "</body></html>").encode("latin-1")
    page = tmp_path / "cafe.html"
    page.write_bytes(html)
    (tmp_path / "cafe_text").mkdir()
    text = tmp_path / "cafe_text" / "cafe.txt"
    # by hand: the lines resiliparse's plain-text rendering gives, blank between blocks
    text.write_text("Home | World | Sport\n\nCafé owners protest new rules\n\nThe owners of "
                    "cafés in the old town met on Monday to protest the new rules on terraces."
                    "\n\nThey say the rules will cost them half their summer trade.\n\n"
                    "12 Comments", encoding="utf-8")
    outs = []
    for path in (page, text):
        out = tmp_path / f"{path.suffix[1:]}.jsonl"
        result = CliRunner().invoke(app, ["predict", "segmentation", str(path), "-o", str(out)])
        assert result.exit_code == 0, result.output
        outs.append(out.read_text(encoding="utf-8"))
    assert outs[0] == outs[1]
    assert len(json.loads(outs[0])["roles"]) == 9


def test_a_page_without_text_is_predicted_empty_and_named(tmp_path):
    """A script-only page (Dragnet's R427 is one) is an empty page, not a reason to fail the
    other pages of a held-out folder: its record has no roles, and stderr names it."""
    import subprocess
    import sys

    root = _crawl(tmp_path)
    (root / "a" / "script-only.htm").write_bytes(
        b"<html><body><script>var x = 1;</script></body></html>")
    # a page swallowed by an unclosed <div> in its <noscript> has text: it is not empty
    (root / "a" / "noscript.htm").write_bytes(
        b'<html><body><noscript><div id="nojs"></noscript><div><p>The council voted on '
        b"Tuesday to close the old bridge, after a long debate.</p></div></body></html>")
    out = tmp_path / "pred.jsonl"
    run = subprocess.run([sys.executable, "-m", "presscut.cli", "predict", "segmentation",
                          str(root), "-o", str(out)], capture_output=True, text=True)
    assert run.returncode == 0, run.stderr
    records = {r["doc_id"]: r for r in map(json.loads, out.read_text("utf-8").splitlines())}
    assert sorted(records) == ["a/index", "a/noscript", "a/script-only", f"b/{PAGES[0].stem}",
                               "b/index"]
    assert "The council voted on Tuesday" in "\n".join(records["a/noscript"]["lines"])
    blank = records["a/script-only"]
    assert all(not line.strip() for line in blank["lines"]) and blank["articles"] == []
    assert len(blank["roles"]) == len(blank["lines"])
    assert records["a/index"]["articles"]  # the other pages are predicted as before
    assert "1 page(s) with no text, predicted as empty pages: a/script-only" in run.stderr


def test_every_unreadable_page_is_named_in_one_line_and_nothing_is_written(tmp_path):
    import subprocess
    import sys

    root = _crawl(tmp_path)
    (root / "a" / "broken.html.gz").write_bytes(b"not gzip at all")
    (root / "b" / "latin.txt").write_bytes("caf\xe9 au lait\nsecond line\n".encode("latin-1"))
    out = tmp_path / "pred.jsonl"
    run = subprocess.run([sys.executable, "-m", "presscut.cli", "predict", "segmentation",
                          str(root), "-o", str(out)], capture_output=True, text=True)
    assert run.returncode != 0 and "Traceback" not in run.stderr
    assert len(run.stderr.strip().splitlines()) == 1
    assert "broken.html.gz: not a readable gzip file" in run.stderr
    assert "and 1 more unreadable page(s)" in run.stderr
    assert "latin.txt: not UTF-8 (byte 3, on line 1" in run.stderr
    assert not out.exists()


def _crawl(tmp_path):
    """Two sites' pages in folders, one of them gzipped, as a held-out set arrives."""
    import gzip

    html = ("<html><body><div>Home | World | Sport</div><h1>Harbour plan approved</h1><p>The "
            "council approved the new harbour plan on Tuesday after a long debate.</p><p>Work "
            "starts in the spring and should take two years.</p></body></html>")
    root = tmp_path / "held-out"
    (root / "a").mkdir(parents=True)
    (root / "b").mkdir()
    (root / "a" / "index.html").write_text(html, encoding="utf-8")
    (root / "b" / "index.html.gz").write_bytes(gzip.compress(html.encode("utf-8")))
    (root / "b" / PAGES[0].name).write_bytes(PAGES[0].read_bytes())
    (root / "b" / "README.md").write_text("not a page", encoding="utf-8")
    return root


def test_predict_takes_a_folder_of_html_and_gzipped_pages(tmp_path):
    """`presscut predict segmentation PAGES` on a folder: every page under it, ids its path
    inside the folder, each record with the lines its roles index (an HTML page's rendered
    text), and the same roles as when the file is named alone."""
    from presscut.annotations import read_page
    from presscut.schema import split_lines

    root = _crawl(tmp_path)
    out = tmp_path / "pred.jsonl"
    result = CliRunner().invoke(app, ["predict", "segmentation", str(root), "-o", str(out)])
    assert result.exit_code == 0, result.output
    records = [json.loads(line) for line in out.read_text(encoding="utf-8").splitlines()]
    assert [r["doc_id"] for r in records] == ["a/index", f"b/{PAGES[0].stem}", "b/index"]
    assert records[0]["lines"] == split_lines(read_page(root / "a" / "index.html"))
    assert records[2]["lines"] == records[0]["lines"] and records[2]["roles"] == records[0]["roles"]
    assert records[1]["lines"] == PAGES[0].read_text(encoding="utf-8").split("\n")
    assert all(len(r["roles"]) == len(r["lines"]) for r in records)
    assert read_predictions(get_task("segmentation"), out).ok  # extra fields: still valid
    alone = tmp_path / "alone.jsonl"
    result = CliRunner().invoke(app, ["predict", "segmentation", str(PAGES[0]), "--no-text",
                                      "-o", str(alone)])
    assert result.exit_code == 0, result.output
    rec = json.loads(alone.read_text(encoding="utf-8"))
    assert "lines" not in rec and rec["roles"] == records[1]["roles"]


def test_predict_refuses_clashing_ids_and_writes_nothing(tmp_path):
    import subprocess
    import sys

    root = _crawl(tmp_path)
    (root / "a" / "index.htm").write_text("<p>Another page with the same id.</p>", encoding="utf-8")
    out = tmp_path / "pred.jsonl"
    out.write_text("an earlier run\n", encoding="utf-8")
    run = subprocess.run([sys.executable, "-m", "presscut.cli", "predict", "segmentation",
                          str(root), "-o", str(out)], capture_output=True, text=True)
    assert run.returncode != 0 and "Traceback" not in run.stderr
    assert len(run.stderr.strip().splitlines()) == 1
    assert "index.html: page id 'a/index' is taken by" in run.stderr and "index.htm" in run.stderr
    assert out.read_text(encoding="utf-8") == "an earlier run\n"  # untouched
    empty = tmp_path / "empty"
    empty.mkdir()
    run = subprocess.run([sys.executable, "-m", "presscut.cli", "predict", "segmentation",
                          str(empty)], capture_output=True, text=True)
    assert run.returncode != 0 and "no page files in this folder" in run.stderr
    assert len(run.stderr.strip().splitlines()) == 1


def test_pages_saved_under_their_url_names_are_read_as_html(tmp_path):
    """A crawl keeps a page as story.php, index.shtml(.gz) or with no suffix: each is read
    as the HTML it is, in a folder and named alone; an RSS feed and a JSON file beside them
    are not pages."""
    import gzip

    from presscut.annotations import read_page

    root = _crawl(tmp_path)
    html = (root / "a" / "index.html").read_bytes()
    (root / "c").mkdir()
    (root / "c" / "story.php").write_bytes(b"\xef\xbb\xbf\n  " + html.upper().replace(
        b"<HTML><BODY>", b"<!DOCTYPE html><HTML><BODY>", 1))
    (root / "c" / "index.shtml.gz").write_bytes(gzip.compress(html))
    (root / "c" / "article-1234").write_bytes(html)
    (root / "c" / "feed.xml").write_bytes(b'<?xml version="1.0"?><rss><channel><title>News'
                                          b"</title></channel></rss>")
    (root / "c" / "data.json").write_bytes(b'{"html": "<html></html>"}')
    out = tmp_path / "pred.jsonl"
    result = CliRunner().invoke(app, ["predict", "segmentation", str(root), "-o", str(out)])
    assert result.exit_code == 0, result.output
    records = {r["doc_id"]: r for r in map(json.loads, out.read_text("utf-8").splitlines())}
    assert sorted(k for k in records if k.startswith("c/")) == ["c/article-1234", "c/index",
                                                                "c/story"]
    rendered = records["a/index"]["lines"]
    assert rendered == read_page(root / "a" / "index.html").split("\n")
    assert records["c/index"]["lines"] == records["c/article-1234"]["lines"] == rendered
    assert records["c/story"]["lines"] == [line.upper() for line in rendered]
    assert not any("<" in line for line in records["c/story"]["lines"])  # no markup as text
    alone = tmp_path / "alone.jsonl"
    result = CliRunner().invoke(app, ["predict", "segmentation", str(root / "c" / "story.php"),
                                      "-o", str(alone)])
    assert result.exit_code == 0, result.output
    assert json.loads(alone.read_text("utf-8")) == {**records["c/story"], "doc_id": "story"}


def test_a_folder_of_links_to_page_folders_is_read_through_them(tmp_path):
    """An evaluation set is often a folder of symlinks; a link back up the tree ends."""
    root = _crawl(tmp_path)
    links = tmp_path / "links"
    links.mkdir()
    (links / "site-a").symlink_to(root / "a", target_is_directory=True)
    (links / "site-b").symlink_to(root / "b", target_is_directory=True)
    (root / "a" / "up").symlink_to(links, target_is_directory=True)  # links/site-a/up: a cycle
    outs = {}
    for name, folder in (("links", links), ("root", root)):
        outs[name] = tmp_path / f"{name}.jsonl"
        result = CliRunner().invoke(app, ["predict", "segmentation", str(folder), "-o",
                                          str(outs[name])])
        assert result.exit_code == 0, result.output
    via = [json.loads(x) for x in outs["links"].read_text("utf-8").splitlines()]
    direct = [json.loads(x) for x in outs["root"].read_text("utf-8").splitlines()]
    assert [r["doc_id"] for r in via] == ["site-a/index", f"site-b/{PAGES[0].stem}",
                                          "site-b/index"]
    direct = {r["doc_id"]: r for r in direct}
    assert [r["roles"] for r in via] == [direct[r["doc_id"].replace("site-", "")]["roles"]
                                         for r in via]
