"""The sequence segmenter: features against a per-line reference, Viterbi against brute
force, the MLP forward pass against scikit-learn, records against consistent_record, and
the saved model round-tripping byte for byte."""

from __future__ import annotations

import itertools

import numpy as np
import pytest
from toy_pages import toy_pages

from presscut.baselines.segment_common import consistent_record, load
from presscut.baselines.segment_seq import (
    SequenceSegmenter,
    _fit_mlp,
    _forward,
    transitions,
    viterbi,
)
from presscut.baselines.segment_seq_features import (
    _DATE,
    _URLISH,
    Lexicon,
    feature_names,
    featurise,
    normalise_line,
    stop_words,
    tokens,
)
from presscut.errors import PresscutError
from presscut.schema import ROLES, is_blank

ODD_LINES = ["北朝鲜领导人金正恩提出新的军事目标。", "\u00a0", "Straße İstanbul ΣΑΣ, über-long words!",
             "emoji 😀 line ends here.", "  indented line with trailing space  ", "\u200b",
             "Share | Tweet | Email", "Posted 12/03/2020 at 10:15", "x", "\u200b \u200b",
             # repeats that only normalisation makes equal, a long repeated line, addresses
             "POSTED 11/04/2021 AT 09:14", "  Share | Tweet | Email", "Visit www.example.com today",
             "Circled Ⓐ ⓐ and ǅ titlecase " * 9, "Circled Ⓐ ⓐ and ǅ titlecase " * 9,
             "mail me@example.org", "10:15"]


@pytest.fixture(scope="module")
def pages():
    out = toy_pages(40, seed=21)
    out[0] = {**out[0], "lines": out[0]["lines"] + ODD_LINES,
              "roles": out[0]["roles"] + ["boilerplate" if not is_blank(x) else "blank"
                                          for x in ODD_LINES]}
    return out


@pytest.fixture(scope="module")
def fitted(pages):
    return SequenceSegmenter(max_iter=8, random_state=1).fit(pages[:30])


def test_features_match_a_per_line_reference(pages):
    lex = Lexicon.fit(pages[:20])
    lines = [p["lines"] for p in pages]
    batch = featurise(lines, lex)
    col = {n: k for k, n in enumerate(feature_names())}
    expected_rows = [(p, i) for p, ls in enumerate(lines) for i, x in enumerate(ls)
                     if not is_blank(x)]
    assert list(zip(batch.page_of.tolist(), batch.line_of.tolist())) == expected_rows
    keys = [(p, lines[p][i].strip() if len(lines[p][i].strip()) > 200
             else normalise_line(lines[p][i])) for p, i in expected_rows]
    for k, (p, i) in enumerate(expected_rows):
        line = lines[p][i].strip()
        ws = tokens(line)
        ids = [lex.word_ids.get(w, 0) for w in ws]
        known = [lex.word_logodds[j] for j in ids if j]
        short = len(line) <= 200
        key = normalise_line(line)
        ref = {
            "log_chars": np.log1p(len(line)) / 6,
            "log_words": np.log1p(len(ws)) / 4,
            "stop_share": sum(w in stop_words() for w in ws) / max(len(ws), 1),
            "ends_terminal": float(line[-1] in ".!?…。！？\"'”’»)"),
            "starts_upper": float(line[0].isupper()),
            "word_logodds_mean": sum(known) / max(len(known), 1),
            "line_logodds": lex.line_logodds.get(normalise_line(line), 0.0)
            if len(line) <= 200 else 0.0,
            "position": (k - batch.offsets[p]) / max(batch.offsets[p + 1] - batch.offsets[p] - 1, 1),
            "word_logodds_max": max([-5.0] + known),
            "word_logodds_min": min([5.0] + known),
            "line_log_pages": np.log1p(lex.line_pages.get(key, 0) if short else 0) / 5,
            "date": float(short and bool(_DATE.search(key))),
            "urlish": float(short and bool(_URLISH.search(key))),
            "repeats_in_page": min(keys.count(keys[k]) - 1, 3) / 3,
            "first_copy": float(keys.index(keys[k]) == k),
        }
        for name, value in ref.items():
            assert batch.X[k, col[name]] == pytest.approx(value, abs=1e-5), (name, line)


