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
    out = {"metric": "body_f1 (word 4-gram shingles, macro over pages)", "rows": []}
    for name in names:
        dist = EXTRACTORS[name][0]
        scores = per[name]
        pooled = [x for v in scores.values() for x in v]
        out["rows"].append({
            "extractor": name, "library": f"{dist} {library_version(dist)}",
            "per_source": {s: {"pages": len(v), "body_f1": sum(v) / len(v)}
                           for s, v in sorted(scores.items())},
            "pooled": {"pages": len(pooled),
                       "body_f1": sum(pooled) / len(pooled) if pooled else None},
            "failures": failures[name],
        })
    return out


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
        cells.append("–" if p["body_f1"] is None else f"{p['body_f1']:.3f} (n={p['pages']})")
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
