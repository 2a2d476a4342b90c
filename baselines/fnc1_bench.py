"""FNC-1 benchmark: stance and story-clustering baselines on a config built by
``presscut import fnc1`` (the data is not redistributable, so this never runs in CI).

Protocol: models are fitted on ``train``, anything tuned is tuned on ``validation`` (the
official hold-out, by body) — or, for a baseline registered with ``"tune_on": "story"``,
fitted and tuned on the story-disjoint split of train + validation
(:func:`story_holdout`: no held-out headline or body is seen in fitting, as in the
competition test, whose claims are all new; the official hold-out shares every headline
with train and so rewards memorising claims) and then fitted again on train + validation —
and the competition ``test`` is scored once per model version; every test scoring is appended to ``results/fnc1/test_log.jsonl`` with the
model's parameters, so repeated looks at the test are visible.

Stance scores: FNC-1's weighted score as % of the maximum (the official scorer's rule,
every row counted, repeats included), macro-F1 and per-class F1 — the FNC score rewards
the majority class (Hanselowski et al., 2018) — each with a 95 % percentile-bootstrap CI
over pairs. Story clustering: ARI, pairwise and B-cubed F1 over the bodies of a split,
with CIs over bodies.
"""

from __future__ import annotations

import hashlib
import json
import os
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from presscut.errors import PresscutError
from presscut.harness.bootstrap import bootstrap_sums
from presscut.harness.metrics import fnc_points, prf
from presscut.paths import write_whole
from presscut.schema import STANCES

N_RESAMPLES = 1000


# ----------------------------------------------------------------------- scoring
def stance_rows(gold: Sequence[str], pred: Sequence[str]) -> np.ndarray:
    """Per pair: earned, possible, gold one-hot, predicted one-hot, hit one-hot."""
    k = len(STANCES)
    rows = np.zeros((len(gold), 2 + 3 * k))
    for i, (g, p) in enumerate(zip(gold, pred, strict=True)):
        rows[i, :2] = fnc_points(g, p)
        gi, pi = STANCES.index(g), STANCES.index(p)
        rows[i, 2 + gi] = 1
        rows[i, 2 + k + pi] = 1
        if gi == pi:
            rows[i, 2 + 2 * k + gi] = 1
    return rows


def _finalize(s: np.ndarray, n: float) -> dict:
    k = len(STANCES)
    gold_n, pred_n, hit = s[2 : 2 + k], s[2 + k : 2 + 2 * k], s[2 + 2 * k :]
    f1 = {c: prf(hit[j], pred_n[j], gold_n[j])[2] for j, c in enumerate(STANCES)}
    present = [f1[c] for j, c in enumerate(STANCES) if gold_n[j] + pred_n[j] > 0]
    out = {
        "fnc_score": float(s[0] / s[1]) if s[1] else 1.0,
        "macro_f1": float(np.mean(present)) if present else 1.0,
        "accuracy": float(hit.sum() / n) if n else 1.0,
    }
    out.update({f"f1_{c}": float(v) for c, v in f1.items()})
    return out


def score_stance(gold: Sequence[str], pred: Sequence[str], *, n_resamples: int = N_RESAMPLES,
                 seed: int = 0, weights: Sequence[float] | None = None) -> dict:
    """FNC score (fraction of the maximum), macro-F1, per-class F1, accuracy, CIs, counts.

    ``weights`` (one per pair) weight every statistic but the counts and the confusion
    table, which stay counts of pairs (see :func:`story_holdout`)."""
    rows = stance_rows(gold, pred)
    counts = rows.sum(0)
    n = float(len(gold))
    if weights is not None:
        w = np.asarray(weights, dtype=float)
        if w.shape != (len(gold),):
            raise PresscutError(f"stance: {w.size} weights for {len(gold)} pairs")
        rows, n = rows * w[:, None], float(w.sum())
    sums = rows.sum(0)
    k = len(STANCES)
    confusion = {g: {p: 0 for p in STANCES} for g in STANCES}
    for g, p in zip(gold, pred):
        confusion[g][p] += 1
    return {
        "scores": _finalize(sums, n),
        # weighted rows resample like any rows; the accuracy's count is the weight resampled
        "ci": bootstrap_sums(rows, lambda t, _n: _finalize(t, float(t[2:2 + k].sum())),
                             n_resamples=n_resamples, seed=seed),
        "fnc_points": float(sums[0]),
        "fnc_max": float(sums[1]),
        "n_pairs": len(gold),
        "gold_counts": {c: int(counts[2 + j]) for j, c in enumerate(STANCES)},
        "predicted_counts": {c: int(counts[2 + k + j]) for j, c in enumerate(STANCES)},
        "confusion": confusion,
    }


