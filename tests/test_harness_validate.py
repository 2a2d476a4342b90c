"""A malformed predictions file is refused before scoring, naming the record and the fault."""

from __future__ import annotations

import json
import random
from pathlib import Path

import pytest
from tinydata import segmentation_row, stance_row, write_rows

from presscut.errors import PredictionError
from presscut.harness import validate
from presscut.harness.evaluate import evaluate, score_predictions

LINES_A = ["Title A", "", "Body a one.", "Body a two."]
LINES_B = ["Title B", "Body b."]


# every check runs twice: records waiting in memory, and spilled to the on-disk table
@pytest.fixture(params=["memory", "disk"])
def root(tmp_path: Path, request, monkeypatch) -> Path:
    if request.param == "disk":
        monkeypatch.setattr(validate, "SPILL_AT", 0)
    write_rows(tmp_path, "segmentation", "test", [
        segmentation_row("a", LINES_A, ["title", "blank", "body", "body"], [(0, 4)], [(2, 3)]),
        segmentation_row("b", LINES_B, ["title", "body"], [(0, 2)]),
    ])
    write_rows(tmp_path, "stance", "test", [stance_row("a/0", "b/0", "agree")])
    return tmp_path


def seg(doc_id="a", roles=None, articles=None):
    n = len(LINES_A if doc_id == "a" else LINES_B)
    return {"doc_id": doc_id, "roles": roles if roles is not None else ["body"] * n,
            "articles": articles if articles is not None else [[0, n]]}


def refused(root: Path, task: str, records: list, raw: str | None = None) -> PredictionError:
    path = root / "preds.jsonl"
    path.write_text(raw if raw is not None else "".join(json.dumps(r) + "\n" for r in records),
                    encoding="utf-8")
    with pytest.raises(PredictionError) as info:
        evaluate(task, path, root=root, n_resamples=10)
    err = info.value
    assert err.exit_code == 2
    assert str(path) in err.message and "nothing was scored" in err.message
    return err


def text(err: PredictionError) -> str:
    return err.render(limit=100)


def test_valid_file_is_scored(root):
    path = root / "ok.jsonl"
    path.write_text(json.dumps(seg("a")) + "\n\n" + json.dumps(seg("b")) + "\n", encoding="utf-8")
    assert evaluate("segmentation", path, root=root, n_resamples=10)["n_items"] == 2


def test_not_json(root):
    err = refused(root, "segmentation", [], raw=json.dumps(seg("a")) + "\n{oops\n" + json.dumps(seg("b")))
    assert "line 2: not valid JSON" in text(err)


def test_not_an_object(root):
    err = refused(root, "segmentation", [seg("a"), ["b"]])
    assert "line 2: expected a JSON object, got list" in text(err)


def test_nan_and_infinity_are_refused(root):
    raw = json.dumps(seg("a")) + '\n{"doc_id": "b", "roles": ["body", "body"], "articles": [[0, Infinity]]}\n'
    err = refused(root, "segmentation", [], raw=raw)
    assert "line 2: not valid JSON (Infinity is not a number JSON allows)" in text(err)


def test_missing_and_unknown_and_duplicate_ids(root):
    err = refused(root, "segmentation", [seg("a"), seg("a"), {**seg("b"), "doc_id": "zzz"}])
    t = text(err)
    assert "line 2: duplicate doc_id 'a' (first on line 1)" in t
    assert "line 3: unknown doc_id 'zzz'" in t
    assert "1 page(s) of the gold test split have no prediction: 'b'" in t


def test_missing_id_field(root):
    err = refused(root, "segmentation", [seg("a"), {"roles": ["body"], "articles": []}])
    assert 'line 2: missing field "doc_id"' in text(err)


def test_wrong_number_of_line_labels(root):
    err = refused(root, "segmentation", [seg("a", roles=["body"] * 3), seg("b")])
    assert "line 1 (doc_id 'a'): 3 roles for a page of 4 lines" in text(err)


def test_unknown_role_and_wrong_type(root):
    err = refused(root, "segmentation", [seg("a", roles=["body", "body", "headline", "body"]),
                                         seg("b", roles=["body", 7])])
    t = text(err)
    assert "line 1 (doc_id 'a'): roles[2] = 'headline' is not a role" in t
    assert "line 2 (doc_id 'b'): roles[1] must be a role name, got int" in t


