"""`akhbar sites check`: a seed checked by a dry run of its nightly (or backfill) discovery and
a few sample articles extracted, or offline by its own structure; nothing is written to the
database."""

from __future__ import annotations

import base64
import json
import os
import re
import subprocess
import sys
import tempfile
from datetime import UTC, date, datetime
from pathlib import Path

from akhbar.flows.sites_add import SiteError
from akhbar.seeds import (
    CATALOG_DIR,
    Seed,
    SeedError,
    catalog_paths,
    load_seed,
)
from akhbar.seeds.settings import get_settings

MIN_WORDS_WARNING = 80


# -- sites check ----------------------------------------------------------------------------


def offline_problems(seed: Seed) -> list[str]:
    """What is wrong or doubtful in a seed's own structure (it loaded, so patterns compile,
    URLs lie in its domains and example articles match)."""
    from akhbar.seeds.scope import split_patterns

    problems = []
    if not seed.example_articles:
        problems.append("no `example_articles`: add two or three article URLs so the "
                        "patterns can be checked")
    absolute, relative = split_patterns(seed.article_patterns)
    for pattern in (*absolute, *relative):
        hits = [u for u in seed.example_articles
                if (pattern in absolute and pattern.search(u))
                or (pattern in relative and pattern.search(seed.scoped_path(u) or ""))]
        if seed.example_articles and not hits:
            problems.append(f"article pattern {pattern.pattern!r} matches none of the "
                            f"example articles")
    if seed.archive_link_selector and not seed.archives:
        problems.append("`archive_link_selector` without `archives` is never used")
    return problems


def _database_for_check() -> str | None:
    """The database whose stored URLs count as not new: the configured one, or the embedded
    one if it was ever created (none is created for a check)."""
    from akhbar.sql import DATABASE_URL_ENV, data_dir, database_url

    if os.environ.get(DATABASE_URL_ENV) or (data_dir() / "pgdata").exists():
        return database_url()
    return None


def check_site(seed: Seed, samples: int = 5, proxy: str | None = None,
               since: date | None = None, until: date | None = None) -> dict:
    """A dry run of the seed's nightly discovery (or of a backfill's over [since, until]),
    then `samples` articles fetched and extracted; nothing is written to the database."""
    from akhbar.extract import Reject, extract_article
    from akhbar.spiders.crawl import crawl_environment

    settings = get_settings()
    env = crawl_environment(_database_for_check(), proxy or settings.proxy)
    with tempfile.TemporaryDirectory(prefix="akhbar-check-") as scratch:
        report_path = Path(scratch) / "report.json"
        command = [sys.executable, "-m", "akhbar.spiders.crawl", seed.id, "--seeds-dir",
                   str(seed.file), "--check", str(samples), "--report", str(report_path)]
        if since and until:
            command += ["--since", since.isoformat(), "--until", until.isoformat()]
        done = subprocess.run(command, env=env, capture_output=True, text=True,
                              encoding="utf-8", errors="replace",
                              timeout=settings.crawl_timeout)
        if done.returncode != 0 or not report_path.exists():
            lines = [ln for ln in done.stderr.splitlines() if ln.strip()]
            raise SiteError(f"{seed.id}: the check's crawl failed (exit {done.returncode}): "
                            f"{lines[-1] if lines else 'no output'}")
        report = json.loads(report_path.read_text(encoding="utf-8"))
    extracted = []
    for sample in report.pop("samples"):
        body = base64.b64decode(sample.pop("body"))
        result = extract_article(body, sample["final_url"], seed.extract_options(),
                                 declared_encoding=sample["encoding"])
        entry = {"url": sample["url"], "final_url": sample["final_url"], "warnings": []}
        if isinstance(result, Reject):
            entry.update(rejected=f"{result.reason}: {result.detail}", title=None,
                         published_at=None, authors=[], words=0, first_paragraph=None)
            entry["warnings"].append(f"no article: {result.reason} ({result.detail})")
        else:
            entry.update(rejected=None, title=result.title,
                         published_at=result.published_at.isoformat()
                         if result.published_at else None, authors=result.authors,
                         words=result.word_count, language=result.language,
                         first_paragraph=result.text.split("\n", 1)[0])
            if not result.title:
                entry["warnings"].append("no title")
            if not result.published_at:
                entry["warnings"].append("no date")
            if result.word_count < MIN_WORDS_WARNING:
                entry["warnings"].append(f"only {result.word_count} words")
        extracted.append(entry)
    report["samples"] = extracted
    problems = [f"{s['kind']} {s['url']}: {s['error']}" for s in report["sources"]
                if s.get("error")]
    if not report["article_urls"]:
        hint = (" (a nightly run reads only the last `archive_days` of archives: check a past "
                "window with --since/--until)" if seed.archives and not since else "")
        problems.append("no article URL found: the feeds/sitemaps/archives list none that the "
                        "scope and article_patterns accept" + hint)
    problems += [f"sample {f['url']}: {f['reason']}" for f in report["failed_samples"]]
    problems += [f"sample {s['url']}: {w}" for s in extracted for w in s["warnings"]]
    titles = [s["title"] for s in extracted if s["title"]]
    if len(titles) >= 2 and len(set(titles)) == 1:
        problems.append(f"every sample has the title {titles[0]!r}: the site's name rather "
                        f"than the headline? (set extraction.title_selector)")
    if report["article_urls"] and not extracted:
        problems.append("no sample article could be fetched")
    report["problems"] = problems
    report["ok"] = not problems
    report["checked_at"] = datetime.now(UTC).isoformat(timespec="seconds")
    return report


