"""Write the ``synthetic`` config: generated pages streamed to ``<out>/<split>.parquet``.

Pages are generated one at a time and written in record batches; memory holds the pools
and one batch, whatever the corpus size. The same seed and pools give byte-identical files.
"""

from __future__ import annotations

import contextlib
from pathlib import Path

from presscut.builder.parquet_stream import write_rows
from presscut.builder.pools import (
    GOLD_PREFIX,
    Pools,
    deal_keys,
    default_pools,
    origin_of,
    split_articles,
)
from presscut.builder.synth import SyntheticGenerator, synthetic_row
from presscut.errors import PresscutError
from presscut.schema import SPLITS, SYNTHETIC_FEATURES

# Stories are dealt to splits in these proportions whatever the page counts, so growing a
# split never moves an article from one split to another.
ARTICLE_FRACTIONS = {"train": 0.6, "validation": 0.2, "test": 0.2}

# What `presscut build` commits: enough pages to train a line classifier (~110k labelled
# lines in train, as the 5,000 shorter pages of the invented pool gave), small enough that
# splits/synthetic stays near 8 MB (zstd Parquet; real articles are cut at
# pools.MAX_REAL_CHARS, but still about four times the invented ones).
DEFAULT_SIZES = {"train": 2000, "validation": 1000, "test": 1000}


def doc_id(seed: int, n: int) -> str:
    return f"syn-{seed}-{n}"


def _boilerplate_of(pools: Pools, deal: dict[str, str], split: str) -> dict:
    """The blocks a ``split`` page may use: those of pages whose story is dealt to it, and
    those of origins that are dealt nowhere (gold lines, the built-in blocks)."""
    def ok(block) -> bool:
        story = pools.story_of.get(origin_of(block))
        return story is None or deal.get(story) == split

    return {kind: [b for b in blocks if ok(b)] for kind, blocks in pools.boilerplate.items()}


def write_synthetic(
    out_dir: Path,
    sizes: dict[str, int],
    seed: int = 0,
    pools: Pools | None = None,
    batch_size: int = 1000,
    progress: bool = False,
) -> dict:
    """Generate ``sizes[split]`` pages per split into ``out_dir/<split>.parquet``.

    Test pages are composed only from articles of stories dealt to test (by hash), so no
    test article, near-copy or wire quote appears in a train or validation page. A real
    page's boilerplate goes with its story: a synthetic page holds text of real pages dealt
    to its own split only (gold boilerplate lines and the built-in blocks serve every
    split, as before). Doc ids
    run ``syn-<seed>-0`` upwards across train, validation, test. Returns a small report.
    """
    unknown = sorted(set(sizes) - set(SPLITS))
    if unknown:
        raise PresscutError(f"unknown split(s) {unknown}; splits are {list(SPLITS)}")
    if any(n < 0 for n in sizes.values()):
        raise PresscutError(f"page counts must be >= 0, got {sizes}")
    pools = pools if pools is not None else default_pools()
    fractions = {s: ARTICLE_FRACTIONS[s] if sizes.get(s, 0) > 0 else 0.0 for s in SPLITS}
    # gold train/validation articles only ever feed synthetic train/validation: a model
    # trained on gold train must not meet that text again in a synthetic test page
    gold = [a for a in pools.articles if a.id.startswith(GOLD_PREFIX)]
    others = [a for a in pools.articles if not a.id.startswith(GOLD_PREFIX)]
    by_split = split_articles(others, fractions, extra_keys=pools.story_of.values())
    deal = deal_keys([a.story_key for a in others] + list(pools.story_of.values()), fractions)
    for split, arts in split_articles(gold, {**fractions, "test": 0.0}).items():
        by_split[split] += arts
    out_dir = Path(out_dir)
    report: dict = {"seed": seed, "splits": {}, "pool_sources": list(pools.sources)}

    bar = None
    if progress:
        from rich.progress import Progress

        bar = Progress(transient=True)
    offset = 0
    with bar or contextlib.nullcontext():
        for split in SPLITS:
            n = sizes.get(split, 0)
            if n == 0:
                continue
            articles = by_split[split]
            if not articles:
                raise PresscutError(
                    f"cannot generate {split} pages: the pool has too few stories "
                    f"({len({a.story_key for a in pools.articles})}) to give every split its own"
                )
            gen = SyntheticGenerator(articles, _boilerplate_of(pools, deal, split), seed=seed,
                                     licences=pools.licences)
            start = offset
            # the index within the split places pages next to the ones they share stories with
            rows = (synthetic_row(gen.page(doc_id(seed, start + i), i)) for i in range(n))
            task = bar.add_task(f"synthetic {split}", total=n) if bar else None
            written = write_rows(
                out_dir / f"{split}.parquet",
                SYNTHETIC_FEATURES,
                rows,
                batch_size=batch_size,
                on_batch=(lambda k, t=task: bar.advance(t, k)) if bar else None,
            )
            offset += n
            report["splits"][split] = {
                "pages": written,
                "articles": len(articles),
                "stories": len({a.story_key for a in articles}),
                "file": str(out_dir / f"{split}.parquet"),
            }
    return report