def score_clusters(gold: Sequence[str], pred: Sequence[str], *, n_resamples: int = N_RESAMPLES,
                   seed: int = 0) -> dict:
    """ARI, pairwise and B-cubed F1 with bootstrap CIs over items (the harness's scorer)."""
    from presscut.harness.scoring import ClusterScorer

    scorer = ClusterScorer("article_id", "story_cluster")
    scorer.gold, scorer.pred = list(gold), list(pred)
    return {"scores": scorer.scores(), "ci": scorer.intervals(n_resamples, seed, 0.95),
            "n_items": len(gold), "gold_clusters": len(set(gold)),
            "predicted_clusters": len(set(pred))}


# ----------------------------------------------------------------------- test log
def model_version(name: str, params: dict) -> str:
    blob = json.dumps({"name": name, "params": params}, sort_keys=True, default=str)
    return hashlib.sha256(blob.encode()).hexdigest()[:16]


def log_test_scoring(log: Path, name: str, params: dict, data_fingerprint: str,
                     scores: dict) -> int:
    """Append one test scoring; returns how many times this model version was scored."""
    version = model_version(name, params)
    seen = 0
    if log.is_file():
        for line in log.read_text(encoding="utf-8").splitlines():
            rec = json.loads(line)
            seen += rec["version"] == version and rec["data"] == data_fingerprint
    log.parent.mkdir(parents=True, exist_ok=True)
    with log.open("a", encoding="utf-8") as fh:
        fh.write(json.dumps({"baseline": name, "version": version, "data": data_fingerprint,
                             "params": params, "scores": scores}, sort_keys=True,
                            default=str) + "\n")
    return seen + 1


@dataclass
class Timer:
    started: float = 0.0

    def __enter__(self):
        self.started = time.perf_counter()
        return self

    def __exit__(self, *exc):
        self.seconds = time.perf_counter() - self.started


Factory = Callable[..., object]


# ----------------------------------------------------------------------- data
@dataclass
class Fnc1Data:
    """The FNC-1 configs as the baselines read them."""

    pairs: dict[str, list[dict]]  # split -> {"pair_id", "headline", "body"}
    labels: dict[str, list[str]]
    groups: dict[str, list[str]]  # split -> story of each pair's body
    bodies: dict[str, list[int]]  # split -> Body ID of each pair
    articles: dict[str, list[dict]]
    stories: dict[str, list[str]]
    fingerprint: str
    official: bool

    @classmethod
    def load(cls, folder: Path) -> Fnc1Data:
        from presscut.builder.fnc1 import read_config

        folder = Path(folder)
        manifest_path = folder / "manifest.json"
        if not manifest_path.is_file():
            raise PresscutError(f"{folder}: no manifest.json; build the FNC-1 configs with "
                                "`presscut import fnc1 <folder of the official CSVs> -o <folder>`")
        manifest = json.loads(manifest_path.read_text(encoding="utf-8"))
        files = manifest["files"]
        fingerprint = "sha256:" + hashlib.sha256(json.dumps(
            {k: v["sha256"] for k, v in sorted(files.items())}).encode()).hexdigest()
        pairs, labels, groups, bodies, articles, stories = {}, {}, {}, {}, {}, {}
        for split in ("train", "validation", "test"):
            arts = read_config(folder, "articles", split,
                               ["article_id", "title", "body", "story_cluster", "fnc1_body_id"])
            story_of = {a["fnc1_body_id"]: a["story_cluster"] for a in arts}
            rows = read_config(folder, "stance", split,
                               ["pair_id", "headline", "body", "stance", "fnc1_body_id"])
            pairs[split] = [{"pair_id": r["pair_id"], "headline": r["headline"],
                             "body": r["body"]} for r in rows]
            labels[split] = [STANCES[r["stance"]] for r in rows]
            groups[split] = [story_of[r["fnc1_body_id"]] for r in rows]
            bodies[split] = [r["fnc1_body_id"] for r in rows]
            articles[split] = [{k: a[k] for k in ("article_id", "title", "body")} for a in arts]
            stories[split] = [a["story_cluster"] for a in arts]
        return cls(pairs, labels, groups, bodies, articles, stories, fingerprint,
                   all(v["official"] for v in files.values()))


# ----------------------------------------------------------------------- story hold-out
STORY_HOLDOUT_SHARE = 0.25
STORY_HOLDOUT_SEED = "fnc1-story-holdout-1"
STORY_FOLDS = 3


@dataclass
class StoryHoldout:
    """A split of FNC-1's training file (``train`` + ``validation``) by story, for tuning.

    ``fit`` / ``held`` index the pooled pairs (train's then validation's); ``weights`` is
    one weight per held pair (see :func:`story_holdout`)."""

    fit: list[int]
    held: list[int]
    weights: list[float]
    held_stories: int
    stories: int
    dropped: int

    def describe(self) -> dict:
        return {"rule": "story-disjoint: every story (bodies joined by shared related "
                        "headlines) and every headline falls on one side; pairs across "
                        "the cut dropped; held unrelated pairs weighted to the file's "
                        "class mix",
                "share": STORY_HOLDOUT_SHARE, "seed": STORY_HOLDOUT_SEED,
                "fit_pairs": len(self.fit), "held_pairs": len(self.held),
                "dropped_pairs": self.dropped, "held_stories": self.held_stories,
                "stories": self.stories,
                "unrelated_weight": max(self.weights) if self.weights else 1.0}