def test_lexicon_pickles_its_tables_packed_and_loads_the_older_plain_form():
    import pickle

    keys = ["", "share this", "a\x00b", "über", "emoji 😀", "\ud800 lone surrogate"]
    lex = Lexicon({k: i + 1 for i, k in enumerate(keys)}, np.arange(len(keys) + 1.0),
                  np.zeros(len(keys) + 1, dtype=bool), {k: -0.5 * i for i, k in enumerate(keys)},
                  {k: 2 + i for i, k in enumerate(keys)})
    # a model saved before packing pickled the dicts themselves
    old = Lexicon.__new__(Lexicon)
    old.__setstate__({"word_ids": dict(lex.word_ids), "word_logodds": lex.word_logodds,
                      "stop_mask": lex.stop_mask, "line_logodds": dict(lex.line_logodds),
                      "line_pages": dict(lex.line_pages)})
    page = [k.replace("\x00", " ") or "x" for k in keys] + ["share this", "über über"]
    for back in (pickle.loads(pickle.dumps(lex)), old):
        for table in ("word_ids", "line_logodds", "line_pages"):  # the same items, in order
            assert list(getattr(back, table).items()) == list(getattr(lex, table).items())
        assert np.array_equal(back.word_logodds, lex.word_logodds)
        assert np.array_equal(back.stop_mask, lex.stop_mask)
        assert np.array_equal(featurise([page], back).X, featurise([page], lex).X)


def test_featurise_empty_and_blank_pages():
    lex = Lexicon.fit([])
    b = featurise([[], ["", " "], ["only line"]], lex)
    assert b.offsets.tolist() == [0, 0, 0, 1] and b.X.shape[0] == 1


def test_viterbi_matches_brute_force():
    rng = np.random.default_rng(0)
    k = 3
    lens = [1, 4, 0, 5, 2]
    log_e = np.log(rng.dirichlet(np.ones(k), size=sum(lens)))
    log_t = np.log(rng.dirichlet(np.ones(k), size=k))
    log_s = np.log(rng.dirichlet(np.ones(k)))
    offsets = np.concatenate([[0], np.cumsum(lens)])
    path = viterbi(log_e, offsets, log_t, log_s)
    for p, n in enumerate(lens):
        if n == 0:
            continue
        e = log_e[offsets[p]:offsets[p + 1]]

        def score(seq, e=e):
            return log_s[seq[0]] + e[0, seq[0]] + sum(
                log_t[a, b] + e[t + 1, b] for t, (a, b) in enumerate(zip(seq, seq[1:])))

        best = max(itertools.product(range(k), repeat=n), key=score)
        assert tuple(path[offsets[p]:offsets[p + 1]]) == best


def test_transitions_by_hand():
    log_t, log_s = transitions([np.array([0, 0, 1]), np.array([1])], 2, alpha=0.0 + 1e-12)
    assert np.exp(log_t[0]).round(6).tolist() == [0.5, 0.5]
    assert np.exp(log_s).round(6).tolist() == [0.5, 0.5]


def test_forward_pass_equals_scikit_learn():
    from sklearn.neural_network import MLPClassifier

    rng = np.random.default_rng(1)
    X = rng.normal(size=(300, 6)).astype(np.float32)
    for n_classes in (2, 3):
        y = np.array(["a", "b", "c"][:n_classes])[rng.integers(0, n_classes, 300)]
        net = _fit_mlp(X, y, (8, 4), 20, 0)
        ref = MLPClassifier(hidden_layer_sizes=(8, 4), max_iter=20, batch_size=512,
                            random_state=0)
        import warnings

        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            ref.fit((X - net["mean"]) / net["scale"], y)
        expected = ref.predict_proba((X - net["mean"]) / net["scale"])
        assert np.allclose(_forward(net, X), expected, atol=1e-4)


def test_records_are_what_consistent_record_makes(fitted, pages):
    for page, rec in zip(pages[30:], fitted.predict(pages[30:])):
        starts = [s for s, _ in rec["articles"]]
        ref = consistent_record(page["doc_id"], page["lines"], rec["roles"], starts)
        assert rec == ref


