"""Which HTML→text converter gives page text most like the seed pages?

    python benchmarks/bench_converters.py --aeb AEB_DIR --merged MERGED_DIR [--per-source 20]

For the first ``--per-source`` pages (sorted ids) of each source, each converter's output
is described by five line statistics, and compared with the same statistics of the seed
pages (``corpus/raw``): share of blank lines, share of non-blank lines that are indented,
that start with a list bullet, that hold over 150 words (blocks run together), and the
median words per non-blank line (compared on a log scale). The distance is the sum of
absolute differences; lower is closer to how the seeds look.
"""

from __future__ import annotations

import argparse
import gzip
import math
import statistics
from pathlib import Path

from presscut.builder.real import convert

BULLETS = ("•", "* ", "+ ", "- ", "◦")


def stats(texts: list[str]) -> dict[str, float]:
    lines = [line for t in texts for line in t.split("\n")]
    nonblank = [line for line in lines if line.strip()]
    words = [len(line.split()) for line in nonblank]
    return {
        "blank": sum(1 for line in lines if not line.strip()) / len(lines),
        "indented": sum(1 for line in nonblank if line[0].isspace()) / len(nonblank),
        "bullet": sum(1 for line in nonblank if line.lstrip().startswith(BULLETS)) / len(nonblank),
        "run_together": sum(1 for w in words if w > 150) / len(nonblank),
        "median_words": statistics.median(words),
    }


def distance(a: dict[str, float], b: dict[str, float]) -> float:
    d = sum(abs(a[k] - b[k]) for k in ("blank", "indented", "bullet", "run_together"))
    return d + abs(math.log(a["median_words"] / b["median_words"]))


def converters():
    import inscriptis
    from resiliparse.extract.html2text import extract_plain_text
    from trafilatura import html2txt

    return {
        "resiliparse (as configured)": convert.html_to_text,
        "resiliparse (defaults, main_content off)": lambda h: extract_plain_text(
            h, main_content=False
        ),
        "inscriptis": inscriptis.get_text,
        "inscriptis + normalise": lambda h: convert.normalise(inscriptis.get_text(h)),
        "trafilatura html2txt": html2txt,
        "trafilatura html2txt + normalise": lambda h: convert.normalise(html2txt(h) or ""),
    }


def sample(aeb: Path, merged: Path, n: int) -> list[bytes]:
    pages = [gzip.decompress(p.read_bytes()) for p in sorted((aeb / "html").glob("*.html.gz"))[:n]]
    for src in ("cleaneval-final", "dragnet_data", "CleanPortalEval-master", "readability"):
        pages += [p.read_bytes() for p in sorted((merged / src / "input").glob("*.html"))[:n]]
    return pages


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--aeb", type=Path, required=True)
    ap.add_argument("--merged", type=Path, required=True)
    ap.add_argument("--seeds", type=Path, default=Path("corpus/raw"))
    ap.add_argument("--per-source", type=int, default=20)
    args = ap.parse_args()
    seeds = stats([p.read_text(encoding="utf-8") for p in sorted(args.seeds.glob("*.txt"))])
    htmls = [convert.decode(b) for b in sample(args.aeb, args.merged, args.per_source)]
    cols = list(seeds)
    print(f"{len(htmls)} pages; seeds: " + ", ".join(f"{k}={v:.3f}" for k, v in seeds.items()))
    print("| converter | " + " | ".join(cols) + " | distance to seeds |")
    print("|---|" + "---:|" * (len(cols) + 1))
    for name, fn in converters().items():
        s = stats([fn(h) or "" for h in htmls])
        vals = " | ".join(f"{s[k]:.3f}" for k in cols)
        print(f"| {name} | {vals} | {distance(s, seeds):.3f} |")


if __name__ == "__main__":
    main()