def summary_line(report: dict) -> str:
    """One line of what a check found, for the seed's `checked` record."""
    fine = sum(1 for s in report["samples"] if not s["warnings"])
    return (f"{report['article_urls']} article URLs ({report['new']} new); "
            f"{fine}/{len(report['samples'])} samples extracted cleanly; "
            f"{len(report['problems'])} problems")


CHECKED_LINE = re.compile(r"^checked\s*=.*\n", re.M)
FIRST_TABLE = re.compile(r"^\[", re.M)


def record_check(seed: Seed, report: dict) -> None:
    """Write `checked = {on = …, found = "…"}` into the seed file (top level)."""
    path = seed.file
    text = path.read_text(encoding="utf-8")
    found = summary_line(report).replace('"', "'")
    line = f'checked = {{ on = {date.today().isoformat()}, found = "{found}" }}\n'
    if CHECKED_LINE.search(text):
        text = CHECKED_LINE.sub(lambda _: line, text, count=1)
    else:
        table = FIRST_TABLE.search(text)
        at = table.start() if table else len(text)
        text = text[:at] + (line + "\n" if table else "\n" + line) + text[at:]
    path.write_text(text, encoding="utf-8")
    load_seed(path)  # still valid


def print_report(seed: Seed, report: dict, out=None) -> None:
    """The check as a person reads it."""
    write = lambda line="": print(line, file=out or sys.stdout)  # noqa: E731
    write(f"{seed.id}: dry run of {seed.base_url} (nothing written to the database)")
    if report.get("note"):
        write(f"  note: {report['note']}")
    write("discovery:")
    for source in report["sources"]:
        dated = (f", dated {source['oldest'][:10]}..{source['newest'][:10]}"
                 if source.get("oldest") else "")
        if source.get("error"):
            write(f"  {source['kind']:8} {source['url']}\n           FAILED: {source['error']}")
            continue
        extra = f", {source['sitemaps']} sitemaps" if source.get("sitemaps") else ""
        if source["kind"] == "index":
            write(f"  {'index':8} {source['url']}\n           {source['status']}: links "
                  f"{source['days_linked']} days, {source['days_wanted']} of them in the "
                  f"window")
            continue
        write(f"  {source['kind']:8} {source['url']}\n           {source['status']}: "
              f"{source['links']} links{extra}, {source['articles']} article URLs "
              f"({source['new']} new){dated}")
    write(f"article URLs: {report['article_urls']} found, {report['new']} new; a nightly run "
          f"now would fetch {report['would_fetch']}")
    write(f"samples ({len(report['samples'])}):")
    for sample in report["samples"]:
        write(f"  {sample['url']}")
        if sample["final_url"] != sample["url"]:
            write(f"    → {sample['final_url']}")
        if sample["rejected"]:
            write(f"    NO ARTICLE: {sample['rejected']}")
            continue
        write(f"    title:     {sample['title']}")
        write(f"    published: {sample['published_at']}   authors: "
              f"{', '.join(sample['authors']) or '-'}   words: {sample['words']}")
        first = sample["first_paragraph"] or ""
        write(f"    | {first[:200]}{'…' if len(first) > 200 else ''}")
        if sample["warnings"]:
            write(f"    warnings: {'; '.join(sample['warnings'])}")
    for failure in report["failed_samples"]:
        write(f"  {failure['url']}\n    FAILED: {failure['reason']}")
    if report["problems"]:
        write(f"{len(report['problems'])} problems:")
        for problem in report["problems"]:
            write(f"  - {problem}")
    else:
        write("OK: the seed finds articles and they extract with title, date and text.")


def seeds_to_check(names: list[str], folder: Path | None, catalog: bool) -> list[Seed]:
    """The seeds named (ids or files), or every seed of the folder or the catalogue."""
    from akhbar.seeds import load_seeds

    if catalog:
        paths = catalog_paths()
        chosen = [paths[n] for n in names if n in paths] if names else [
            p for p in paths.values() if p.parent == CATALOG_DIR]
        missing = [n for n in names if n not in paths]
        if missing:
            raise SeedError(f"not in the catalogue: {', '.join(missing)}")
        return [load_seed(p) for p in chosen]
    return load_seeds(folder, names or None)