def test_appended_article_starts_at_a_title_after_a_boilerplate_gap():
    model = SequenceSegmenter(article_gap=2)
    model.classes_ = ["body", "boilerplate", "title"]
    is_art = np.array([True, False, True])
    is_title = np.array([False, False, True])
    is_body = np.array([True, False, False])
    states = np.array([2, 0, 0, 1, 1, 2, 0, 2, 0])  # title body body bp bp TITLE body title body
    line_of = np.arange(len(states)) * 2
    spans = model._articles(line_of, states, is_art, is_title, is_body)
    assert spans == [[0, 5], [10, 17]]  # the second title (after body, no gap) stays inside
    model.article_gap = 3
    assert model._articles(line_of, states, is_art, is_title, is_body) == [[0, 17]]
    # the start head opens an article wherever it passes its threshold after body...
    start = np.array([0.9, 0.9, 0.1, 0.0, 0.0, 0.2, 0.1, 0.7, 0.1])
    model.start_threshold = 0.6
    assert model._articles(line_of, states, is_art, is_title, is_body, start) == [
        [0, 13], [14, 17]]
    # ...(row 1's 0.9 opens nothing: no body since the article began), the title at row 5
    # (gap 2 < 3) only when the threshold is under its 0.2
    model.start_threshold = 0.15
    assert model._articles(line_of, states, is_art, is_title, is_body, start) == [
        [0, 5], [10, 13], [14, 17]]


def test_a_page_decoded_without_body_gets_the_block_around_its_most_body_like_row():
    model = SequenceSegmenter(empty_fallback=0.5)
    model.classes_ = ["boilerplate", "body", "title"]
    offsets = np.array([0, 5, 7, 7])  # two pages and an empty one
    pb = np.array([0.1, 0.3, 0.4, 0.15, 0.35, 0.9, 0.1])
    P = np.stack([1 - pb, pb, np.zeros_like(pb)], 1)
    path = np.array([0, 0, 2, 0, 0, 1, 0])
    model._fill_empty(path, P, offsets)
    # page 0: max 0.4 at row 2, rows >= 0.2 joined to it: 1-2 (row 3's 0.15 ends the block,
    # so row 4's 0.35 stays out); page 1 already has body and keeps its path
    assert path.tolist() == [0, 1, 1, 0, 0, 1, 0]
    model.empty_fallback = 0.2  # threshold 0.08: the whole first page
    path = np.array([0, 0, 2, 0, 0, 1, 0])
    model._fill_empty(path, P, offsets)
    assert path.tolist() == [1, 1, 1, 1, 1, 1, 0]


def test_members_average_the_posteriors_of_the_one_member_fits_of_their_seeds(pages):
    # member m of a fit seeded r is the one-member fit seeded r + m, nets and all
    both = SequenceSegmenter(max_iter=5, members=2, random_state=3).fit(pages[:20])
    one = [SequenceSegmenter(max_iter=5, members=1, random_state=s).fit(pages[:20])
           for s in (3, 4)]
    batch = featurise([p["lines"] for p in pages[20:]], both.lexicon_)
    P, start = both._rows(batch)
    parts = [m._rows(batch) for m in one]
    assert len(both.net1_) == len(both.net2_) == len(both.net_start_) == 2
    np.testing.assert_allclose(P, (parts[0][0] + parts[1][0]) / 2, rtol=1e-6, atol=1e-7)
    np.testing.assert_allclose(start, (parts[0][1] + parts[1][1]) / 2, rtol=1e-6, atol=1e-7)
    assert not np.allclose(parts[0][0], parts[1][0])  # the seeds do differ


def test_fit_is_reproducible_and_save_load_round_trips(fitted, pages, tmp_path):
    again = SequenceSegmenter(max_iter=8, random_state=1).fit(pages[:30])
    path = fitted.save(tmp_path / "m")
    loaded = load(path)
    assert loaded.predict(pages[30:]) == fitted.predict(pages[30:])
    # the same pages fit the same model, byte for byte (the committed model relies on it)
    second = again.save(tmp_path / "m2")
    assert (path / "model.joblib").read_bytes() == (second / "model.joblib").read_bytes()


