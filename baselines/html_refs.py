"""HTML references: main-content extractors run on the original HTML of the real pages.

These are the "uses HTML" rows: trafilatura, resiliparse's main-content extraction,
readability-lxml and boilerpy3 get the page's DOM (tags, link density, layout), which a
text-only segmenter never sees, so they show the ceiling text-only systems chase. Each
extractor's output text is scored against the same gold body as the text-only systems
(the body lines of the real test record), with the same metric (word 4-gram shingle F1,
macro over pages).

The HTML is not in the repository (only its sha256 is, on every real record), so this
runs from the source folders (``presscut baselines html-refs``); its results file is
committed and rendered, and ``presscut baselines run`` does not regenerate it.
"""

from __future__ import annotations

import json
from collections import defaultdict
from collections.abc import Callable, Iterable
from pathlib import Path

from presscut.baselines.segment_linefilter import library_version, need
from presscut.errors import PresscutError
from presscut.harness.bootstrap import LEVEL, N_RESAMPLES, SEED

TASK = "segmentation"  # the task whose main score (body F1) these rows share


def _decode(html: bytes) -> str:
    enc = need("resiliparse.parse.encoding")
    return enc.bytes_to_str(html, enc.detect_encoding(html))


def trafilatura_text(html: bytes) -> str:
    return need("trafilatura").extract(_decode(html), output_format="txt",
                                       include_comments=False) or ""


def resiliparse_text(html: bytes) -> str:
    h2t = need("resiliparse.extract.html2text")
    return h2t.extract_plain_text(_decode(html), main_content=True)


def readability_text(html: bytes) -> str:
    doc = need("readability").Document(_decode(html))
    summary = doc.summary(html_partial=True)
    h2t = need("resiliparse.extract.html2text")
    return h2t.extract_plain_text(summary, main_content=False)


def boilerpy3_text(html: bytes) -> str:
    import logging

    # it logs a warning per page with nested <a> elements (hundreds on the test split) and
    # recovers; the score is what it returns
    logging.getLogger("boilerpy3").setLevel(logging.ERROR)
    extractors = need("boilerpy3.extractors")
    return extractors.ArticleExtractor(raise_on_failure=False).get_content(_decode(html)) or ""


#: name -> (distribution whose version is recorded, extractor)
EXTRACTORS: dict[str, tuple[str, Callable[[bytes], str]]] = {
    "trafilatura": ("trafilatura", trafilatura_text),
    "resiliparse-main-content": ("resiliparse", resiliparse_text),
    "readability-lxml": ("readability-lxml", readability_text),
    "boilerpy3": ("boilerpy3", boilerpy3_text),
}


def score(pages: Iterable[tuple[str, str, bytes]], gold: dict[str, str],
          extractors: Iterable[str] = tuple(EXTRACTORS), progress=None) -> dict:
    """Body F1 of each extractor, per source and pooled.

    ``pages`` yields ``(doc_id, source, html)``; ``gold`` maps doc_id → gold body text. A
    page without gold is skipped; an extractor that raises on a page scores 0 there (and
    is counted), as a user running it would get nothing.
    """
    from presscut.harness.metrics import body_prf

    names = list(extractors)
    per: dict[str, dict[str, list[float]]] = {n: defaultdict(list) for n in names}
    failures: dict[str, int] = dict.fromkeys(names, 0)
    for doc_id, source, html in pages:
        if doc_id not in gold:
            continue
        for name in names:
            try:
                text = EXTRACTORS[name][1](html)
            except Exception:  # noqa: BLE001 - any failure of a third-party extractor
                text = ""
                failures[name] += 1
            per[name][source].append(body_prf(gold[doc_id], text)[2])
        if progress:
            progress()
    out = {"metric": "body_f1 (word 4-gram shingles, macro over pages)",
           "bootstrap": {"n_resamples": N_RESAMPLES, "seed": SEED, "level": LEVEL,
                         "unit": "page"},
           "rows": []}
    for name in names:
        dist = EXTRACTORS[name][0]
        scores = per[name]
        pooled = [x for v in scores.values() for x in v]
        out["rows"].append({
            "extractor": name, "library": f"{dist} {library_version(dist)}",
            "per_source": {s: _summary(v) for s, v in sorted(scores.items())},
            "pooled": _summary(pooled),
            "failures": failures[name],
        })
    return out


def _summary(f1s: list[float]) -> dict:
    """Pages, mean body F1 and its 95% bootstrap CI over pages (the harness's settings)."""
    import numpy as np

    from presscut.harness.bootstrap import bootstrap_sums

    if not f1s:
        return {"pages": 0, "body_f1": None, "ci": [None, None]}
    ci = bootstrap_sums(np.asarray(f1s, dtype=float)[:, None],
                        lambda sums, n: {"body_f1": float(sums[0]) / n},
                        n_resamples=N_RESAMPLES, seed=SEED, level=LEVEL)["body_f1"]
    return {"pages": len(f1s), "body_f1": sum(f1s) / len(f1s), "ci": ci}


def read(out_dir: Path) -> dict | None:
    """The committed results (``html_refs.json`` in ``out_dir``), or None when absent."""
    path = Path(out_dir) / "html_refs.json"
    if not path.is_file():
        return None
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except (ValueError, UnicodeDecodeError) as err:
        raise PresscutError(f"{path}: not a results file of `presscut baselines html-refs` "
                            f"({err})") from None


