"""Extraction throughput: akhbar against bare trafilatura (defaults) on the same pages.

    python bench/extract.py CORPUS_DIR [--repeat 20]

Runs in one process on one core, both extractors over the same pages (pages/*.html of the
corpus layout, or every *.html in the folder), alternating rounds so machine noise hits both,
and prints pages/s per core, the ratio, and each page's milliseconds.
"""

from __future__ import annotations

import argparse
import statistics
import time
from pathlib import Path

import trafilatura
from akhbar.extract import extract_article
from akhbar.flows.evaluate import load_corpus


def pages_of(directory: Path) -> list[tuple[str, bytes, str]]:
    if (directory / "annot").is_dir():
        return [(p.id, p.html, p.gold["url"]) for p in load_corpus(directory)]
    return [(p.stem, p.read_bytes(), p.resolve().as_uri())
            for p in sorted(directory.glob("*.html"))]


def run_akhbar(html: bytes, url: str) -> None:
    extract_article(html, url)


def run_trafilatura(html: bytes, url: str) -> None:
    trafilatura.bare_extraction(html, url=url, include_comments=False, with_metadata=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("corpus", type=Path)
    parser.add_argument("--repeat", type=int, default=20)
    args = parser.parse_args()
    pages = pages_of(args.corpus)
    runners = {"akhbar": run_akhbar, "trafilatura": run_trafilatura}
    timings = {name: {page_id: [] for page_id, _, _ in pages} for name in runners}
    for runner in runners.values():  # warm-up: imports, caches
        for _, html, url in pages:
            runner(html, url)
    for _ in range(args.repeat):
        for name, runner in runners.items():
            for page_id, html, url in pages:
                started = time.perf_counter()
                runner(html, url)
                timings[name][page_id].append(time.perf_counter() - started)
    rates = {}
    print(f"{len(pages)} pages × {args.repeat} rounds, one process\n")
    print(f"{'page':34} {'akhbar ms':>10} {'trafilatura ms':>15} {'speed-up':>9}")
    for page_id, _, _ in pages:
        mine = statistics.median(timings["akhbar"][page_id]) * 1000
        theirs = statistics.median(timings["trafilatura"][page_id]) * 1000
        print(f"{page_id:34} {mine:10.1f} {theirs:15.1f} {theirs / mine:8.2f}x")
    for name in runners:
        total = sum(sum(t) for t in timings[name].values())
        rates[name] = len(pages) * args.repeat / total
    ratio = rates["akhbar"] / rates["trafilatura"]
    print(f"\nakhbar: {rates['akhbar']:.1f} pages/s per core; trafilatura: "
          f"{rates['trafilatura']:.1f} pages/s per core; ratio {ratio:.2f}x")


if __name__ == "__main__":
    main()