def test_model_of_another_version_is_refused(fitted, tmp_path):
    import copy

    old = copy.copy(fitted)
    old.features_ = old.features_[:-1]  # as if saved before a feature was added
    path = old.save(tmp_path / "m")
    with pytest.raises(PresscutError, match="another version.*line features differ"):
        load(path).predict([{"doc_id": "a", "lines": ["x"]}])
    one = copy.copy(fitted)
    one.net1_ = fitted.net1_[0]  # as saved before members: one net, the same features
    with pytest.raises(PresscutError, match="another version.*one net, not members"):
        load(one.save(tmp_path / "one")).predict([{"doc_id": "a", "lines": ["x"]}])


def test_unfitted_refuses_to_predict():
    with pytest.raises(PresscutError, match="fit"):
        SequenceSegmenter().predict([{"doc_id": "a", "lines": ["x"]}])


def test_committed_default_model_loads_and_labels_the_seeds():
    from pathlib import Path

    from presscut.baselines import registry

    model = registry.load_saved(registry.default_for("segmentation"))
    assert model.name == "seg-seq"
    assert "trained on" in model.describe() and model.fit([]) is model
    raw = sorted((Path(__file__).resolve().parent.parent / "corpus" / "raw").glob("*.txt"))
    pages = [{"doc_id": p.stem, "lines": p.read_text(encoding="utf-8").split("\n")} for p in raw]
    for rec in model.predict(pages):
        assert "body" in rec["roles"] and rec["articles"]


def test_predictions_do_not_depend_on_the_batch_size(fitted, pages):
    import copy

    small = copy.copy(fitted)
    small.batch_pages = 3
    assert small.predict(pages) == fitted.predict(pages)


def test_lexicon_vocabulary_cut_breaks_ties_by_word():
    """Words on equally many pages are cut alphabetically, whatever order they came in
    (a refit in another process must keep the same vocabulary)."""
    lines = ["zeta alpha mid", "mid zeta alpha"]
    pages = [{"doc_id": str(i), "lines": [lines[i % 2]], "roles": ["body"]} for i in range(3)]
    pages.append({"doc_id": "x", "lines": ["zeta"], "roles": ["body"]})
    lex = Lexicon.fit(pages, max_words=2, min_word_pages=3)
    # zeta is on 4 pages, alpha and mid on 3: zeta, then alpha before mid
    assert {"zeta", "alpha"} <= set(lex.word_ids) and "mid" not in lex.word_ids


def test_refit_check_passes_on_a_refit_and_names_a_changed_model(tmp_path):
    """`presscut baselines refit --check` in another process (string hashing differs there)
    against a model refitted here from the same pages, then against an edited one."""
    import subprocess
    import sys
    from pathlib import Path

    import pyarrow.parquet as pq
    from typer.testing import CliRunner

    from presscut.baselines import registry
    from presscut.cli import app

    root = Path(__file__).resolve().parent.parent
    (tmp_path / "splits" / "real").mkdir(parents=True)
    table = pq.read_table(root / "splits" / "real" / "train.parquet").slice(0, 16)
    pq.write_table(table, tmp_path / "splits" / "real" / "train.parquet")
    registry.refit(registry.get("segmentation", "seg-seq"), tmp_path)
    code = "import sys; from presscut.cli import main; main(sys.argv[1:])"
    ok = subprocess.run([sys.executable, "-c", code, "baselines", "refit", "seg-seq", "--check",
                         "--root", str(tmp_path)], capture_output=True, text=True)
    assert ok.returncode == 0 and "byte-identical" in ok.stdout, ok.stdout + ok.stderr
    config = tmp_path / "models" / "seg-seq" / "config.json"
    config.write_text(config.read_text().replace('"max_iter": 30', '"max_iter": 31'))
    bad = CliRunner().invoke(app, ["baselines", "refit", "seg-seq", "--check",
                                   "--root", str(tmp_path)])
    assert bad.exit_code != 0 and "differs from the committed model" in str(bad.exception)