def board_rows(results: dict) -> dict[str, list[dict]]:
    """The extractors as extra rows of the segmentation results table ("uses HTML")."""
    rows = []
    for r in results["rows"]:
        p = r["pooled"]
        rows.append({
            "baseline": r["extractor"],
            "label": f"`{r['extractor']}` (uses HTML)",
            "scores": {"body_f1": p["body_f1"]},
            "ci": {"body_f1": p.get("ci")},
            "groups": {s: {"n_items": v["pages"], "scores": {"body_f1": v["body_f1"]}}
                       for s, v in r["per_source"].items()},
            "notes": (f"{r['library']} on the page's original HTML (not text); "
                      f"{r['failures']} pages failed"),
        })
    return {TASK: rows}


def markdown(results: dict) -> str:
    sources = sorted({s for r in results["rows"] for s in r["per_source"]})
    head = ["extractor (uses HTML)", "library", *sources, "pooled", "failed pages"]
    lines = ["| " + " | ".join(head) + " |", "|" + "---|" * len(head)]
    for r in results["rows"]:
        cells = [r["extractor"], r["library"]]
        for s in sources:
            v = r["per_source"].get(s)
            cells.append(f"{v['body_f1']:.3f} (n={v['pages']})" if v else "–")
        p = r["pooled"]
        ci = p.get("ci") or [None, None]
        cells.append("–" if p["body_f1"] is None else
                     f"{p['body_f1']:.3f} (n={p['pages']})"
                     + ("" if None in ci else f" [{ci[0]:.3f}, {ci[1]:.3f}]"))
        cells.append(str(r["failures"]))
        lines.append("| " + " | ".join(cells) + " |")
    return "\n".join(lines) + "\n"


def write(results: dict, out_dir: Path) -> Path:
    """results/html_refs.json and .md, each written whole (temporary name, then rename)."""
    out_dir.mkdir(parents=True, exist_ok=True)
    for name, text in (("html_refs.json", json.dumps(results, indent=1, sort_keys=True) + "\n"),
                       ("html_refs.md", markdown(results))):
        tmp = out_dir / f".{name}.tmp"
        tmp.write_text(text, encoding="utf-8")
        tmp.replace(out_dir / name)
    return out_dir / "html_refs.json"


COMMAND = "presscut baselines html-refs SOURCES_DIR"
_MODULE = {"readability-lxml": "readability"}  # distribution → the module it installs


def run(sources_dir: Path, root: Path | None = None, extractors: Iterable[str] | None = None,
        progress=None) -> dict:
    """Score the extractors on the original HTML of every real test page.

    ``sources_dir`` is laid out as ``presscut build --real-sources`` reads it. Every test
    page must be found there with the HTML bytes the config was built from (its
    ``html_sha256``): a page missing or changed is an error, so the figures are always
    over the whole test split. The results carry the sha256 of every input page.
    """
    from presscut.builder.real.build import source_pages
    from presscut.builder.real.source import sha256
    from presscut.harness.gold import config_files, fingerprint, label_name, read_rows
    from presscut.harness.metrics import body_text
    from presscut.schema import ROLES

    names = list(extractors or EXTRACTORS)
    unknown = [n for n in names if n not in EXTRACTORS]
    if unknown:
        raise PresscutError(f"unknown extractor(s) {', '.join(unknown)}; "
                            f"choose from {', '.join(EXTRACTORS)}")
    for n in names:  # a missing library fails here, before minutes of reading
        dist = EXTRACTORS[n][0]
        need(_MODULE.get(dist, dist))
    files = config_files("real", "test", root)
    if not files[0].is_file():
        raise PresscutError(f"{files[0]}: no real test split (run `presscut build`)")
    test = {}
    for row in read_rows(files, ["doc_id", "lines", "roles", "source", "html_sha256"]):
        roles = [label_name(r, ROLES) for r in row["roles"]]
        test[row["doc_id"]] = (row["source"]["corpus"], row["html_sha256"],
                               body_text(row["lines"], roles))
    found: dict[str, bytes] = {}
    changed = []
    for _, page in source_pages(Path(sources_dir)):
        entry = test.get(page.doc_id)
        if entry is None:
            continue
        if sha256(page.html) != entry[1]:
            changed.append(page.doc_id)
        found[page.doc_id] = page.html
    missing = sorted(set(test) - set(found))
    if changed or missing:
        what = [f"{len(changed)} with other HTML than the config was built from "
                f"(first {changed[0]})" if changed else "",
                f"{len(missing)} missing (first {missing[0]})" if missing else ""]
        raise PresscutError(f"{sources_dir}: real test pages {'; '.join(w for w in what if w)}"
                            " — use the sources `presscut build --real-sources` read")
    pages = ((d, test[d][0], found[d]) for d in sorted(test))
    out = score(pages, {d: v[2] for d, v in test.items()}, names, progress=progress)
    out["command"] = COMMAND
    out["inputs"] = {
        "real_test": f"{files[0].parent.name}/{files[0].name}",
        "real_test_fingerprint": fingerprint(files),
        "pages": len(test),
        "html_sha256": {d: test[d][1] for d in sorted(test)},
    }
    return out
