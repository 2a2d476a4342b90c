"""FNC-1 importer: strict CSV, every row kept, the official hold-out split and score parity.

The FNC-1 files are not redistributable, so CI checks parity on committed statistics
of the official files (``fixtures/fnc1/official_stats.json``: Body IDs and label counts,
no text) against figures the fnc-1-baseline README documents, and the importer on small
hand-written CSVs.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pyarrow.parquet as pq
import pytest

from presscut.builder import fnc1
from presscut.errors import PresscutError
from presscut.harness import metrics
from presscut.schema import STANCES

FIX = Path(__file__).parent / "fixtures"
SMALL = FIX / "importers" / "fnc1"
STATS = json.loads((FIX / "fnc1" / "official_stats.json").read_text())


def _expand(matrix: dict[str, list[int]]) -> tuple[list[str], list[str]]:
    gold, pred = [], []
    for g, row in matrix.items():
        for p, n in zip(STANCES, row):
            gold += [g] * n
            pred += [p] * n
    return gold, pred


def _points(gold, pred):
    pts = [metrics.fnc_points(g, p) for g, p in zip(gold, pred)]
    return sum(e for e, _ in pts), sum(m for _, m in pts)


# ------------------------------------------------------------------ scorer parity
@pytest.mark.parametrize(
    ("gold", "pred", "earned", "possible"),
    [
        # scorer.py: +0.25 correct unrelated; +0.25 related-as-related; +0.75 exact related
        ("unrelated", "unrelated", 0.25, 0.25),
        ("unrelated", "agree", 0.0, 0.25),
        ("agree", "agree", 1.0, 1.0),
        ("agree", "discuss", 0.25, 1.0),
        ("disagree", "unrelated", 0.0, 1.0),
        ("discuss", "disagree", 0.25, 1.0),
    ],
)
def test_fnc_points_hand_computed(gold, pred, earned, possible):
    assert metrics.fnc_points(gold, pred) == (earned, possible)


def test_official_baseline_published_matrices_give_the_published_scores():
    # fnc-1-baseline README, hold-out split: "Score: 3538.0 out of 4448.5 (79.53%)"
    hold = {"agree": [118, 3, 556, 85], "disagree": [14, 3, 130, 15],
            "discuss": [58, 5, 1527, 210], "unrelated": [5, 1, 98, 6794]}
    assert _points(*_expand(hold)) == (3538.0, 4448.5)
    # competition test: "Score: 8761.75 out of 11651.25 (75.20%)". The README's agree row
    # prints 28 agree→unrelated, yet sums to 1,646 agree rows where the file holds 1,903;
    # 285 there gives the published score and maximum (a dropped digit).
    comp = {"agree": [173, 10, 1435, 285], "disagree": [39, 7, 413, 238],
            "discuss": [221, 7, 3556, 680], "unrelated": [10, 3, 358, 17978]}
    gold, pred = _expand(comp)
    assert len(gold) == 25413
    assert _points(gold, pred) == (8761.75, 11651.25)
    assert round(100 * metrics.fnc_score(gold, pred), 2) == 75.20
    # ... and those row sums are the label counts of the official competition test file
    assert [sum(comp[s]) for s in STANCES] == STATS["competition_test_label_counts"]


def test_competition_test_maximum_over_every_row():
    counts = dict(zip(STATS["stances"], STATS["competition_test_label_counts"]))
    gold = [s for s in STANCES for _ in range(counts[s])]
    assert len(gold) == 25413  # repeats included: 242 rows repeat an earlier one
    assert fnc1.max_score(gold) == _points(gold, gold)[1] == 11651.25
    assert STATS["repeated_rows"] == {"train": 402, "competition_test": 242}


def test_hold_out_split_is_the_official_one():
    """Bodies held out by our split carry exactly the hold-out rows of the baseline README."""
    ids = STATS["train_body_ids"]
    counts = dict(zip(ids, STATS["train_label_counts_by_body"]))
    train, hold = fnc1.hold_out_split(ids)
    assert len(train) == int(0.8 * len(ids)) and not set(train) & set(hold)
    assert set(train) | set(hold) == set(ids)
    held = [sum(counts[b][k] for b in hold) for k in range(4)]
    # README matrix row sums: agree 762, disagree 162, discuss 1800, unrelated 6898
    assert held == [762, 162, 1800, 6898]
    assert sum(held) == 9622


def test_official_folds_cover_training_bodies_in_order():
    folds = fnc1.official_folds(list(range(23)), 10)
    assert [x for f in folds for x in f] == list(range(23))
    # slice ends int(k * 23 / 10): 0 2 4 6 9 11 13 16 18 20 23
    assert [len(f) for f in folds] == [2, 2, 2, 3, 2, 2, 3, 2, 2, 3]


# ------------------------------------------------------------------ importer
@pytest.fixture()
def built(tmp_path):
    rep = fnc1.import_fnc1(SMALL, tmp_path / "fnc1")
    return rep, tmp_path / "fnc1"


def test_every_row_kept_repeats_reported(built):
    rep, out = built
    # fixture: 2 train bodies -> 1 training, 1 held out; test has 7 rows, one repeated
    test = pq.read_table(out / "splits" / "stance" / "test.parquet").to_pylist()
    assert [r["fnc1_row"] for r in test] == list(range(7))
    assert len({r["pair_id"] for r in test}) == 7
    assert [r["repeat_of_row"] for r in test] == [-1, -1, -1, -1, -1, 3, -1]
    assert test[5]["note"] == "repeats row 3 of competition_test_stances.csv"
    assert rep["splits"]["test"]["repeated_rows"] == 1
    assert rep["splits"]["test"]["max_score"] == 4 * 1.0 + 2 * 0.25 + 1.0
    train = pq.read_table(out / "splits" / "stance" / "train.parquet").to_pylist()
    val = pq.read_table(out / "splits" / "stance" / "validation.parquet").to_pylist()
    assert len(train) + len(val) == 5  # the train file's repeated row is kept too
    assert {r["fnc1_body_id"] for r in train}.isdisjoint({r["fnc1_body_id"] for r in val})
    for r in test:
        assert r["source"] == fnc1.SOURCE and r["license"] == fnc1.LICENSE
        assert r["provenance"] == 3  # imported


def test_bodies_and_headlines_are_read_exactly(built):
    _, out = built
    test = pq.read_table(out / "splits" / "stance" / "test.parquet").to_pylist()
    assert test[0]["body"] == (
        "Residents said the river rose two metres overnight and flooded the old town.\n\n"
        "Officials confirmed the flood and opened shelters."
    )
    assert test[3]["headline"] == "Stadium under water, fans say"
    assert [STANCES[r["stance"]] for r in test] == [
        "agree", "discuss", "unrelated", "disagree", "unrelated", "disagree", "agree"]
    assert test[0]["headline_article_id"] == test[1]["headline_article_id"]
    assert test[0]["body_article_id"] == "fnc1-competition_test-body-3/0"


def test_story_clusters_join_bodies_through_related_headlines(built):
    _, out = built
    arts = pq.read_table(out / "splits" / "articles" / "test.parquet").to_pylist()
    story = {a["fnc1_body_id"]: a["story_cluster"] for a in arts}
    # 3 and 5 are both related to "River floods old town"; 9 is only related to its own
    assert story[3] == story[5] != story[9]
    assert {a["related_headlines"] for a in arts if a["fnc1_body_id"] == 5} == {3}


def test_story_rule_by_hand():
    P = fnc1.Pair
    pairs = [P(0, 2, "A", 1, "agree", -1), P(1, 3, "A", 2, "discuss", -1),
             P(2, 4, "B", 2, "disagree", -1), P(3, 5, "B", 3, "agree", -1),
             P(4, 6, "A", 4, "unrelated", -1), P(5, 7, "C", 5, "agree", -1)]
    s = fnc1.story_clusters(pairs, [1, 2, 3, 4, 5])
    assert s[1] == s[2] == s[3] and len({s[1], s[4], s[5]}) == 3
    rep = fnc1.bridge_report(pairs, [1, 2, 3, 4, 5])
    # B's two edges tie {1,2} to {3}; only a cut leaving two bodies on both sides counts
    assert rep["critical_bridges"] == 0 and rep["stories"] == 3 and rep["largest_story"] == 3


def test_config_loads_with_datasets(built):
    datasets = pytest.importorskip("datasets")
    _, out = built
    ds = datasets.load_dataset(str(out), "stance")
    assert set(ds) == {"train", "validation", "test"} and ds["test"].num_rows == 7
    assert ds["test"].features["stance"].names == list(STANCES)
    arts = datasets.load_dataset(str(out), "articles")
    assert arts["test"].num_rows == 3


def test_rebuild_is_byte_identical(tmp_path):
    fnc1.import_fnc1(SMALL, tmp_path / "a")
    fnc1.import_fnc1(SMALL, tmp_path / "b")
    for f in sorted((tmp_path / "a").rglob("*.parquet")):
        assert f.read_bytes() == (tmp_path / "b" / f.relative_to(tmp_path / "a")).read_bytes()


# ------------------------------------------------------------------ bad input
def _copy(tmp_path) -> Path:
    folder = tmp_path / "in"
    shutil.copytree(SMALL, folder)
    return folder


def test_body_cut_inside_a_quoted_field_is_refused(tmp_path):
    folder = _copy(tmp_path)
    path = folder / "competition_test_bodies.csv"
    data = path.read_text(encoding="utf-8")
    cut = data.index("calling the photo")  # inside body 5's quoted field
    path.write_text(data[:cut] + "\n", encoding="utf-8")
    with pytest.raises(PresscutError) as err:
        fnc1.import_fnc1(folder, tmp_path / "out")
    msg = err.value.render()
    assert "competition_test_bodies.csv: record starting at line 5" in msg
    assert "cut" in msg
    assert not (tmp_path / "out").exists()


def test_file_cut_without_final_line_break_is_refused(tmp_path):
    folder = _copy(tmp_path)
    path = folder / "competition_test_stances.csv"
    path.write_bytes(path.read_bytes().rstrip(b"\n")[:-3])
    with pytest.raises(PresscutError, match=r"competition_test_stances\.csv: no line break after"):
        fnc1.import_fnc1(folder, tmp_path / "out")


@pytest.mark.parametrize(
    ("stances", "message"),
    [
        ("Headline,Body ID,Stance\nA,0,agree\nB,7,maybe\n", r"line 3: stance 'maybe'"),
        ("Headline,Body ID,Stance\nA,0,agree\nB,99,agree\n", r"line 3: Body ID '99' is not in"),
        ("Headline,Body,Stance\nA,0,agree\n", r"line 1: header is \['Headline', 'Body'"),
        ("Headline,Body ID,Stance\nA,0\n", r"line 2: 2 field\(s\), expected 3"),
        ('Headline,Body ID,Stance\n"A"x,0,agree\n', r"record starting at line 2: unreadable"),
        ("Headline,Body ID,Stance\n", r"no stance rows"),
    ],
)
def test_malformed_stances_are_named(tmp_path, stances, message):
    folder = _copy(tmp_path)
    (folder / "train_stances.csv").write_text(stances, encoding="utf-8")
    with pytest.raises(PresscutError, match=r"train_stances\.csv: .*" + message):
        fnc1.import_fnc1(folder, tmp_path / "out")
    assert not (tmp_path / "out").exists()


def test_a_failed_rebuild_keeps_the_previous_config(tmp_path):
    fnc1.import_fnc1(SMALL, tmp_path / "out")
    before = (tmp_path / "out" / "splits" / "stance" / "test.parquet").read_bytes()
    folder = _copy(tmp_path)
    (folder / "train_stances.csv").write_text("Headline,Body ID,Stance\nA,0,maybe\n")
    with pytest.raises(PresscutError):
        fnc1.import_fnc1(folder, tmp_path / "out")
    assert (tmp_path / "out" / "splits" / "stance" / "test.parquet").read_bytes() == before