def test_baseline_keeps_scikit_learns_parameter_api_without_inheriting_it():
    """Baseline borrows get_params/set_params from scikit-learn (so that predicting never
    imports it): clone, set_params and its errors behave as on a BaseEstimator."""
    from sklearn.base import clone

    est = SequenceSegmenter(hidden=(8,), max_iter=3)
    assert est.get_params()["hidden"] == (8,) and est.get_params()["max_iter"] == 3
    twin = clone(est)
    assert twin is not est and twin.get_params() == est.get_params()
    assert twin.set_params(max_iter=5) is twin and twin.max_iter == 5 and est.max_iter == 3
    with pytest.raises(ValueError, match="Invalid parameter 'nope'"):
        est.set_params(nope=1)
    assert repr(est) == "SequenceSegmenter(hidden=(8,), max_iter=3)"


def test_out_of_fold_lexicon_keeps_out_synthetic_copies_of_the_folds_pages():
    """A synthetic page holding a real page's lines must not inform the lexicon that page's
    own features come from (the line would look seen on other pages)."""
    import numpy as np

    from presscut.baselines.segment_seq import lexicon_pages

    pages = [{"doc_id": d, "lines": [], "roles": []} for d in ("r0", "r1", "r2")]
    pages += [{"doc_id": "s3", "lines": [], "roles": [], "source_pages": ["real:r1"]},
              {"doc_id": "s4", "lines": [], "roles": [], "source_pages": ["real:r0", "gold:x"]}]
    fold = np.arange(len(pages)) % 3  # r0 0, r1 1, r2 2, s3 0, s4 1
    ids = {f: [p["doc_id"] for p in lexicon_pages(pages, fold, f)] for f in range(3)}
    # fold 1 (r1, s4): s3 copies r1, so it is out; fold 0 (r0, s3): s4 copies r0
    assert ids == {0: ["r1", "r2"], 1: ["r0", "r2"], 2: ["r0", "r1", "s3", "s4"]}
    naive = [p["doc_id"] for p in lexicon_pages(pages, fold, 1, guard=False)]
    assert naive == ["r0", "r2", "s3"]


# ------------------------------------------------------------------ speed rewrites
# The vectorised paths (time-major Viterbi, hashed word and line lookups, long rows hashed
# only where a repeat is possible) against plain ones.
def _reference_viterbi(log_e, offsets, log_t, log_s):
    """The textbook recursion, one page and one step at a time."""
    path = np.zeros(len(log_e), dtype=np.int64)
    for a, b in zip(offsets[:-1], offsets[1:]):
        if a == b:
            continue
        score = log_s + log_e[a]
        back = []
        for t in range(a + 1, b):
            cand = score[:, None] + log_t
            back.append(cand.argmax(0))
            score = cand.max(0) + log_e[t]
        state = int(score.argmax())
        path[b - 1] = state
        for t in range(b - 1, a, -1):
            state = int(back[t - a - 1][state])
            path[t - 1] = state
    return path


def test_viterbi_matches_a_per_page_reference_with_ties():
    rng = np.random.default_rng(3)
    for k in (2, 6):
        lens = rng.integers(0, 60, size=40)
        lens[:3] = [0, 1, 200]
        log_e = np.log(rng.dirichlet(np.ones(k), size=int(lens.sum())))
        log_e[::7] = np.log(1 / k)  # rows with tied emissions
        log_t = np.log(rng.dirichlet(np.ones(k), size=k))
        log_t[1] = log_t[0]  # tied transitions
        log_s = np.log(np.full(k, 1 / k))
        offsets = np.concatenate([[0], np.cumsum(lens)])
        assert np.array_equal(viterbi(log_e, offsets, log_t, log_s),
                              _reference_viterbi(log_e, offsets, log_t, log_s))


def test_hash_index_finds_what_a_dict_finds():
    from presscut.baselines.segment_seq_features import _HashIndex

    rng = np.random.default_rng(4)
    keys = rng.integers(0, 2**63, size=3000, dtype=np.uint64)
    keys[:50] = (np.arange(50, dtype=np.uint64) << np.uint64(40))  # one home slot: long probes
    vals = rng.normal(size=(3000, 2))
    index = _HashIndex(keys, vals)
    queries = np.concatenate([keys[rng.permutation(3000)],
                              rng.integers(0, 2**63, size=2000, dtype=np.uint64),
                              np.arange(60, dtype=np.uint64) << np.uint64(40)])
    ref = {int(h): v for h, v in zip(keys, vals)}
    got = index.get(queries, -1.0)
    for h, row in zip(queries.tolist(), got):
        assert row.tolist() == (ref[h].tolist() if h in ref else [-1.0, -1.0])
    assert _HashIndex(keys[:0], vals[:0]).get(queries[:5], 0.0).tolist() == [[0.0, 0.0]] * 5