def test_spans_out_of_range_overlapping_or_malformed(root):
    cases = {
        "[[0, 5]]": "article span [0, 5] ends past the page's 4 lines",
        "[[2, 2]]": "articles[0] = [2, 2] is not a span 0 <= start < end",
        "[[-1, 2]]": "articles[0] = [-1, 2] is not a span",
        "[[0, 3], [2, 4]]": "articles [0, 3] and [2, 4] overlap",
        "[[0, 1.5]]": "must hold two integers",
        "[[0, true]]": "must hold two integers",
        "[[0]]": "articles[0] must be [start_line, end_line]",
        '"0-4"': '"articles" must be a list, got str',
    }
    for spans, message in cases.items():
        raw = (f'{{"doc_id": "a", "roles": ["body", "body", "body", "body"], "articles": {spans}}}\n'
               + json.dumps(seg("b")) + "\n")
        assert message in text(refused(root, "segmentation", [], raw=raw)), spans


def test_line_dedup_groups(root):
    ok_b = {"doc_id": "b", "groups": []}
    cases = {
        "[[2]]": "groups[0] has 1 line(s); a group needs at least 2",
        "[[2, 2]]": "groups[0] lists line 2 twice",
        "[[0, 2], [2, 3]]": "line 2 is in groups[0] and groups[1]",
        "[[0, 9]]": "line 9 in a group is past the page's 4 lines",
        '[[0, "1"]]': "groups[0] holds '1', not a line number",
        "[3]": "groups[0] must be a list of line numbers",
    }
    for groups, message in cases.items():
        raw = f'{{"doc_id": "a", "groups": {groups}}}\n' + json.dumps(ok_b) + "\n"
        assert message in text(refused(root, "line_dedup", [], raw=raw)), groups


def test_stance_label(root):
    err = refused(root, "stance", [{"pair_id": "a/0|b/0", "stance": "Agree"}])
    assert "stance 'Agree' is not one of agree, disagree, discuss, unrelated" in text(err)


def test_a_bad_record_is_not_also_reported_missing(root):
    err = refused(root, "segmentation", [seg("a", roles=["oops"] * 4), seg("b")])
    assert "have no prediction" not in text(err)
    assert len(err.problems) == 1


def test_many_problems_are_counted_and_the_first_shown(root):
    records = [seg("a"), seg("b")] + [{"doc_id": f"x{i}", "roles": [], "articles": []}
                                      for i in range(50)]
    err = refused(root, "segmentation", records)
    assert "50 problem(s)" in err.message
    rendered = err.render()
    assert "line 3: unknown doc_id 'x0'" in rendered and "more (50 in all)" in rendered


def test_in_memory_records_are_checked_too(root):
    with pytest.raises(PredictionError, match="in-memory"):
        score_predictions("segmentation", [seg("a")], root=root)


def test_missing_file(root):
    with pytest.raises(PredictionError, match="no such predictions file"):
        evaluate("segmentation", root / "absent.jsonl", root=root)


def test_not_utf8(root):
    path = root / "latin1.jsonl"
    path.write_bytes('{"doc_id": "caf\u00e9"}\n'.encode("latin-1"))
    with pytest.raises(PredictionError) as info:
        evaluate("segmentation", path, root=root)
    # the line, the byte of the file and the column, as an editor shows them
    assert "line 1: not UTF-8 (byte 15 of the file, column 16" in info.value.render()


def test_spilled_records_score_the_same(tmp_path, monkeypatch):
    """Many pages, predictions in shuffled order and some records spilled mid-file:
    the same result, to the byte, as with every record in memory."""
    rng = random.Random(3)
    roles = ["title", "dek", "byline", "body", "caption", "boilerplate"]
    rows, preds = [], []
    for i in range(60):
        n = rng.randint(3, 12)
        lines = [f"line {i} {j}" for j in range(n)]
        gold = [rng.choice(roles) for _ in range(n)]
        cut = rng.randint(1, n - 1)
        rows.append(segmentation_row(f"p{i:02d}", lines, gold, [(0, cut), (cut, n)]))
        preds.append({"doc_id": f"p{i:02d}", "roles": [rng.choice(roles) for _ in range(n)],
                      "articles": [[0, rng.randint(1, n)]]})
    write_rows(tmp_path, "segmentation", "test", rows)
    rng.shuffle(preds)
    path = tmp_path / "preds.jsonl"
    path.write_text("".join(json.dumps(p) + "\n" for p in preds), encoding="utf-8")
    results = []
    for spill_at in (10**9, 25, 0):
        monkeypatch.setattr(validate, "SPILL_AT", spill_at)
        results.append(json.dumps(evaluate("segmentation", path, root=tmp_path, n_resamples=50),
                                  sort_keys=True))
    assert results[0] == results[1] == results[2]
    assert json.loads(results[0])["n_items"] == 60