def _story_of_pairs(labels: Sequence[str], headlines: Sequence[str], groups: Sequence[str],
                    seed: str) -> tuple[list[str], list[str], dict[str, int]]:
    """(the story of each pair's headline, every story in seeded-hash order, pairs per
    body story): the shared start of :func:`story_holdout` and :func:`story_folds`."""
    if not len(labels) == len(headlines) == len(groups):
        raise PresscutError("story hold-out: labels, headlines and groups differ in length")
    story_of_head: dict[str, str] = {}
    for y, h, g in zip(labels, headlines, groups):
        if y != "unrelated":
            story_of_head.setdefault(h, g)
    bodies_of: dict[str, int] = {}
    for g in groups:  # pairs per body story stand in for its size
        bodies_of[g] = bodies_of.get(g, 0) + 1
    heads = [story_of_head.get(h, "headline:" + h) for h in headlines]
    stories = sorted(set(groups) | set(heads),
                     key=lambda g: hashlib.sha256(f"{seed}/{g}".encode()).hexdigest())
    return heads, stories, bodies_of


def _hold_out(held_stories: set[str], labels: Sequence[str], heads: Sequence[str],
              groups: Sequence[str]) -> StoryHoldout:
    fit, held = [], []
    for i, (h, g) in enumerate(zip(heads, groups)):
        side = (h in held_stories, g in held_stories)
        if side == (False, False):
            fit.append(i)
        elif side == (True, True):
            held.append(i)
    unrelated = sum(y == "unrelated" for y in labels) / max(len(labels), 1)
    h_unrel = sum(labels[i] == "unrelated" for i in held)
    h_rel = len(held) - h_unrel
    w = (unrelated / (1 - unrelated)) * h_rel / h_unrel if h_unrel and h_rel else 1.0
    weights = [w if labels[i] == "unrelated" else 1.0 for i in held]
    return StoryHoldout(fit, held, weights, len(held_stories & set(groups)),
                        len(set(groups)), len(labels) - len(fit) - len(held))


def story_holdout(labels: Sequence[str], headlines: Sequence[str], groups: Sequence[str],
                  share: float = STORY_HOLDOUT_SHARE,
                  seed: str = STORY_HOLDOUT_SEED) -> StoryHoldout:
    """Hold out whole stories, so that no held-out headline (claim) or body is seen in fitting.

    The official hold-out splits by body and keeps every headline on both sides (it rewards
    memorising claims; the competition test's claims are all new). Here a headline belongs
    to the story of the bodies it is related to (one story: stories are the connected
    components of that relation), a headline related to no body is a story of its own; the
    stories, ordered by a seeded hash, are held out until ``share`` of the bodies is. A
    pair whose headline and body fall on different sides (an unrelated pair across the
    cut) is dropped. Keeping only pairs within the held stories keeps about ``share`` of
    the related pairs but only ``share``² of the unrelated ones, so each held unrelated
    pair gets the weight that restores the file's unrelated share."""
    if not 0 < share < 1:
        raise PresscutError(f"story hold-out: share must be in (0, 1), got {share}")
    heads, stories, bodies_of = _story_of_pairs(labels, headlines, groups, seed)
    held_stories: set[str] = set()
    total, taken = sum(bodies_of.values()), 0
    for g in stories:
        if taken >= share * total:
            break
        held_stories.add(g)
        taken += bodies_of.get(g, 0)
    return _hold_out(held_stories, labels, heads, groups)