def test_long_lines_of_equal_length_are_no_repeats_and_true_copies_are():
    lex = Lexicon.fit([])
    a, b = "a" * 150 + " long line one", "a" * 150 + " long line two"
    pages = [[a, b, "short", a], [b, "x", "  " + a + " "]]
    X = featurise(pages, lex).X
    col = feature_names().index
    assert X[:, col("repeats_in_page")].tolist() == pytest.approx([1 / 3, 0, 0, 1 / 3, 0, 0, 0])
    assert X[:, col("first_copy")].tolist() == [1, 1, 1, 0, 1, 1, 1]


def test_a_nul_inside_a_line_changes_no_other_line(fitted, pages):
    """The batch is joined with NUL: a NUL in scraped text must not shift later lines."""
    lex = fitted.lexicon_
    clean = [p["lines"] for p in pages[30:33]]
    dirty = [list(clean[0])] + clean[1:]
    at = next(i for i, x in enumerate(dirty[0]) if len(x) > 10)
    dirty[0][at] = dirty[0][at][:5] + "\x00" + dirty[0][at][6:]
    spaced = [list(dirty[0])] + clean[1:]
    spaced[0][at] = spaced[0][at].replace("\x00", " ")
    a, b, c = featurise(clean, lex), featurise(dirty, lex), featurise(spaced, lex)
    first = b.offsets[1]
    assert np.array_equal(a.X[first:], b.X[first:])  # the other pages: untouched
    assert np.array_equal(b.X, c.X)  # the NUL reads as the blank it is


def test_fit_pages_names_the_missing_split_instead_of_fitting_on_nothing(tmp_path):
    from presscut.baselines.segment_seq import fit_pages

    with pytest.raises(PresscutError, match=r"no real train/validation split .*presscut build"):
        fit_pages(root=tmp_path)



# ------------------------------------------------------------------ comment sections
@pytest.mark.parametrize("line, is_cue", [
    ("52 Comments", True), ("{ 167 comments }", True), ("Comments (3)", True),
    ("Reader Comments", True), ("Leave a Reply", True), ("Add a Comment", True),
    ("44 of 69 comments loaded", True), ("Comments are closed.", True),
    ("Join the discussion", True), ("  COMMENTS  ", True),
    ("The mayor's comments drew anger.", False), ("No comments were made", False),
    ("Replies to the consultation closed on Friday", False), ("Share | Tweet", False),
])
def test_comment_cue_lines_by_hand(line, is_cue):
    from presscut.baselines.segment_seq import _COMMENT_CUE

    assert bool(_COMMENT_CUE.match(normalise_line(line))) is is_cue


def _cut(lines, states, start=None, **params):
    """Decode-level check of the comment cut on one page whose rows are its lines."""
    from types import SimpleNamespace

    model = SequenceSegmenter(**params)
    model.classes_ = ["body", "boilerplate", "title"]
    path = np.array([model.classes_.index(s) for s in states])
    batch = SimpleNamespace(offsets=np.array([0, len(lines)]), line_of=np.arange(len(lines)))
    model._cut_comments([{"doc_id": "p", "lines": lines}], batch, path,
                        None if start is None else np.array(start, dtype=float))
    return [model.classes_[k] for k in path]


def test_comment_cue_after_the_body_ends_it_until_the_next_article():
    post = ["word " * 30, "word " * 30]  # 60 body words
    lines = ["Headline", *post, "12 Comments", "jane 2 hours ago", "Great post, thanks " * 5,
             "Second story", "more words here"]
    states = ["title", "body", "body", "boilerplate", "body", "body", "title", "body"]
    out = _cut(lines, states)
    assert out == ["title", "body", "body"] + ["boilerplate"] * 5
    # the start head opens an article at "Second story": the cut stops there
    start = [0, 0, 0, 0, 0, 0, 0.95, 0]
    assert _cut(lines, states, start) == ["title", "body", "body"] + ["boilerplate"] * 3 + [
        "title", "body"]


