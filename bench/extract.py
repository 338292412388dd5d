"""Extraction throughput and quality: akhbar against every peer on the same pages, one run.

    python bench/extract.py CORPUS_DIR [--repeat 20]

Runs in one process on one core, every extractor over the same pages (pages/*.html of the
corpus layout, or every *.html in the folder), alternating rounds so machine noise hits all,
and prints pages/s per core, the ratio to bare trafilatura (defaults), each page's
milliseconds and — where the folder has gold annotations — mean token F1 (shared/corpus
measure). Peers: trafilatura with defaults and with `fast=True`, and resiliparse's main-content
extraction when installed (`pip install -e ".[bench]"`). `--floor` adds akhbar with its
generic path (trafilatura) replaced by a plain walk of the page's blocks: not a product mode,
the speed akhbar's own rules (metadata, pruning, cleaning, checks) allow by themselves.
"""

from __future__ import annotations

import argparse
import statistics
import time
from collections.abc import Callable
from pathlib import Path

import akhbar.extract.article as article
import trafilatura
from akhbar.extract import Article, extract_article
from akhbar.extract.blocks import text_blocks
from akhbar.extract.scoring import score_page
from akhbar.flows.evaluate import load_corpus

Runner = Callable[[bytes, str], str]


def pages_of(directory: Path) -> list[tuple[str, bytes, str, dict | None]]:
    if (directory / "annot").is_dir():
        return [(p.id, p.html, p.gold["url"], p.gold) for p in load_corpus(directory)]
    return [(p.stem, p.read_bytes(), p.resolve().as_uri(), None)
            for p in sorted(directory.glob("*.html"))]


def run_akhbar(html: bytes, url: str) -> str:
    result = extract_article(html, url)
    return result.text if isinstance(result, Article) else ""


def run_akhbar_floor(html: bytes, url: str) -> str:
    """akhbar with its generic path (trafilatura, for pages that do not say where their
    article is) replaced by a plain walk of the narrowed page's blocks: not a mode of the
    product (its text is worse), the speed akhbar's own rules allow however fast the generic
    extractor were."""
    saved = article._trafilatura_lines
    article._trafilatura_lines = _blocks_of_body
    try:
        return run_akhbar(html, url)
    finally:
        article._trafilatura_lines = saved


def _blocks_of_body(tree, url: str) -> list[str]:
    body = next(tree.iter("body"), None)
    return [] if body is None else [line for block in text_blocks(body)
                                    for line in block.split("\n")]


def run_trafilatura(html: bytes, url: str) -> str:
    document = trafilatura.bare_extraction(html, url=url, include_comments=False,
                                           with_metadata=True)
    return (document.text or "") if document is not None else ""


def run_trafilatura_fast(html: bytes, url: str) -> str:
    document = trafilatura.bare_extraction(html, url=url, include_comments=False,
                                           with_metadata=True, fast=True)
    return (document.text or "") if document is not None else ""


def resiliparse_runner() -> Runner | None:
    try:
        from resiliparse.extract.html2text import extract_plain_text
        from resiliparse.parse.encoding import bytes_to_str, detect_encoding
        from resiliparse.parse.html import HTMLTree
    except ImportError:
        return None

    def run(html: bytes, url: str) -> str:
        tree = HTMLTree.parse(bytes_to_str(html, detect_encoding(html)))
        return extract_plain_text(tree, main_content=True)

    return run


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("corpus", type=Path)
    parser.add_argument("--repeat", type=int, default=20)
    parser.add_argument("--floor", action="store_true",
                        help="add akhbar with no generic path: the speed its own rules allow")
    args = parser.parse_args()
    pages = pages_of(args.corpus)
    runners: dict[str, Runner] = {"akhbar": run_akhbar, "trafilatura": run_trafilatura,
                                  "trafilatura fast": run_trafilatura_fast}
    if args.floor:
        runners["akhbar floor"] = run_akhbar_floor
    if resiliparse := resiliparse_runner():
        runners["resiliparse"] = resiliparse
    else:
        print("(resiliparse not installed: pip install -e '.[bench]' for its column)\n")
    timings = {name: {page_id: [] for page_id, *_ in pages} for name in runners}
    quality: dict[str, list[float]] = {name: [] for name in runners}
    for name, runner in runners.items():  # warm-up (imports, caches) and the F1 of each page
        for _, html, url, gold in pages:
            text = runner(html, url)
            if gold:
                quality[name].append(score_page(text, None, None, gold).f1)
    for _ in range(args.repeat):
        for name, runner in runners.items():
            for page_id, html, url, _ in pages:
                started = time.perf_counter()
                runner(html, url)
                timings[name][page_id].append(time.perf_counter() - started)
    print(f"{len(pages)} pages × {args.repeat} rounds, one process\n")
    print(f"{'page':34}" + "".join(f"{name + ' ms':>20}" for name in runners))
    for page_id, *_ in pages:
        print(f"{page_id:34}" + "".join(
            f"{statistics.median(timings[name][page_id]) * 1000:20.1f}" for name in runners))
    rates = {name: len(pages) * args.repeat / sum(sum(t) for t in timings[name].values())
             for name in runners}
    print(f"\n{'extractor':18} {'pages/s/core':>12} {'vs trafilatura':>15} {'mean F1':>8}")
    for name in runners:
        f1 = f"{statistics.mean(quality[name]):8.3f}" if quality[name] else f"{'—':>8}"
        print(f"{name:18} {rates[name]:12.1f} {rates[name] / rates['trafilatura']:14.2f}x {f1}")
    ratio = rates["akhbar"] / rates["trafilatura"]
    print(f"\nakhbar: {rates['akhbar']:.1f} pages/s per core; trafilatura: "
          f"{rates['trafilatura']:.1f} pages/s per core; ratio {ratio:.2f}x")


if __name__ == "__main__":
    main()
