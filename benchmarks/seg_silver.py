"""Silver training pages for seg-seq from unlabelled HTML: two HTML extractors' agreement.

    python benchmarks/seg_silver.py FIXTURES_DIR -o silver.jsonl [--min-agreement 0.95]
    python benchmarks/seg_silver.py --agreement silver.jsonl MODEL_DIR [MODEL_DIR ...]
    python benchmarks/seg_silver.py FIXTURES_DIR -o transfer.jsonl --unlabelled

Each HTML page is rendered to lines by the real config's converter. trafilatura and
readability-lxml (the two strongest "uses HTML" references on the real test) each extract
the main text from the DOM; each output is carried over to the lines by the real
importer's own alignment (``builder.real.align``). A page is kept when both alignments
cover their extractor's text (the importer's coverage bar) and the two agree on the role of
at least ``--min-agreement`` of the page's words; its roles are trafilatura's, with the
line equal to trafilatura's metadata title as ``title``. Pages whose text overlaps a real
validation or test page (word 5-gram Jaccard > 0.2) are dropped, so nothing scored is
trained on. Silver labels are an extractor's opinion, not gold: they are for training
experiments only and never enter a scored split. Prints what was kept and why the rest
was not. ``--agreement`` scores saved seg-seq models against such a file (body F1, macro
over pages, per collection): agreement with the extractors, not accuracy.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections import Counter
from pathlib import Path


def _shingles(lines: list[str], k: int = 5) -> set[int]:
    from presscut.harness.metrics import words

    ws = words("\n".join(lines))
    return {hash(tuple(ws[i:i + k])) for i in range(max(0, len(ws) - k + 1))}


def _scored_shingles(root: Path) -> list[tuple[str, set[int]]]:
    import pyarrow.parquet as pq

    out = []
    for split in ("validation", "test"):
        for r in pq.read_table(root / "splits" / "real" / f"{split}.parquet",
                               columns=["doc_id", "lines"]).to_pylist():
            out.append((r["doc_id"], _shingles(r["lines"])))
    return out


def label(html: bytes, min_agreement: float) -> tuple[dict | None, str]:
    """A silver page ``{"lines", "roles", "articles"}`` for one HTML page, or None and why."""
    from presscut.baselines.html_refs import readability_text, trafilatura_text
    from presscut.builder.real.align import align
    from presscut.builder.real.convert import decode, html_to_text
    from presscut.harness.metrics import words
    from presscut.schema import split_lines

    lines = split_lines(html_to_text(decode(html)))
    found = {}
    for name, extract in (("trafilatura", trafilatura_text), ("readability", readability_text)):
        try:
            text = extract(html)
        except Exception as err:  # noqa: BLE001 - an extractor failing on a page skips it
            return None, f"{name} failed ({type(err).__name__})"
        a = align(lines, [("p", x) for x in text.split("\n") if x.strip()])
        if a.refused:
            return None, f"{name}: {'too short' if 'words' in a.refused.split(' of ')[0] else 'coverage < 0.9'}"
        found[name] = a.roles
    t, r = found["trafilatura"], found["readability"]
    n = [len(words(x)) for x in lines]
    agree = sum(k for k, a, b in zip(n, t, r) if (a == "body") == (b == "body")) / max(1, sum(n))
    if agree < min_agreement:
        return None, f"extractors agree on < {min_agreement} of the words"
    roles = ["boilerplate" if x == "title" else x for x in t]
    import trafilatura

    from presscut.baselines.html_refs import _decode

    meta = trafilatura.extract_metadata(_decode(html))
    title = (meta.title or "").strip().casefold() if meta else ""
    # the headline: the line nearest above the body (or its first line) that is the page's
    # metadata title, or the part of it before " - Site" / " | Site"; a site name that
    # happens to equal the title further up is passed over
    first_body = next((i for i, x in enumerate(roles) if x == "body"), len(roles))
    for i in range(min(first_body, len(lines) - 1), -1, -1):
        line = lines[i].strip().casefold()
        if title and len(line) >= 12 and (line == title or title.startswith(line)):
            roles[i] = "title"
            break
    art = [i for i, x in enumerate(roles) if x in ("title", "body")]
    return {"lines": lines, "roles": roles, "articles": [[art[0], art[-1] + 1]] if art else [],
            "agreement": round(agree, 4)}, "kept"


def render(html: bytes, min_words: int = 50) -> tuple[dict | None, str]:
    """An unlabelled page ``{"lines"}`` (``--unlabelled``: transfer pages for distillation,
    which a teacher model labels), or None and why."""
    from presscut.builder.real.convert import decode, html_to_text
    from presscut.harness.metrics import words
    from presscut.schema import split_lines

    lines = split_lines(html_to_text(decode(html)))
    if len(words("\n".join(lines))) < min_words:
        return None, f"fewer than {min_words} words"
    return {"lines": lines}, "kept"


def agreement(silver: Path, models: list[str]) -> None:
    import numpy as np
    from seg_validation import page_body_prf

    from presscut.baselines.estimator_io import load
    from presscut.schema import ROLES

    pages = [json.loads(x) for x in silver.read_text("utf-8").split("\n") if x]
    for name in models:
        preds = load(name).predict([{"doc_id": p["doc_id"], "lines": p["lines"]} for p in pages])
        by: dict[str, list[float]] = {}
        for p, pred in zip(pages, preds):
            row = {"lines": p["lines"], "roles": [ROLES.index(r) for r in p["roles"]]}
            by.setdefault(p["doc_id"].split("/")[1], []).append(page_body_prf(row, pred["roles"])[2])
        each = ", ".join(f"{k} {np.mean(v):.3f} ({len(v)})" for k, v in sorted(by.items()))
        print(f"{name}: {np.mean([x for v in by.values() for x in v]):.3f} pooled; {each}")


def main() -> None:
    if sys.argv[1:2] == ["--agreement"]:
        sys.path.insert(0, str(Path(__file__).parent))
        agreement(Path(sys.argv[2]), sys.argv[3:])
        return
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("fixtures", type=Path, help="a folder of HTML pages (searched recursively)")
    ap.add_argument("-o", "--out", type=Path, required=True)
    ap.add_argument("--min-agreement", type=float, default=0.95)
    ap.add_argument("--prefix", default="silver", help="doc_id prefix (the silver source)")
    ap.add_argument("--root", type=Path, default=Path("."))
    ap.add_argument("--unlabelled", action="store_true",
                    help="keep every rendered page unlabelled (transfer pages for "
                         "seg_validation.py --transfer), with the same copy and overlap checks")
    args = ap.parse_args()
    from presscut.annotations import folder_pages, unzipped

    scored = _scored_shingles(args.root)
    why: Counter = Counter()
    kept, kept_shingles = [], []
    from rich.progress import track

    for page_id, path in track(folder_pages(args.fixtures), description="labelling"):
        html = unzipped(path, path.read_bytes())
        page, reason = (render(html) if args.unlabelled else label(html, args.min_agreement))
        if page is not None:
            mine = _shingles(page["lines"])
            near = max(((len(mine & s) / max(1, len(mine | s)), d) for d, s in scored),
                       default=(0.0, ""))
            twin = max(((len(mine & s) / max(1, len(mine | s)), d) for d, s in kept_shingles),
                       default=(0.0, ""))
            if near[0] > 0.2:
                page, reason = None, "overlaps a scored real page"
                print(f"  {page_id}: overlaps {near[1]} (Jaccard {near[0]:.2f})", file=sys.stderr)
            elif twin[0] > 0.5:  # the same page in two collections
                page, reason = None, "a copy of a kept silver page"
        why[reason] += 1
        if page is not None:
            kept.append({"doc_id": f"{args.prefix}/{page_id}", **page})
            kept_shingles.append((page_id, mine))
    args.out.write_text("".join(json.dumps(p, ensure_ascii=False) + "\n" for p in kept),
                        encoding="utf-8")
    print(f"{sum(why.values())} pages: " + ", ".join(f"{k} {v}" for k, v in why.most_common()))


if __name__ == "__main__":
    main()