def test_comment_cue_needs_most_of_the_body_above_it():
    lines = ["word " * 30, "Comments", *["word " * 40] * 3]
    states = ["body", "boilerplate", "body", "body", "body"]
    assert _cut(lines, states) == states  # 30 words above: under 50
    lines = ["word " * 60, "Comments", *["word " * 100] * 3]
    assert _cut(lines, states) == states  # 60 of 360 words above: under 30 %
    lines = ["word " * 60, "Comments (2)", *["word " * 40] * 3]
    assert _cut(lines, states) == ["body"] + ["boilerplate"] * 4  # 60 of 180: a third
    lines = ["word " * 60, "comments on the new plan were mixed", "word"]
    assert _cut(lines, ["body", "body", "body"]) == ["body", "body", "body"]  # 7 words: prose


# ------------------------------------------------------------------ distillation
def _relabelled(pages, old, new):
    return [{**p, "roles": [new if r == old else r for r in p["roles"]]} for p in pages]


def test_taught_rows_are_the_teachers_distribution_above_the_floor(fitted, pages):
    from presscut.baselines import segment_seq

    extra = [{"doc_id": p["doc_id"], "lines": p["lines"]} for p in pages[30:34]]
    P, start = fitted._rows(featurise([p["lines"] for p in extra], fitted.lexicon_))
    y = np.array(fitted.classes_)  # the labelled rows before the transfer rows: one a role
    n_rows = len(y)
    y_start = np.array(["start"] + ["inside"] * (n_rows - 1))
    (src, lab, w), (s_src, s_lab, s_w) = SequenceSegmenter()._taught(fitted, extra, n_rows, y,
                                                                     y_start, None)
    assert list(src[:n_rows]) == list(range(n_rows)) and set(w[:n_rows]) == {1.0}
    floor = segment_seq._SOFT_MIN
    for r in range(len(P)):  # each transfer row, by hand: the kept roles, renormalised
        kept = {c: p for c, p in zip(fitted.classes_, P[r]) if p >= floor}
        got = {str(c): float(x) for c, x, s in zip(lab, w, src) if s == n_rows + r}
        assert got.keys() == kept.keys()
        for c, p in kept.items():
            assert got[c] == pytest.approx(p / sum(kept.values()), rel=1e-5)
        want_s = {k: v for k, v in (("start", start[r]), ("inside", 1 - start[r])) if v >= floor}
        got_s = {str(c): float(x) for c, x, s in zip(s_lab, s_w, s_src) if s == n_rows + r}
        assert got_s == pytest.approx(want_s, rel=1e-5)
    with pytest.raises(PresscutError, match="not in the labelled pages"):
        SequenceSegmenter()._taught(fitted, extra, 2, y[:2], y_start[:2], None)


def test_transfer_pages_inform_neither_the_lexicon_nor_the_transitions(fitted, pages):
    import pickle

    extra = [{"doc_id": f"x{p['doc_id']}", "lines": p["lines"]} for p in pages[30:36]]
    plain = SequenceSegmenter(max_iter=3, members=1).fit(pages[:20])
    taught = SequenceSegmenter(max_iter=3, members=1).fit(pages[:20], transfer=extra,
                                                          teacher=fitted)
    assert pickle.dumps(taught.lexicon_) == pickle.dumps(plain.lexicon_)
    np.testing.assert_array_equal(taught.log_t_, plain.log_t_)
    np.testing.assert_array_equal(taught.log_prior_, plain.log_prior_)
    assert taught.trained_on_["transfer"]["pages"] == 6
    assert not np.array_equal(taught.net1_[0]["weights"][0], plain.net1_[0]["weights"][0])


