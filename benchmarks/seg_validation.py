"""Per-source segmentation scores of registered baselines on a real split, and worst lines.

    python benchmarks/seg_validation.py                               # seg-seq, real validation
    python benchmarks/seg_validation.py --baselines seg-seq,peer-c4,seg-rules
    python benchmarks/seg_validation.py --errors 30                  # wrong lines, worst pages
    python benchmarks/seg_validation.py --fit '{"max_iter": 40}' --synthetic 1000   # a variant

``--fit PARAMS`` fits a seg-seq variant (constructor parameters as JSON) on the real train
pages, plus ``--synthetic N`` synthetic train pages evenly spread, and scores that instead
of the committed model: how the committed model's settings were chosen.

Per source: body F1 (the harness's word 4-gram shingle F1, macro over pages), title F1
(line-level, pooled over the pages of sources whose gold labels titles; other sources show
"-"), article-boundary F1 within one non-blank line (pooled counts), how many pages with
an appended second article get more than one predicted article, and how many one-article
pages are split in two. ``--errors N``
prints N misclassified lines of the worst pages (gold role -> predicted role), which is how
docs/segmentation.md's error analysis was made. Validation only: choosing anything on the
test split would make its scores meaningless (the board scores test, once).
"""

from __future__ import annotations

import argparse
from collections import defaultdict
from pathlib import Path


def read_rows(splits: str) -> list[dict]:
    """The rows of comma-separated split files, each with a ``source`` and its labelled roles."""
    from pathlib import Path

    import pyarrow.parquet as pq

    rows = []
    for split in splits.split(","):
        have = set(pq.read_schema(split).names)
        part = pq.read_table(split, columns=["doc_id", "lines", "roles", "articles",
                                             *({"source", "labelled_roles"} & have)]).to_pylist()
        for r in part:  # a gold or synthetic split: one group, every role labelled
            r.setdefault("source", {"corpus": Path(split).parent.name})
            r.setdefault("labelled_roles", None)
        rows += part
    return rows


def by_site(rows: list[dict], train: str = "splits/real/train.parquet") -> list[dict]:
    """``rows`` regrouped by whether their site (URL host) has pages in the real train
    split: ``seen`` / ``unseen`` / ``no-url``, over all sources. An unseen site is the
    closest thing validation has to an out-of-source page (the held-out corpus's sites are
    almost all new), and the learned lexicon knows nothing of it."""
    import pyarrow.parquet as pq

    from presscut.builder.real.splits import normalise_url

    def _site(source: dict) -> str | None:
        url = normalise_url(source.get("url"))
        return url.split("/", 1)[0] if url else None

    seen = {_site(r["source"]) for r in pq.read_table(train, columns=["source"]).to_pylist()}
    out = []
    for r in rows:
        site = _site(r["source"])
        tag = "no-url" if site is None else "seen" if site in seen else "unseen"
        out.append({**r, "source": {"corpus": f"site {tag}"}})
    return out


def warn_in_sample(name: str, model, splits: str) -> None:
    """Say so when a model was fitted on the split it is scored on: the committed seg-seq is
    fitted on real train + validation once its settings are chosen, so its validation figures
    are in-sample (``--fit '{}'`` refits on train alone for a held-out figure)."""
    from pathlib import Path

    seen = str((getattr(model, "trained_on_", None) or {}).get("what", "")).split(" + ")
    hit = [s for s in splits.split(",") if Path(s).stem in seen and "real" in Path(s).parts]
    if hit:
        print(f"note: {name} was fitted on {', '.join(hit)}: its scores there are in-sample, "
              "not held out (--fit '{}' refits on train alone)")


def page_body_prf(row: dict, roles: list[str]) -> tuple[float, float, float]:
    """One page's body precision, recall and F1 (the harness's shingle metric) for
    predicted ``roles``."""
    from presscut.harness import metrics as m
    from presscut.schema import ROLES

    gold = [ROLES[x] for x in row["roles"]]
    return m.body_prf(m.body_text(row["lines"], gold), m.body_text(row["lines"], roles))


