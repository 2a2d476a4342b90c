"""Bounded fuzzing: the annotation parser and the predictions reader raise nothing but
presscut's own errors, whatever bytes they are given (#10.13)."""

from __future__ import annotations

import json
import tempfile
from pathlib import Path

import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from presscut.annotations import PAGE_KEYS, parse_page, parse_stance, read_raw
from presscut.errors import PresscutError

ROOT = Path(__file__).resolve().parent.parent
PAGE = "002_70abb2c0b52d4adb"
LABEL = (ROOT / "corpus" / "labels" / f"{PAGE}.yaml").read_bytes()
TEXT, SHA = read_raw(ROOT / "corpus" / "raw" / f"{PAGE}.txt")
N_LINES = len(TEXT.split("\n"))
WORK = Path(tempfile.mkdtemp(prefix="presscut-fuzz-"))
FUZZ = settings(max_examples=80, deadline=None, derandomize=True,
                suppress_health_check=[HealthCheck.too_slow])

# characters that matter to YAML and to the line-spec grammar, plus some that break UTF-8
YAML_BITS = st.sampled_from([
    "[", "]", "{", "}", ":", "-", ",", "&a", "*a", "!!float", "!!timestamp", "|", ">", "#",
    "'", '"', "\n", "  ", "0", "7", "-1", "99999999999", "0-3", "3-0", "0-100000000", "null",
    "~", "true", ".inf", "2020-01-01", "body", "title", "blank", "kind", "lines", "<<",
    "\\ud800", "\x00", "\t", "é", "\u3042", "provenance: gold",
])
SCALARS = st.one_of(st.none(), st.booleans(), st.integers(-5, N_LINES + 5), st.floats(),
                    st.text(max_size=8), st.sampled_from(["0-3", "2-1", "body", "exact"]))
VALUES = st.recursive(SCALARS, lambda inner: st.one_of(
    st.lists(inner, max_size=4), st.dictionaries(st.text(max_size=6), inner, max_size=3)),
    max_leaves=12)


def _parse_label(data: bytes) -> None:
    path = WORK / f"{PAGE}.yaml"
    path.write_bytes(data)
    try:
        parse_page(path, TEXT, SHA)
    except PresscutError:
        pass


@FUZZ
@given(st.lists(st.tuples(st.integers(0, len(LABEL)), st.integers(0, 40),
                          st.lists(YAML_BITS, max_size=4).map("".join)), max_size=4))
def test_mutated_label_files(edits):
    data = LABEL.decode("utf-8")
    for at, cut, insert in edits:
        at = min(at, len(data))
        data = data[:at] + insert + data[at + cut:]
    _parse_label(data.encode("utf-8", "surrogatepass"))


@FUZZ
@given(st.dictionaries(st.sampled_from(PAGE_KEYS), VALUES, max_size=len(PAGE_KEYS)))
def test_label_files_of_any_shape(doc):
    doc = {"doc_id": PAGE, "sha256": SHA, "provenance": "gold", **doc}
    _parse_label(yaml.safe_dump(doc, allow_unicode=True).encode("utf-8", "surrogatepass"))


@FUZZ
@given(st.binary(max_size=300))
def test_label_files_of_any_bytes(data):
    _parse_label(data)


@FUZZ
@given(VALUES)
def test_stance_files_of_any_shape(doc):
    path = WORK / "_stance.yaml"
    path.write_text(yaml.safe_dump({"pairs": doc} if isinstance(doc, list) else doc),
                    encoding="utf-8", errors="surrogatepass")
    try:
        parse_stance(path, {"a/0": "s", "b/0": "s"})
    except PresscutError:
        pass


# ------------------------------------------------------------------ predictions reader
def _task(name: str):
    from presscut.tasks import get_task

    return get_task(name)


GOOD = {
    "segmentation": {"doc_id": "p0", "roles": ["title", "body", "blank"], "articles": [[0, 2]]},
    "line_dedup": {"doc_id": "p0", "groups": [[0, 1]]},
    "article_dedup": {"article_id": "p0/0", "dup_cluster": "c"},
    "story_clustering": {"article_id": "p0/0", "story_cluster": "s"},
    "stance": {"pair_id": "p0/0|p1/0", "stance": "agree"},
    "source": {"doc_id": "p0", "outlet": "X"},
}
JSON_BITS = st.sampled_from(["[", "]", "{", "}", ",", ":", '"', "\\", "\\u", "1e999", "NaN",
                             "-", "null", "true", "\n", "\xff", "\x00", "[" * 3000, "9" * 5000])


def _read(task_name: str, data: bytes) -> None:
    from presscut.harness.validate import read_predictions

    path = WORK / f"{task_name}.jsonl"
    path.write_bytes(data)
    try:
        pset = read_predictions(_task(task_name), path)
        gold = {"lines": ["a", "b", "c"], "roles": ["title", "body", "body"],
                "articles": [(0, 3)], "dup_groups": [], "label": "x"}
        pset.take({**gold, "id": "p0"})  # a page of 3 lines
        pset.take({**gold, "id": "p0/0"})
        pset.finish("the fuzz split")
    except PresscutError:
        pass


@FUZZ
@given(st.sampled_from(sorted(GOOD)), st.lists(st.tuples(
    st.integers(0, 80), st.integers(0, 10), st.lists(JSON_BITS, max_size=3).map("".join)),
    max_size=3), st.integers(1, 3))
def test_mutated_prediction_lines(task_name, edits, copies):
    line = json.dumps(GOOD[task_name])
    for at, cut, insert in edits:
        line = line[:at] + insert + line[at + cut:]
    _read(task_name, ((line + "\n") * copies).encode("utf-8", "surrogateescape"))


@FUZZ
@given(st.sampled_from(sorted(GOOD)), st.dictionaries(st.text(max_size=10), VALUES, max_size=4))
def test_prediction_records_of_any_shape(task_name, extra):
    record = {**GOOD[task_name], **extra}
    _read(task_name, (json.dumps(record) + "\n").encode())


@FUZZ
@given(st.sampled_from(sorted(GOOD)), st.binary(max_size=200))
def test_prediction_files_of_any_bytes(task_name, data):
    _read(task_name, data)


def test_deep_json_is_a_refusal_with_exit_code_2():
    from presscut.errors import PredictionError
    from presscut.harness.validate import read_predictions

    path = WORK / "deep.jsonl"
    path.write_bytes(b"[" * 100_000 + b"]" * 100_000 + b"\n" + b'{"doc_id": "\xff"}\n')
    with pytest.raises(PredictionError) as info:
        read_predictions(_task("segmentation"), path).finish("test")
    text = info.value.render()
    assert info.value.exit_code == 2
    assert "line 1: JSON nested too deeply" in text
    assert "line 2: not UTF-8 (byte 200013 of the file, column 13" in text