def test_a_taught_student_learns_what_its_teacher_does_on_the_transfer_pages(pages):
    # a teacher that calls captions body; the student's gold keeps them captions, so only
    # the transfer pages can teach it the teacher's habit
    teacher = SequenceSegmenter(max_iter=20, members=1).fit(
        _relabelled(pages[:30], "caption", "body"))
    extra = [{"doc_id": f"t{k}", "lines": p["lines"]} for k, p in enumerate(pages[:30] * 3)]
    labelled = pages[:10]
    plain = SequenceSegmenter(max_iter=20, members=1).fit(labelled)
    taught = SequenceSegmenter(max_iter=20, members=1).fit(labelled, transfer=extra,
                                                           teacher=teacher)
    held = pages[30:]
    captions = [(k, i) for k, p in enumerate(held) for i, r in enumerate(p["roles"])
                if r == "caption"]
    assert captions

    def body_share(model):
        out = model.predict(held)
        return np.mean([out[k]["roles"][i] == "body" for k, i in captions])

    assert body_share(taught) > body_share(plain) + 0.3


def test_transfer_pages_without_a_teacher_are_refused(pages):
    with pytest.raises(PresscutError, match="teacher"):
        SequenceSegmenter(max_iter=2).fit(pages[:10], transfer=pages[10:12])


def test_untitled_rows_are_the_rows_above_each_articles_first_body_line_by_hand():
    from presscut.baselines.segment_seq import _untitled_rows

    lines = ["Menu", "", "Headline", "By A. Writer", "Body one.", "Body two.", "Footer",
             "Second headline", "", "Second body."]
    roles = ["boilerplate", "blank", "boilerplate", "boilerplate", "body", "body",
             "boilerplate", "boilerplate", "blank", "body"]
    page = {"lines": lines, "roles": roles, "articles": [[4, 6], [9, 10]]}
    # non-blank rows: Menu 0, Headline 1, By 2, Body 3, Body 4, Footer 5, Second 6, body 7
    untitled = {**page, "labelled_roles": ["body", "boilerplate"]}
    assert _untitled_rows([untitled], 2).tolist() == [False, True, True, False, False,
                                                      True, True, False]
    assert _untitled_rows([untitled], 5).tolist() == [True, True, True, False, False,
                                                      True, True, False]
    # a page that labels titles, and a page with every role labelled, mask nothing
    titled = {**page, "labelled_roles": ["title", "body", "boilerplate"]}
    assert not _untitled_rows([titled, page], 3).any()


def test_untitled_mask_gives_the_masked_rows_no_weight_in_the_role_nets(pages, monkeypatch):
    from presscut.baselines import segment_seq
    from presscut.baselines.segment_seq import _untitled_rows

    seen = []
    real_fit = segment_seq._fit_mlp

    def spy(X, y, hidden, max_iter, seed, weight=None):
        seen.append((len(X), None if weight is None else np.asarray(weight).copy()))
        return real_fit(X, y, hidden, max_iter, seed, weight)

    monkeypatch.setattr(segment_seq, "_fit_mlp", spy)
    fit = [{**p, "labelled_roles": ["body", "boilerplate"]} for p in pages[:8]] + pages[8:12]
    SequenceSegmenter(untitled_mask=2, max_iter=3, members=1, stacked=False).fit(fit)
    want = (~_untitled_rows(fit, 2)).astype(float)
    arts = sum(len(p["articles"]) for p in fit[:8])
    assert 0 < (want == 0).sum() <= 2 * arts  # at most two rows above each article
    n, weight = seen[0]  # the role net; the start head is not masked
    assert n == len(want) and np.array_equal(weight, want)
    seen.clear()
    SequenceSegmenter(max_iter=3, members=1, stacked=False).fit(fit)
    assert seen[0][1] is None  # off by default: the committed recipe unchanged


def test_labelled_roles_of_a_training_page_are_checked():
    from presscut.baselines.segment_common import as_page

    page = {"doc_id": "p", "lines": ["a"], "roles": ["body"], "articles": [[0, 1]]}
    # Parquet rows hold ClassLabel ids: an id and a name of the same set are accepted
    got = as_page({**page, "labelled_roles": [ROLES.index("body"), "boilerplate"]})
    assert got["labelled_roles"] == ["body", "boilerplate"]
    with pytest.raises(PresscutError, match="'p'.*labelled_roles.*unknown role 'headline'"):
        as_page({**page, "labelled_roles": ["headline"]})
    with pytest.raises(PresscutError, match="labelled_roles' must be a list"):
        as_page({**page, "labelled_roles": "body"})
