"""`akhbar eval CORPUS_DIR`: akhbar against other extractors on annotated pages, in one run."""

from __future__ import annotations

import json
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from akhbar.extract import Article, ExtractOptions, extract_article
from akhbar.extract.scoring import PageScore, score_page
from akhbar.extract.urls import host_in
from akhbar.seeds import CATALOG_DIR, Seed, load_seeds

# (html bytes, url) -> (text, title or None, YYYY-MM-DD or None[, authors, subtitle])
Extractor = Callable[[bytes, str], tuple]


@dataclass(frozen=True)
class CorpusPage:
    id: str
    html: bytes
    gold: dict


def load_corpus(directory: Path) -> list[CorpusPage]:
    """pages/<id>.html with annot/<id>.json, as described in the corpus README."""
    pages = []
    annotations = sorted((directory / "annot").glob("*.json"))
    if not annotations:
        raise FileNotFoundError(f"{directory}: no annot/*.json files (see the corpus layout)")
    for annotation in annotations:
        page = directory / "pages" / f"{annotation.stem}.html"
        if not page.is_file():
            raise FileNotFoundError(f"{annotation}: its page {page} is missing")
        try:
            gold = json.loads(annotation.read_text(encoding="utf-8"))
        except ValueError as exc:
            raise ValueError(f"{annotation}: not valid JSON: {exc}") from None
        for field in ("url", "body"):
            if field not in gold:
                raise ValueError(f"{annotation}: field `{field}` is missing")
        pages.append(CorpusPage(annotation.stem, page.read_bytes(), gold))
    return pages


def akhbar_extractor(seeds: list[Seed]) -> Extractor:
    def run(html: bytes, url: str):
        seed = next((s for s in seeds if host_in(url, s.domains)), None)
        options = seed.extract_options() if seed else ExtractOptions()
        # The corpus scores text whatever its length or language gate would decide.
        options = ExtractOptions(**{**options.__dict__, "min_words": 0})
        result = extract_article(html, url, options)
        if not isinstance(result, Article):
            return "", None, None, [], None
        date = result.published_at.date().isoformat() if result.published_at else None
        return result.text, result.title, date, result.authors, result.subtitle
    return run


def trafilatura_extractor(html: bytes, url: str):
    import trafilatura

    document = trafilatura.bare_extraction(html, url=url, include_comments=False,
                                           with_metadata=True)
    if document is None:
        return "", None, None
    return document.text or "", document.title, (document.date or None)


def readability_extractor(html: bytes, url: str):
    import lxml.html
    from readability import Document

    document = Document(html, url=url)
    text = lxml.html.fromstring(document.summary()).text_content()
    return text, document.short_title(), None


def justext_extractor(html: bytes, url: str):
    import justext

    paragraphs = justext.justext(html, justext.get_stoplist("Arabic"))
    return "\n".join(p.text for p in paragraphs if not p.is_boilerplate), None, None


def evaluate(pages: list[CorpusPage], extractors: dict[str, Extractor]) -> dict:
    """Per extractor, per page: the score and milliseconds."""
    results: dict[str, list[tuple[str, PageScore, float]]] = {}
    for name, extractor in extractors.items():
        extractor(pages[0].html, pages[0].gold["url"])  # warm-up: imports and caches
        rows = []
        for page in pages:
            started = time.perf_counter()
            text, title, date, *more = extractor(page.html, page.gold["url"])
            elapsed = (time.perf_counter() - started) * 1000
            authors, subtitle = (more[0], more[1]) if more else (None, False)
            rows.append((page, score_page(text, title, date, page.gold, authors, subtitle),
                         elapsed))
        results[name] = rows
    return results


def _mark(value: bool | None) -> str:
    return "—" if value is None else ("yes" if value else "no")


def format_report(results: dict) -> str:
    lines = []
    for name, rows in results.items():
        lines.append(f"\n{name}")
        lines.append(f"  {'page':34} {'P':>6} {'R':>6} {'F1':>6} {'leaks':>5} {'title':>5} "
                     f"{'date':>5} {'authors':>7} {'deck':>5} {'ms':>7}")
        for page, score, ms in rows:
            lines.append(f"  {page.id:34} {score.precision:6.3f} {score.recall:6.3f} "
                         f"{score.f1:6.3f} {len(score.leaks):5d} {_mark(score.title_ok):>5} "
                         f"{_mark(score.date_ok):>5} {_mark(score.authors_ok):>7} "
                         f"{_mark(score.deck_ok):>5} {ms:7.1f}")
        leaked = [(page, kind, leak) for page, score, _ in rows
                  for kind, leaks in score.leak_classes(page.gold).items() for leak in leaks]
        if leaked:
            lines.append("  leaked boilerplate, by kind:")
            for kind in sorted({kind for _, kind, _ in leaked}):
                lines.append(f"    {kind}:")
                lines.extend(f"      {page.id}: {leak[:80]!r}"
                             for page, k, leak in leaked if k == kind)
    lines.append("\nsummary")
    lines.append(f"  {'extractor':22} {'mean F1':>8} {'min F1':>7} {'leaks':>6} {'title':>6} "
                 f"{'date':>6} {'authors':>7} {'deck':>6} {'ms/page':>8}")
    for name, rows in results.items():
        scores = [s for _, s, _ in rows]
        count = len(scores)
        titles = [s.title_ok for s in scores if s.title_ok is not None]
        dates = [s.date_ok for s in scores if s.date_ok is not None]
        authors = [s.authors_ok for s in scores if s.authors_ok is not None]
        decks = [s.deck_ok for s in scores if s.deck_ok is not None]
        lines.append(
            f"  {name:22} {sum(s.f1 for s in scores) / count:8.3f} "
            f"{min(s.f1 for s in scores):7.3f} {sum(len(s.leaks) for s in scores):6d} "
            f"{(f'{sum(titles)}/{count}' if titles else '—'):>6} "
            f"{(f'{sum(dates)}/{count}' if dates else '—'):>6} "
            f"{(f'{sum(authors)}/{count}' if authors else '—'):>7} "
            f"{(f'{sum(decks)}/{count}' if decks else '—'):>6} "
            f"{sum(ms for _, _, ms in rows) / count:8.1f}")
    return "\n".join(lines)


def run_eval(directory: Path, seeds_dir: Path | None = None, others: bool = True) -> str:
    pages = load_corpus(directory)
    extractors: dict[str, Extractor] = {
        "akhbar": akhbar_extractor(load_seeds(seeds_dir or CATALOG_DIR))}
    if others:
        extractors |= {"trafilatura": trafilatura_extractor,
                       "readability-lxml": readability_extractor,
                       "jusText": justext_extractor}
    return format_report(evaluate(pages, extractors))