def story_folds(labels: Sequence[str], headlines: Sequence[str], groups: Sequence[str],
                k: int = STORY_FOLDS, seed: str = STORY_HOLDOUT_SEED) -> list[StoryHoldout]:
    """``k`` story-disjoint hold-outs that between them hold every related pair once.

    The single hold-out of :func:`story_holdout` tunes on the disagree pairs of a few
    stories (87 pairs, 53 of them in 4 stories, for FNC-1), too few to choose a disagree
    weight by; here the stories, in the same seeded-hash order, are dealt into ``k`` folds
    of about equal size, and each fold is held out in turn exactly as there (its
    unrelated pairs weighted, pairs across its cut dropped)."""
    if k < 2:
        raise PresscutError(f"story folds: k must be at least 2, got {k}")
    heads, stories, bodies_of = _story_of_pairs(labels, headlines, groups, seed)
    total, taken = sum(bodies_of.values()), 0
    folds: list[set[str]] = [set() for _ in range(k)]
    for g in stories:
        folds[min(k - 1, k * taken // max(total, 1))].add(g)
        taken += bodies_of.get(g, 0)
    return [_hold_out(f, labels, heads, groups) for f in folds]


def describe_folds(folds: Sequence[StoryHoldout]) -> dict:
    """What a run tuned on :func:`story_folds` records as its hold-out."""
    return {"rule": f"story-disjoint, {len(folds)} folds: each fold's stories held out in "
                    "turn as by the single story hold-out; tuned on the held pairs of all "
                    "folds together",
            "folds": len(folds), "seed": STORY_HOLDOUT_SEED,
            "fit_pairs": [len(f.fit) for f in folds],
            "held_pairs": sum(len(f.held) for f in folds),
            "dropped_pairs": [f.dropped for f in folds],
            "held_stories": sum(f.held_stories for f in folds),
            "stories": folds[0].stories if folds else 0,
            "unrelated_weight": [round(max(f.weights), 3) if f.weights else 1.0
                                 for f in folds]}


# ----------------------------------------------------------------------- baselines
TUNE_ON = ("official", "story", "story-cv")


@dataclass
class StanceBaseline:
    """A registered stance baseline as this runner uses it (its ``benchmarks["fnc1"]``)."""

    name: str
    make: Callable[[], object]
    about: str
    groups: str | None = None  # "story": fit(..., groups=story of each pair's body)
    refit: bool = False  # fitted again on train + validation once tuned
    # "story": fitted and tuned on :func:`story_holdout` of train + validation instead of
    # on train / the official hold-out (then always refitted on train + validation);
    # "story-cv": fitted once per fold of :func:`story_folds` and tuned on all folds' held
    # pairs together (the estimator needs ``tuning_parts``, ``labels_from_parts`` and
    # ``tune(..., parts=)``), then refitted on train + validation
    tune_on: str = "official"

    @classmethod
    def from_spec(cls, spec) -> StanceBaseline:
        opts = spec.benchmarks["fnc1"]
        if opts.get("groups") not in (None, "story"):
            raise PresscutError(f"baseline {spec.name!r}: fnc1 groups must be 'story' or unset, "
                                f"got {opts['groups']!r}")
        if opts.get("tune_on", "official") not in TUNE_ON:
            raise PresscutError(f"baseline {spec.name!r}: fnc1 tune_on must be one of "
                                f"{', '.join(map(repr, TUNE_ON))}, got {opts['tune_on']!r}")
        return cls(spec.name, spec.make, opts.get("about", ""), opts.get("groups"),
                   bool(opts.get("refit", False)), opts.get("tune_on", "official"))

    def fit(self, est, data: Fnc1Data, splits: Sequence[str] = ("train",),
            rows: Sequence[int] | None = None):
        """Fit on ``splits`` pooled (``rows`` of them only, when given)."""
        pairs = [p for s in splits for p in data.pairs[s]]
        labels = [y for s in splits for y in data.labels[s]]
        groups = [g for s in splits for g in data.groups[s]]
        if rows is not None:
            pairs, labels, groups = ([x[i] for i in rows] for x in (pairs, labels, groups))
        kw = {"groups": groups} if self.groups else {}
        return est.fit(pairs, labels, **kw)


def stance_baselines() -> list[StanceBaseline]:
    """The stance baselines registered with a ``benchmarks["fnc1"]`` entry, in table order."""
    from presscut.baselines.registry import specs

    return [StanceBaseline.from_spec(s) for s in specs("stance") if "fnc1" in s.benchmarks]


@dataclass
class StoryBaseline:
    name: str
    make: Callable[[], object]
    grid: list[float]
    about: str
    extra: str = ""


def story_baselines() -> list[StoryBaseline]:
    from presscut.baselines.article_dedup import TfidfAgglomerative

    def minilm():
        from presscut.baselines.neural import EmbeddingAgglomerative

        # the body opening carries the event; 64 tokens keeps the NumPy encoder affordable
        return EmbeddingAgglomerative(output="story_cluster", use_title=False, max_seq_length=64)

    grid = [round(0.05 * i, 2) for i in range(4, 20)]
    return [
        StoryBaseline("tfidf-agglomerative", lambda: TfidfAgglomerative(
            output="story_cluster", use_title=False), grid,
            "TF-IDF (1-2 grams) cosine, average linkage"),
        StoryBaseline("minilm-agglomerative", minilm, grid[:14],
                      "all-MiniLM-L6-v2 embeddings of the body's first 64 tokens, cosine, "
                      "average linkage", extra="neural"),
    ]


# ----------------------------------------------------------------------- run
def story_fold_parts(spec: StanceBaseline, data: Fnc1Data, log=print):
    """Fit a fresh ``spec`` model on each fold of :func:`story_folds` of train + validation;
    returns the folds and, over the held pairs of all of them (each predicted by the model
    that did not see its story), the stacked ``tuning_parts``, the labels and the weights."""
    import numpy as np

    both = ("train", "validation")
    pooled = [p for s in both for p in data.pairs[s]]
    labels = [y for s in both for y in data.labels[s]]
    groups = [g for s in both for g in data.groups[s]]
    folds = story_folds(labels, [p["headline"] for p in pooled], groups)
    log(f"stance {spec.name}: fitting on each of {len(folds)} story folds of train + "
        f"validation ({', '.join(str(len(f.held)) for f in folds)} held pairs)")
    parts, held_labels, weights = [], [], []
    for k, f in enumerate(folds, 1):
        model = spec.make()
        spec.fit(model, data, both, rows=f.fit)
        parts.append(model.tuning_parts([pooled[i] for i in f.held]))
        held_labels += [labels[i] for i in f.held]
        weights += f.weights
        log(f"  fold {k}: fitted on {len(f.fit)} pairs")
    return folds, tuple(np.concatenate(p) for p in zip(*parts)), held_labels, weights


def _tune_on_story_folds(spec: StanceBaseline, est, data: Fnc1Data, n_resamples: int,
                         log) -> dict:
    """Tune ``est`` on :func:`story_fold_parts` and score those out-of-fold labels under
    the tuned parameters; ``seconds`` is all of it."""
    with Timer() as t_fit:
        folds, stacked, held_labels, weights = story_fold_parts(spec, data, log)
    with Timer() as t_tune:
        tuning = est.tune(None, held_labels, weights=weights, parts=stacked)
    rec = {"about": spec.about, "tuning": tuning,
           "validation": score_stance(held_labels, est.labels_from_parts(stacked),
                                      n_resamples=n_resamples, weights=weights)}
    rec["validation"]["holdout"] = describe_folds(folds)
    rec["seconds"] = t_fit.seconds + t_tune.seconds
    return rec


def run_benchmark(folder: Path, out_dir: Path, *, stance: Sequence[str] | None = None,
                  story: Sequence[str] | None = None, n_resamples: int = N_RESAMPLES,
                  score_test: bool = True, log=print) -> dict:
    """Fit, tune on validation, score validation and (once) test; write ``results.json``.

    ``score_test=False`` is for development: validation scores only, nothing written."""
    from presscut.baselines.article_dedup import tune

    data = Fnc1Data.load(folder)
    out_dir = Path(out_dir)
    results: dict = {"data_fingerprint": data.fingerprint, "official_files": data.official,
                     "n_pairs": {s: len(v) for s, v in data.labels.items()},
                     "fnc_max": {s: stance_rows(v, v)[:, 1].sum() for s, v in data.labels.items()},
                     "stance": {}, "story_clustering": {}}
    for spec in stance_baselines():
        if stance is not None and spec.name not in stance:
            continue
        est = spec.make()
        both = ("train", "validation")
        if spec.tune_on == "story-cv":
            rec = _tune_on_story_folds(spec, est, data, n_resamples, log)
            seconds = rec.pop("seconds")
        elif spec.tune_on == "story":
            pooled = [p for s in both for p in data.pairs[s]]
            pooled_labels = [y for s in both for y in data.labels[s]]
            ho = story_holdout(pooled_labels, [p["headline"] for p in pooled],
                               [g for s in both for g in data.groups[s]])
            held_pairs = [pooled[i] for i in ho.held]
            held_labels = [pooled_labels[i] for i in ho.held]
            tune_kw = {"weights": ho.weights}
            log(f"stance {spec.name}: fitting on {len(ho.fit)} pairs of the story-disjoint "
                f"split (held out: {len(ho.held)} pairs of {ho.held_stories} stories)")
            with Timer() as t_fit:
                spec.fit(est, data, both, rows=ho.fit)
        else:
            ho, tune_kw = None, {}
            held_pairs, held_labels = data.pairs["validation"], data.labels["validation"]
            log(f"stance {spec.name}: fitting on {len(data.pairs['train'])} train pairs")
            with Timer() as t_fit:
                spec.fit(est, data)
        if spec.tune_on != "story-cv":
            # an estimator with a ``tune`` method tunes itself on the hold-out (never the test)
            with Timer() as t_tune:
                tuning = est.tune(held_pairs, held_labels, **tune_kw) \
                    if hasattr(est, "tune") else None
            rec = {"about": spec.about, "tuning": tuning}
            with Timer() as t_pred:
                pred = est.predict_labels(held_pairs)
            rec["validation"] = score_stance(held_labels, pred, n_resamples=n_resamples,
                                             weights=tune_kw.get("weights"))
            rec["validation"]["predict_seconds"] = round(t_pred.seconds, 1)
            rec["validation"]["holdout"] = ho.describe() if ho else "official"
            seconds = t_fit.seconds + t_tune.seconds
        trained_on = ["train"]
        if not score_test:
            s = rec["validation"]["scores"]
            log(f"  validation: FNC {100 * s['fnc_score']:.2f} %, macro-F1 {s['macro_f1']:.3f}"
                f", F1 disagree {s['f1_disagree']:.3f}, tuning "
                f"{rec['tuning'] and rec['tuning'].get('best')}")
            results["stance"][spec.name] = rec
            continue
        if spec.refit or spec.tune_on != "official":
            n = len(data.pairs["train"]) + len(data.pairs["validation"])
            log(f"  refitting on train + validation ({n} pairs) with the tuned parameters")
            with Timer() as t_refit:
                spec.fit(est, data, ("train", "validation"))
            trained_on, seconds = ["train", "validation"], seconds + t_refit.seconds
            rec["refit_seconds"] = round(t_refit.seconds, 1)
        rec.update({"trained_on": trained_on, "fit_seconds": round(seconds, 1),
                    "load_average": [round(x, 2) for x in os.getloadavg()]})
        with Timer() as t_pred:
            pred = est.predict_labels(data.pairs["test"])
        rec["test"] = score_stance(data.labels["test"], pred, n_resamples=n_resamples)
        rec["test"]["predict_seconds"] = round(t_pred.seconds, 1)
        params = est.get_params()
        rec["params"] = {k: v for k, v in params.items()}
        rec["version"] = model_version(spec.name, params)
        rec["test_scorings"] = log_test_scoring(out_dir / "test_log.jsonl", spec.name, params,
                                                data.fingerprint, rec["test"]["scores"])
        s = rec["test"]["scores"]
        log(f"  test: FNC {100 * s['fnc_score']:.2f} %, macro-F1 {s['macro_f1']:.3f} "
            f"(training {seconds:.0f} s)")
        results["stance"][spec.name] = rec
    for spec in story_baselines():
        if story is not None and spec.name not in story:
            continue
        est = spec.make()
        log(f"story {spec.name}: tuning on {len(data.articles['validation'])} validation bodies")
        with Timer() as t_tune:
            tuned = tune(est, data.articles["validation"], data.stories["validation"], spec.grid)
        rec = {"about": spec.about, "tuning": {"param": tuned.param, "best": tuned.best,
                                               "validation_pairwise_f1": tuned.best_f1,
                                               "grid": tuned.scores},
               "tune_seconds": round(t_tune.seconds, 1)}
        if not score_test:
            log(f"  validation pairwise F1 {tuned.best_f1:.3f} at {tuned.best}")
            continue
        for split in ("test", "train"):
            pred = tuned.estimator.predict_labels(data.articles[split])
            rec[split] = score_clusters(data.stories[split], pred, n_resamples=n_resamples)
        s = rec["test"]["scores"]
        log(f"  test: ARI {s['ari']:.3f}, pairwise F1 {s['pairwise_f1']:.3f}, "
            f"B-cubed F1 {s['bcubed_f1']:.3f}")
        results["story_clustering"][spec.name] = rec
    if not score_test:
        return results
    out_dir.mkdir(parents=True, exist_ok=True)
    path = out_dir / "results.json"
    old = json.loads(path.read_text(encoding="utf-8")) if path.is_file() else {}
    # a partial run (some baselines only) keeps the others' committed results
    for task in ("stance", "story_clustering"):
        results[task] = {**old.get(task, {}), **results[task]}
    write_results(out_dir, results)
    return results


def write_results(out_dir: Path, results: dict) -> Path:
    """results.json, whole or not at all (written beside it, then renamed)."""
    path = Path(out_dir) / "results.json"
    write_whole(path, json.dumps(results, indent=1, sort_keys=True, default=float) + "\n")
    return path


# ----------------------------------------------------------------------- report
README_START, README_END = "<!-- fnc1:start -->", "<!-- fnc1:end -->"
COMMAND = "presscut baselines fnc1 PATH"


def _pct(x: float | None) -> str:
    return "–" if x is None else f"{100 * x:.2f}"


def _ci(rec: dict, key: str, pct: bool = True) -> str:
    lo, hi = rec["ci"].get(key, [None, None])
    if lo is None:
        return "–"
    return f"{100 * lo:.1f}–{100 * hi:.1f}" if pct else f"{lo:.3f}–{hi:.3f}"


def test_scorings_by_name(log: Path, data_fingerprint: str) -> dict[str, int]:
    """How often each baseline name was scored on this test data, over all its versions.

    A version is a name and its parameters, not its code: a model reworked after a test
    scoring keeps its name, so the board counts by name to show every look at the test.
    """
    counts: dict[str, int] = {}
    if log.is_file():
        for line in log.read_text(encoding="utf-8").splitlines():
            rec = json.loads(line)
            if rec["data"] == data_fingerprint:
                counts[rec["baseline"]] = counts.get(rec["baseline"], 0) + 1
    return counts


def off_board_scorings(log: Path, data_fingerprint: str, on_board: Sequence[str]) -> list[str]:
    """One line per baseline name scored on this test but absent from the board (a model
    that did not land): its scorings and its last scores, so no look at the test is lost."""
    last: dict[str, tuple[int, dict]] = {}
    if log.is_file():
        for line in log.read_text(encoding="utf-8").splitlines():
            rec = json.loads(line)
            if rec["data"] == data_fingerprint and rec["baseline"] not in on_board:
                n = last.get(rec["baseline"], (0, {}))[0]
                last[rec["baseline"]] = (n + 1, rec["scores"])
    return [f"- `{name}`: scored {n} time(s) on this test, not on the board; last scoring "
            f"FNC {100 * s['fnc_score']:.2f} %, macro-F1 {s['macro_f1']:.3f} (see the log)."
            for name, (n, s) in sorted(last.items())]


def _holdout(rec: dict) -> str:
    h = rec["validation"].get("holdout", "official")
    if h == "official":
        return "official"
    return f"story-disjoint, {h['folds']} folds" if "folds" in h else "story-disjoint"


def _training(rec: dict) -> str:
    load = rec.get("load_average")
    refit = f"; refit alone {rec['refit_seconds']:.0f}" if "refit_seconds" in rec else ""
    return f"{rec['fit_seconds']:.0f}" + (f" ({load[0]:.1f}{refit})" if load else "")


def render_markdown(results: dict, scorings: dict[str, int] | None = None,
                    off_board: Sequence[str] = ()) -> str:
    """The FNC-1 section of README and ``leaderboard/fnc1.md``, from ``results.json`` and
    the test log's counts (``scorings``; the results' own per-version counts without one)
    and its lines for models not on the board (``off_board``)."""
    scorings = scorings or {}
    lines = [
        f"<!-- generated by `{COMMAND}` from results/fnc1/results.json; not reproduced by CI "
        "(the FNC-1 files are not redistributable) -->",
        "",
        f"Produced by `{COMMAND}` on the official files"
        + ("" if results["official_files"] else " (NOT the official files: sha256 differs)")
        + f"; data `{results['data_fingerprint'][:19]}`. Competition test: "
        f"{results['n_pairs']['test']:,} rows, every row scored (repeats included), maximum "
        f"{results['fnc_max']['test']:,.2f}. Fitted on `train` ({results['n_pairs']['train']:,} "
        f"pairs), tuned on `validation` (the official hold-out, "
        f"{results['n_pairs']['validation']:,} pairs) or, where the hold-out column says "
        "story-disjoint, fitted and tuned on the story-disjoint split of train + validation "
        "(below); a row trained on train + validation was fitted again on both once tuned. "
        "95 % bootstrap CIs over pairs.",
        "",
        "| stance baseline | FNC % (test) | CI | macro-F1 | CI | F1 agree | F1 disagree "
        "| F1 discuss | F1 unrelated | FNC % (validation) | hold-out | trained on "
        "| training s (load) | test scorings (all versions) |",
        "|---|---|---|---|---|---|---|---|---|---|---|---|---|---|",
    ]
    for name, rec in sorted(results["stance"].items(),
                            key=lambda kv: -kv[1]["test"]["scores"]["fnc_score"]):
        t, s = rec["test"], rec["test"]["scores"]
        lines.append(
            f"| `{name}` | {_pct(s['fnc_score'])} | {_ci(t, 'fnc_score')} | "
            f"{s['macro_f1']:.3f} | {_ci(t, 'macro_f1', False)} | {s['f1_agree']:.3f} | "
            f"{s['f1_disagree']:.3f} | {s['f1_discuss']:.3f} | {s['f1_unrelated']:.3f} | "
            f"{_pct(rec['validation']['scores']['fnc_score'])} | {_holdout(rec)} | "
            f"{' + '.join(rec.get('trained_on', ['train']))} | {_training(rec)} | "
            f"{scorings.get(name, rec['test_scorings'])} |")
    lines += ["", "Training seconds are wall time of fitting and tuning (and refitting, for a "
              "model trained on train + validation) on a 2-core machine shared with other "
              "jobs, with its 1-minute load average when training ended (and the refit's own "
              "seconds, where recorded); validation scores are those of the model fitted "
              "before any refit (on train, or on the story split's fitting pairs).",
              "", "Test scorings count every scoring of a baseline's name on this test, "
              "earlier versions included; each one, with its parameters and scores, is in "
              "`results/fnc1/test_log.jsonl`.",
              "", "Published anchors (competition test): official baseline 75.20 %, "
              "FNC-1 winner (SOLAT in the SWEN) 82.02 %, Athene 81.97 %, UCL 81.72 %.", ""]
    for name, rec in sorted(results["stance"].items()):
        lines.append(f"- `{name}`: {rec['about']}.")
    lines += list(off_board)
    holdouts = [r["validation"]["holdout"] for _, r in sorted(results["stance"].items())
                if isinstance(r["validation"].get("holdout"), dict)]
    story = next((h for h in holdouts if "folds" not in h), None)
    cv = next((h for h in holdouts if "folds" in h), None)
    if story:
        lines += ["", "Story-disjoint hold-out (`fnc1_bench.story_holdout`): the official "
                  "hold-out splits by body, so every validation headline is also a training "
                  "headline and it rewards memorising claims, while every competition-test "
                  "claim is new. This split holds out whole stories (bodies joined by shared "
                  "related headlines; a headline goes with the story of its related bodies) "
                  f"until {100 * story['share']:.0f} % of the pairs (counted by their body's story) "
                  "are held out: "
                  f"{story['held_pairs']:,} held pairs from {story['held_stories']} of "
                  f"{story['stories']} stories, {story['fit_pairs']:,} fitting pairs, "
                  f"{story['dropped_pairs']:,} unrelated pairs across the cut dropped. Held "
                  "unrelated pairs are few (only pairs of two held stories remain), so each "
                  f"weighs {story['unrelated_weight']:.2f} in tuning and in its validation "
                  "scores, restoring the file's unrelated share. Everything fitted, the "
                  "vocabularies included, is fitted on the fitting pairs only."]
    if cv:
        lines += ["", f"Story folds (`fnc1_bench.story_folds`, hold-out column \"story-"
                  f"disjoint, {cv['folds']} folds\"): the same stories, in the same seeded "
                  f"order, dealt into {cv['folds']} folds of about equal size; each fold is "
                  "held out in turn exactly as above and a fresh model is fitted on the rest "
                  f"({', '.join(f'{n:,}' for n in cv['fit_pairs'])} fitting pairs). The "
                  "blend and class weights are tuned on the held pairs of all folds together "
                  f"({cv['held_pairs']:,} pairs, every related pair once), each scored by the "
                  "model that never saw its story; the validation column is that out-of-fold "
                  "score under the tuned parameters (held unrelated pairs weighted "
                  f"{', '.join(f'{w:.2f}' for w in cv['unrelated_weight'])} by fold)."]
    lines += ["", "| story baseline | split | bodies | stories (gold / predicted) | ARI | CI "
              "| pairwise F1 | B-cubed F1 | threshold (tuned on validation) |",
              "|---|---|---|---|---|---|---|---|---|"]
    for name, rec in sorted(results["story_clustering"].items()):
        for split in ("train", "test"):
            r, s = rec[split], rec[split]["scores"]
            lines.append(
                f"| `{name}` | {split} | {r['n_items']} | {r['gold_clusters']} / "
                f"{r['predicted_clusters']} | {s['ari']:.3f} | {_ci(r, 'ari', False)} | "
                f"{s['pairwise_f1']:.3f} | {s['bcubed_f1']:.3f} | {rec['tuning']['best']} |")
    lines.append("")
    return "\n".join(lines)


def read_results(out_dir: Path) -> dict:
    path = Path(out_dir) / "results.json"
    if not path.is_file():
        raise PresscutError(f"{path}: no FNC-1 results yet; run `{COMMAND}` first")
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except ValueError as err:
        raise PresscutError(f"{path}: not valid JSON ({err})") from None


def refresh_descriptions(results: dict) -> dict:
    """``results`` with each registered baseline's ``about`` as its code says it now: the
    description belongs to the code and the figures to the run, so a corrected description
    (or one that now quotes the run's figures) needs no refit and no second test scoring."""
    about = {"stance": {s.name: s.about for s in stance_baselines()},
             "story_clustering": {s.name: s.about for s in story_baselines()}}
    for task, described in about.items():
        for name, rec in results.get(task, {}).items():
            if name in described:
                rec["about"] = described[name]
    return results


def republish(root: Path) -> list[Path]:
    """``--publish-only``: the committed results with today's descriptions, rendered again;
    nothing fitted, the test not scored."""
    out_dir = Path(root) / "results" / "fnc1"
    results = refresh_descriptions(read_results(out_dir))
    return [write_results(out_dir, results), *publish(results, root)]


def publish(results: dict, root: Path) -> list[Path]:
    """Write the FNC-1 tables into README (between the fnc1 markers) and leaderboard/fnc1.md."""
    log = Path(root) / "results" / "fnc1" / "test_log.jsonl"
    md = render_markdown(results, test_scorings_by_name(log, results["data_fingerprint"]),
                         off_board_scorings(log, results["data_fingerprint"],
                                            list(results["stance"])))
    board = Path(root) / "leaderboard" / "fnc1.md"
    board.parent.mkdir(parents=True, exist_ok=True)
    board.write_text("# FNC-1 stance and story clustering\n\n" + md, encoding="utf-8")
    readme = Path(root) / "README.md"
    text = readme.read_text(encoding="utf-8")
    if README_START in text and README_END in text:
        head, rest = text.split(README_START, 1)
        _, tail = rest.split(README_END, 1)
        readme.write_text(head + README_START + "\n" + md + README_END + tail, encoding="utf-8")
    return [board, readme]