def score(rows: list[dict], preds: list[dict]) -> dict[str, dict]:
    """Per source (and "pooled"): pages, body F1, title F1 (or None), boundary F1 ±1."""
    from presscut.harness import metrics as m
    from presscut.schema import ROLES

    acc: dict[str, dict] = defaultdict(lambda: {"body": [], "title": [0, 0, 0], "titled": 0,
                                                "bound": [0, 0, 0], "multi": 0, "found": 0,
                                                "extra": 0})
    title_id = ROLES.index("title")
    for r, p in zip(rows, preds):
        gold = [ROLES[x] for x in r["roles"]]
        lines = r["lines"]
        bf = page_body_prf(r, p["roles"])[2]
        gold_arts = [(a["start_line"], a["end_line"]) for a in r["articles"]]
        b = m.boundary_counts(gold_arts, p["articles"], lines, tol=1)
        counts = m.role_counts(lines, gold, p["roles"])["title"]
        titled = r["labelled_roles"] is None or title_id in r["labelled_roles"]
        multi = len(gold_arts) > 1
        for key in (r["source"]["corpus"], "pooled"):
            a = acc[key]
            # appended second articles: pages with more than one gold article, how many of
            # them get more than one predicted article, and one-article pages split in two
            a["multi"] += multi
            a["found"] += multi and len(p["articles"]) > 1
            a["extra"] += not multi and len(p["articles"]) > 1
            a["body"].append(bf)
            a["bound"] = [x + y for x, y in zip(a["bound"], b)]
            if titled:
                a["titled"] += 1
                a["title"] = [x + y for x, y in zip(a["title"], counts)]
    out = {}
    for key, a in acc.items():
        tp, fp, fn = a["title"]
        bt, bp, bg = a["bound"]
        out[key] = {
            "pages": len(a["body"]),
            "body_f1": sum(a["body"]) / len(a["body"]),
            "title_f1": m.prf(tp, tp + fp, tp + fn)[2] if a["titled"] else None,
            "boundary_f1": m.prf(bt, bp, bg)[2],
            "second_articles": f"{a['found']}/{a['multi']}",
            "false_splits": a["extra"],
        }
    return out


def error_words(rows: list[dict], preds: list[dict]) -> None:
    """Where the lost body F1 is: words on wrong lines, by error and by where they sit
    (a predicted role the source does not label counts as boilerplate, as the harness does)."""
    from collections import Counter

    from presscut.harness import metrics as m
    from presscut.schema import ROLES

    prf: dict[str, list] = defaultdict(list)
    lost: dict[str, Counter] = defaultdict(Counter)
    for r, p in zip(rows, preds):
        src = r["source"]["corpus"]
        labelled = None if r["labelled_roles"] is None else {ROLES[x] for x in r["labelled_roles"]}
        gold = [ROLES[x] for x in r["roles"]]
        pred = [q if labelled is None or q in labelled or q == "blank" else "boilerplate"
                for q in p["roles"]]
        prf[src].append(page_body_prf(r, pred))
        body = [i for i, g in enumerate(gold) if g == "body"]
        lo, hi = (body[0], body[-1]) if body else (0, -1)
        for i, (g, q) in enumerate(zip(gold, pred)):
            if g != q and g != "blank":
                where = "before" if i < lo else "after" if i > hi else "inside"
                lost[src][f"{g}->{q} {where}"] += len(m.words(r["lines"][i]))
    for src in sorted(prf):
        n = len(prf[src])
        p_, r_, f_ = (sum(x[k] for x in prf[src]) / n for k in range(3))
        top = ", ".join(f"{k}: {v:,}" for k, v in lost[src].most_common(5))
        print(f"{src:16s} P {p_:.3f} R {r_:.3f} F1 {f_:.3f} | words on wrong lines: {top}")


