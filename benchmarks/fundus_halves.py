"""Split imported fundus rows into two halves by publisher, for a fit-and-check experiment.

Writes ``OUT/fundus_train.jsonl`` (labelled pages for ``seg_validation.py --extra``) and
``OUT/fundus_val.parquet`` (for ``--split``). A publisher's pages stay in one half (its site
furniture would otherwise be learned on one page and scored on another); the half is fixed
by a hash of ``country/Publisher``, so the halves are the same on every machine.

    presscut import fundus FUNDUS_CHECKOUT -o fundus.parquet
    python benchmarks/fundus_halves.py fundus.parquet OUT
    python benchmarks/seg_validation.py --fit '{}' --synthetic 1000 --extra OUT/fundus_train.jsonl \\
        --split splits/real/validation.parquet,OUT/fundus_val.parquet --save F
"""

from __future__ import annotations

import argparse
import hashlib
import json
from pathlib import Path


def publisher(doc_id: str) -> str:
    """``fundus/de/Golem_2024_04_28`` → ``de/Golem``."""
    _, country, page = doc_id.split("/")
    return f"{country}/{page.rsplit('_', 3)[0]}"


def in_train_half(doc_id: str) -> bool:
    digest = hashlib.sha256(f"fundus-half:{publisher(doc_id)}".encode()).digest()
    return digest[-1] % 2 == 0


def main() -> None:
    import pyarrow as pa
    import pyarrow.parquet as pq

    from presscut.tasks._pages import labelled_pages

    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("rows", type=Path, help="`presscut import fundus` output (Parquet)")
    ap.add_argument("out", type=Path, help="folder for fundus_train.jsonl and fundus_val.parquet")
    args = ap.parse_args()
    table = pq.read_table(args.rows)
    train = pa.array([in_train_half(d) for d in table.column("doc_id").to_pylist()])
    args.out.mkdir(parents=True, exist_ok=True)
    pq.write_table(table.filter(train), args.out / "fundus_train.parquet")
    pq.write_table(table.filter(pa.compute.invert(train)), args.out / "fundus_val.parquet")
    pages = labelled_pages([args.out / "fundus_train.parquet"])
    with open(args.out / "fundus_train.jsonl", "w", encoding="utf-8") as f:
        for p in pages:
            f.write(json.dumps({k: p[k] for k in ("doc_id", "lines", "roles", "articles")},
                               ensure_ascii=False) + "\n")
    print(f"{len(pages)} train-half pages, {len(table) - len(pages)} check-half pages → {args.out}")


if __name__ == "__main__":
    main()
