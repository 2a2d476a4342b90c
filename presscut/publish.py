"""Publish baseline results: README and dataset-card tables, and leaderboard entries.

The baselines are the leaderboard's first entries. A baseline whose predictions,
data and task version are unchanged keeps its record (and its date), so re-running
the baselines on an unchanged dataset changes no file.
"""

from __future__ import annotations

from pathlib import Path

from presscut import paths
from presscut.builder.docs import replace_between
from presscut.runner import Result, read_summary, results_dir, results_markdown

RESULTS_START, RESULTS_END = "<!-- results:start -->", "<!-- results:end -->"
SYSTEM_PREFIX = "baseline"
COMPRESS_ABOVE = 1 << 20  # bytes of a predictions file stored gzipped on the leaderboard


REAL_INTRO = (
    "The main test. Scored on the real test split: pages of published labelled web-page "
    "corpora converted to text the way a scraper renders a whole page, with labels carried "
    "over from each corpus's own gold main text (see the dataset card). Body F1 is macro "
    "over pages, pooled over every source, with its 95% bootstrap CI over pages and the "
    "CI's half-width; each source is also scored on its own. The out-of-source corpus is "
    "never used for training or tuning (learned baselines fit on real train pages of the "
    "other sources; the notes say what each row was trained on). Role scores count only "
    "the roles a page's source labels (titles: CleanPortalEval's pages, and the fundus "
    "pages whose headline line is found); a predicted role a page's "
    "source does not label counts as boilerplate there.\n\n"
)
HTML_NOTE = (
    "Rows marked *(uses HTML)* are main-content extractors run through their own libraries "
    "on each test page's original HTML, not its text: the ceiling a text-only system "
    "chases. They were made by `presscut baselines html-refs SOURCES_DIR` from the source "
    "folders (`presscut build --real-sources` reads the same layout); CI has no sources and "
    "does not re-run them, so `results/html_refs.json` keeps the sha256 of every input page "
    "and the fingerprint of the real test split they were scored against.\n\n"
)
RANKS_INTRO = (
    "The same baselines ranked by the main score on each kind of test data. Rankings made "
    "on synthetic or gold pages do not carry over to real pages where they disagree below."
    "\n\n"
)
GOLD_INTRO = (
    "A labelled smoke test, not a ranking: the gold test split is one fully annotated seed "
    "page (article dedup and story clustering: the whole gold collection of seven "
    "articles), so its intervals are degenerate or huge.\n\n"
)
SYNTHETIC_INTRO = (
    "Secondary. Pages composed by the generator, with labels by construction, from the "
    "text of real *train* pages (article bodies, boilerplate) dealt to synthetic test: no "
    "synthetic train or validation page holds that text, but **every model trained on the "
    "real train split has seen it** (with names and numbers rewritten), which is one more "
    "reason the real test is the main board. A synthetic result proves little about real "
    "pages: learned baselines are trained on pages from the same generator, and the "
    "rankings above show where it misleads.\n\n"
)


def html_ref_rows(root: Path | None = None) -> dict[str, list[dict]]:
    """The committed "uses HTML" rows (``results/html_refs.json``), by task, if present."""
    from presscut.baselines.html_refs import board_rows, read

    found = read(results_dir(root))
    return board_rows(found) if found else {}


def results_section(summary: list[dict], extra_rows: dict[str, list[dict]] | None = None
                    ) -> str:
    from presscut.runner import ranks_markdown
    from presscut.tasks import GOLD, REAL, SYNTHETIC

    html_note = HTML_NOTE if any((extra_rows or {}).values()) else ""
    return (
        "### Real test (the main table)\n\n" + REAL_INTRO + html_note
        + results_markdown(summary, REAL, extra_rows)
        + "\n### Rankings: real, synthetic and gold test\n\n" + RANKS_INTRO
        + ranks_markdown(summary)
        + "\n### Gold test (smoke test)\n\n" + GOLD_INTRO + results_markdown(summary, GOLD)
        + "\n### Synthetic test (secondary)\n\n" + SYNTHETIC_INTRO
        + results_markdown(summary, SYNTHETIC)
    )


def update_result_docs(root: Path | None = None) -> None:
    root = root or paths.project_root()
    section = results_section(read_summary(root), html_ref_rows(root))
    for name in ("README.md", "dataset_card.md"):
        path = root / name
        if path.exists():
            text = path.read_text(encoding="utf-8")
            path.write_text(replace_between(text, RESULTS_START, RESULTS_END, section),
                            encoding="utf-8")


def submit_baselines(results: list[Result], root: Path | None = None) -> list[Path]:
    from presscut.leaderboard.records import load_record, record_path, record_slug, sha256_file
    from presscut.leaderboard.scoring import finite_scores
    from presscut.leaderboard.submit import submit

    written = []
    for r in results:
        system = f"{SYSTEM_PREFIX} {r.baseline}"
        pred_file = results_dir(root) / "predictions" / f"{r.task}.{r.baseline}.{r.data}.jsonl"
        path = record_path(record_slug(system, r.task, r.split, r.data), root)
        if path.exists():
            old = load_record(path)
            # same predictions scored the same way: keep the record (and its date)
            if (old.predictions_sha256 == sha256_file(pred_file)
                    and old.data_fingerprint == r.result["data_fingerprint"]
                    and old.task_version == r.result["task_version"]
                    and (old.scores, old.ci) == finite_scores(r.result)):
                continue
        written.append(submit(
            r.task, pred_file, system, split=r.split, data=r.data, root=root, replace=True,
            # a real-test file holds a role for each of ~220k lines: stored gzipped (about
            # 1/20 of the bytes), the small ones stay plain text to read in a diff
            compress=pred_file.stat().st_size > COMPRESS_ABOVE,
            description=f"presscut reference baseline `{r.baseline}`. {r.notes}".strip(),
        ))
    return written


def write_board_page(root: Path) -> Path:
    """leaderboard/index.html: the browsable board, committed beside the records."""
    from presscut.leaderboard.html_page import render_html
    from presscut.leaderboard.records import load_records
    from presscut.leaderboard.verify import current_states

    records = load_records(root)
    path = root / "leaderboard" / "index.html"
    path.write_text(render_html(records, current_states(records, root)), encoding="utf-8")
    return path


def publish(results: list[Result], root: Path | None = None, *, readme: bool = True,
            submit: bool = True) -> None:
    root = root or paths.project_root()
    if submit:
        from presscut.leaderboard.markdown import update_readme
        from presscut.leaderboard.records import prune_predictions

        if submit_baselines(results, root):
            prune_predictions(root)

        update_readme(root / "README.md", root=root)
        write_board_page(root)
    if readme:
        update_result_docs(root)