def main() -> None:

    from presscut.baselines import registry
    from presscut.schema import ROLES

    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--split", default="splits/real/validation.parquet",
                    help="split files (Parquet, comma-separated); never a test split while "
                         "tuning")
    ap.add_argument("--baselines", default="seg-seq", help="comma-separated registered names")
    ap.add_argument("--model", help="a saved model folder to score instead of --baselines")
    ap.add_argument("--errors", type=int, default=0, help="print this many wrong lines")
    ap.add_argument("--error-words", action="store_true",
                    help="per source: body precision/recall, and the words on wrong lines "
                         "by (gold -> predicted role, before/inside/after the gold body)")
    ap.add_argument("--by-site", action="store_true",
                    help="also score the pages grouped by whether their site has real train "
                         "pages (seen / unseen / no-url)")
    ap.add_argument("--fit", help="fit a seg-seq variant with these parameters (JSON)")
    ap.add_argument("--synthetic", type=int, default=0,
                    help="with --fit: add this many synthetic train pages")
    ap.add_argument("--extra", help="with --fit: also fit on these labelled pages (JSONL of "
                                    "doc_id, lines, roles, articles; e.g. seg_silver.py's)")
    ap.add_argument("--transfer", help="with --fit and --teacher: unlabelled pages (JSONL of "
                                       "doc_id, lines; roles are ignored) whose rows learn "
                                       "the teacher's distributions (distillation)")
    ap.add_argument("--teacher", help="with --transfer: the saved seg-seq model folder that "
                                      "labels them (fitted on train alone, for validation)")
    ap.add_argument("--save", help="with --fit: also save the fitted variant to this folder "
                                   "(for --model, seg_decode_sweep.py --model)")
    args = ap.parse_args()
    rows = read_rows(args.split)
    pages = [{"doc_id": r["doc_id"], "lines": r["lines"]} for r in rows]
    if args.fit is not None:
        import json

        from presscut.baselines.segment_seq import SequenceSegmenter, fit_pages

        real, synth = fit_pages(("train",), args.synthetic)
        extra = ([json.loads(x) for x in Path(args.extra).read_text("utf-8").split("\n") if x]
                 if args.extra else [])
        params = json.loads(args.fit or "{}")
        transfer = teacher = None
        if args.transfer:
            from presscut.baselines.estimator_io import load

            transfer = [{"doc_id": r["doc_id"], "lines": r["lines"]} for x in
                        Path(args.transfer).read_text("utf-8").split("\n") if x
                        for r in [json.loads(x)]]
            teacher = load(args.teacher, SequenceSegmenter)
        models = [(f"seg-seq {params} +{args.synthetic} synth +{len(extra)} extra"
                   + (f" +{len(transfer)} taught" if transfer else ""),
                   SequenceSegmenter(**params).fit(real + extra + synth, transfer=transfer,
                                                   teacher=teacher))]
        if args.save:
            from presscut.baselines.estimator_io import save

            save(models[0][1], args.save)
    elif args.model:
        from presscut.baselines.estimator_io import load

        models = [(args.model, load(args.model))]
    else:
        models = [(n, registry.ready(registry.get("segmentation", n)))
                  for n in args.baselines.split(",")]
    print(f"{'baseline':22s} {'source':16s} {'pages':>5s} {'body F1':>8s} {'title F1':>8s} "
          f"{'bound F1':>8s} {'2nd art.':>9s} {'split 1-art':>11s}")
    first_preds = None  # the first model's, for --error-words / --errors: predicted once
    for name, model in models:
        warn_in_sample(name, model, args.split)
        preds = model.predict(pages)
        first_preds = preds if first_preds is None else first_preds
        scores = score(rows, preds)
        if len(scores) == 2:  # one source: its pooled row says the same
            del scores["pooled"]
        if args.by_site:
            scores |= {k: v for k, v in score(by_site(rows), preds).items() if k != "pooled"}
        order = {"pooled": 1}  # sources, then pooled, then the site groups
        for src, s in sorted(scores.items(), key=lambda t: (order.get(t[0], 2 * t[0].startswith("site ")), t[0])):
            title = "-" if s["title_f1"] is None else f"{s['title_f1']:.3f}"
            print(f"{name:22s} {src:16s} {s['pages']:5d} {s['body_f1']:8.3f} {title:>8s} "
                  f"{s['boundary_f1']:8.3f} {s['second_articles']:>9s} {s['false_splits']:11d}")
    if args.error_words:
        error_words(rows, first_preds)
    if not args.errors:
        return

    name, model = models[0]
    scored = []
    for r, p in zip(rows, first_preds):
        gold = [ROLES[x] for x in r["roles"]]
        f1 = page_body_prf(r, p["roles"])[2]
        scored.append((f1, r, gold, p["roles"]))
    shown = 0
    for f1, r, gold, pred in sorted(scored, key=lambda t: t[0]):
        if shown >= args.errors:
            break
        print(f"\n== {r['doc_id']} body F1 {f1:.2f}")
        for line, g, q in zip(r["lines"], gold, pred):
            if g != q and shown < args.errors:
                print(f"  {g:>11s} -> {q:<11s} | {line[:100]}")
                shown += 1


if __name__ == "__main__":
    main()
