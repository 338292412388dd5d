"""`akhbar sites add` and `akhbar sites check`: draft a seed from what a site publishes, then
check it with a dry run of its nightly discovery and a few sample articles."""

from __future__ import annotations

import base64
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
from datetime import UTC, date, datetime
from pathlib import Path
from urllib.parse import urljoin, urlsplit

from akhbar.flows.reading import UsageError
from akhbar.seeds import (
    CATALOG_DIR,
    Seed,
    SeedError,
    _scope_parts,
    catalog_paths,
    load_seed,
)
from akhbar.seeds.draft import (
    COMMON_FEED_PATHS,
    COMMON_SITEMAP_PATHS,
    Draft,
    archive_pages,
    class_selectors,
    day_template,
    feed_links,
    infer_patterns,
    own_list_selector,
    page_language,
    page_links,
    render,
    robots_sitemaps,
    scope_of,
    site_id_for,
    site_name,
    timezone_guess,
)
from akhbar.seeds.settings import default_seeds_dir, get_settings

MAX_CHILD_SITEMAPS = 20
MIN_WORDS_WARNING = 80
MAX_SHORT_LINK_PROBES = 3
MAX_ARCHIVE_PAGES = 2  # archive pages the home page links that are read
MIN_ARCHIVE_DAYS = 2  # day links that make a URL shape a day archive
MAX_DAY_PAGES = 4  # day archive pages read to learn their article links


class SiteError(UsageError):
    """A site that cannot be added or checked, with the URL and the reason."""


# -- sites add ------------------------------------------------------------------------------


def _scoped_path(url: str, scope: list[str], domains: list[str]) -> str | None:
    from akhbar.extract.urls import host_in

    parts = urlsplit(url)
    if not scope:
        return parts.path.lstrip("/") if host_in(url, domains) else None
    for entry in scope:
        host, prefix = _scope_parts(entry)
        if host_in(url, (host,)) and parts.path.startswith(prefix):
            return parts.path[len(prefix):]
    return None


def _offset(moment: datetime | None) -> str | None:
    if moment is None or moment.utcoffset() is None:
        return None
    minutes = int(moment.utcoffset().total_seconds() // 60)
    return f"{'+' if minutes >= 0 else '-'}{abs(minutes) // 60:02d}:{abs(minutes) % 60:02d}"


def draft_site(url: str, site_id: str | None = None, proxy: str | None = None) -> Draft:
    """Fetch a site's home page, robots.txt, feeds and sitemaps and draft its seed."""
    from akhbar.spiders.discovery import is_feed, parse_feed, parse_sitemap, xml_root_name
    from akhbar.spiders.probe import Prober
    from akhbar.spiders.settings import user_agent

    settings = get_settings()
    prober = Prober(user_agent(settings), proxy or settings.proxy)
    home = prober.fetch(url)
    if not home.ok:
        raise SiteError(f"{url}: the home page could not be read ({home.error or home.status})")
    base = home.final_url
    parts = urlsplit(base)
    scope = scope_of(base)
    host = (parts.netloc or "").lower().removeprefix("www.")
    domains = [host]
    in_site = lambda link: _scoped_path(link, scope, domains)  # noqa: E731
    root = f"{parts.scheme}://{parts.netloc}/"
    here = base if base.endswith("/") else base.rsplit("/", 1)[0] + "/"
    undecided: list[str] = []
    notes: list[str] = []

    # Feeds: announced by the home page, else at the usual paths.
    feeds, feed_paths, offsets = [], set(), []
    candidates = feed_links(home.body, base) or list(dict.fromkeys(
        urljoin(where, path) for where in (here, root) for path in COMMON_FEED_PATHS))
    for candidate in candidates:
        answer = prober.fetch(candidate)
        if not answer.ok or not is_feed(answer.body):
            continue
        entries = [e for e in parse_feed(answer.body, answer.final_url)
                   if in_site(e.url) is not None]
        if entries:
            feeds.append(candidate)
            feed_paths |= {in_site(e.url) for e in entries}
            offsets += [o for o in (_offset(e.published or e.lastmod) for e in entries) if o]
    if not feeds:
        undecided.append("no RSS/Atom feed found (announced or at the usual paths): add "
                         "`feeds` if the site has one")

    # Sitemaps: robots.txt's, then the usual paths; an index whose children serve other
    # sites too is replaced by the children that serve this one.
    robots = prober.fetch(urljoin(root, "robots.txt"))
    listed = robots_sitemaps(robots.body.decode("utf-8", "replace")) if robots.ok else []
    sitemaps, sitemap_paths, seen = [], [], set()
    for candidate in dict.fromkeys(listed + [urljoin(where, path) for where in (here, root)
                                             for path in COMMON_SITEMAP_PATHS]):
        if candidate in seen:
            continue
        seen.add(candidate)
        answer = prober.fetch(candidate)
        if not answer.ok or xml_root_name(answer.body) not in ("urlset", "sitemapindex"):
            continue
        pages, children = parse_sitemap(answer.body, answer.final_url)
        offsets += [o for o in (_offset(p.lastmod or p.published) for p in pages) if o]
        mine = [p.url for p in pages if in_site(p.url) is not None]
        if not children:
            if mine:
                sitemaps.append(candidate)
                sitemap_paths += [in_site(u) for u in mine]
            continue
        ours, theirs = [], 0
        for child in children[:MAX_CHILD_SITEMAPS]:
            seen.add(child.url)
            reply = prober.fetch(child.url)
            if not reply.ok:
                continue
            child_pages, _ = parse_sitemap(reply.body, reply.final_url)
            offsets += [o for o in (_offset(p.lastmod or p.published) for p in child_pages)
                        if o]
            inside = [p.url for p in child_pages if in_site(p.url) is not None]
            if inside:
                ours.append(child.url)
                sitemap_paths += [in_site(u) for u in inside]
            elif child_pages:
                theirs += 1
        if ours and theirs:
            sitemaps += [u for u in ours if u not in sitemaps]
            notes.append(f"{candidate} also lists {theirs} sitemaps of other sites on the "
                         f"host: only this site's are read")
        elif ours:
            sitemaps.append(candidate)

    # Day archives: linked from the home page, or from an archive page it links (an index
    # of the days that exist).
    home_links = page_links(home.body, base)
    archive = find_archives(prober, home_links, base, domains)
    day_links: list[str] = [link for links in archive.get("day_links", []) for link in links]
    if not sitemaps and not archive:
        undecided.append("no sitemap or day archive found (robots.txt, the usual paths, the "
                         "home page's archive links): add `sitemaps`, `archives` or "
                         "`listings` by hand")

    # The article URL shape, from what feeds, sitemaps and day archives list (and the home
    # page links).
    paths = list(dict.fromkeys([*feed_paths, *sitemap_paths, *filter(
        lambda p: p is not None, (in_site(u) for u, _ in home_links)), *filter(
        lambda p: p is not None, (in_site(u) for u in day_links))]))
    patterns = infer_patterns(paths, feed_paths)
    article_patterns = [(pattern, f"{len(matched)} URLs like {matched[0]}")
                        for pattern, matched in patterns]
    # Short links (`n/7731` → 301 → an article): a listed shape with an id that no pattern
    # takes, kept when one of its URLs redirects to an article the patterns take.
    compiled = [re.compile(p) for p, _ in patterns]
    listed = [p for p in dict.fromkeys([*feed_paths, *sitemap_paths])
              if not any(c.match(p) for c in compiled)]
    for pattern, matched in infer_patterns(listed, set(listed))[:MAX_SHORT_LINK_PROBES]:
        if not compiled or not re.search(r"\\d", pattern):
            continue
        prefix_url = f"{parts.scheme}://{parts.netloc}" + (
            _scope_parts(scope[0])[1] if scope else "/")
        answer = prober.fetch(prefix_url + matched[0])
        target = in_site(answer.final_url) if answer.ok else None
        if answer.final_url != prefix_url + matched[0] and target is not None \
                and any(c.match(target) for c in compiled):
            article_patterns.append((pattern, f"short links: {matched[0]} redirects to "
                                              f"{target}"))
    if not article_patterns:
        undecided.append("no article URL shape with a date or an id found: write "
                         "`article_patterns` by hand (see `akhbar sites check`)")
    prefix = _scope_parts(scope[0])[1] if scope else "/"
    examples = [f"{parts.scheme}://{parts.netloc}{prefix}{path}"
                for _, matched in patterns for path in matched[:2]]

    language, how = page_language(home.body)
    if language is None:
        undecided.append(f"the language ({how}): set `language`")
        language = "ar"
    elif language != "ar":
        undecided.append(f"the home page says its language is {language!r} ({how}); akhbar "
                         f"keeps only articles in the seed's `language`")
    zone, why = timezone_guess(parts.hostname or "", offsets)
    if zone is None:
        undecided.append(f"the timezone ({why}): set `timezone` to the IANA zone of the "
                         f"times the site shows")
        zone = "UTC"
    else:
        notes.append(f"timezone {zone}: from {why}")
    link_selector = None
    if archive.get("day_pages"):
        compiled = [re.compile(p) for p, _ in article_patterns]

        def is_article(link: str) -> bool:
            path = in_site(link)
            return path is not None and any(c.match(path) for c in compiled)

        link_selector = own_list_selector([class_selectors(body, url, is_article)
                                           for url, body in archive["day_pages"]])
        if link_selector:
            notes.append(f"archive pages also link other days' articles: only "
                         f"{link_selector} is read as the day's list")
    return Draft(id=site_id or site_id_for(base, bool(scope)),
                 archives=[archive["template"]] if archive else [],
                 archive_index=archive.get("index"), archive_link_selector=link_selector,
                 name=site_name(home.body, host), base_url=base, scope=scope,
                 domains=domains, language=language, timezone=zone, feeds=feeds,
                 sitemaps=sitemaps, article_patterns=article_patterns,
                 example_articles=examples, undecided=undecided, notes=notes)


def find_archives(prober, home_links: list[tuple[str, str]], base: str,
                  domains: list[str]) -> dict:
    """The site's day archives: {template, index (page linking the days, if any), day_pages
    [(url, body)] of the latest few days, day_links [[links]]}; empty when none is found."""
    from akhbar.extract.urls import host_in

    own = [(url, text) for url, text in home_links if host_in(url, domains)]
    places: list[tuple[str | None, list[str]]] = [(None, [u for u, _ in own])]
    for candidate in archive_pages(own)[:MAX_ARCHIVE_PAGES]:
        answer = prober.fetch(candidate)
        if answer.ok:
            places.append((candidate, [u for u, _ in page_links(answer.body, answer.final_url)
                                       if host_in(u, domains)]))
    best: dict = {}
    for index, links in places:
        template, days = day_template(links)
        if template and len(days) >= MIN_ARCHIVE_DAYS and len(days) > len(best.get("days", {})):
            best = {"template": template, "index": index, "days": days}
    if not best:
        return {}
    latest = sorted(best["days"].items(), key=lambda item: item[1], reverse=True)
    pages = []
    for url, _ in latest[:MAX_DAY_PAGES]:
        answer = prober.fetch(url)
        if answer.ok:
            pages.append((answer.final_url, answer.body))
    best["day_pages"] = pages
    best["day_links"] = [[u for u, _ in page_links(body, url)] for url, body in pages]
    return best


def write_draft(draft: Draft, source_url: str, folder: Path, force: bool = False) -> Path:
    """Write the draft as `<id>.toml` in the seeds folder when it is a valid seed, else as
    `<id>.toml.draft` (which no command reads) with the reason; returns the path."""
    text = render(draft, source_url, date.today())
    target = folder / f"{draft.id}.toml"
    if target.exists() and not force:
        raise SiteError(f"{target} already exists (use --force to replace it, or --id to "
                        f"choose another id)")
    folder.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as scratch:
        trial = Path(scratch) / target.name
        trial.write_text(text, encoding="utf-8")
        try:
            load_seed(trial)
        except SeedError as exc:
            problem = str(exc).replace(str(trial), target.name)
            draft_path = folder / f"{draft.id}.toml.draft"
            draft_path.write_text(f"# NOT YET A VALID SEED: {problem}\n" + text,
                                  encoding="utf-8")
            return draft_path
    target.write_text(text, encoding="utf-8")
    return target


def copy_from_catalog(site_id: str, folder: Path, force: bool = False) -> Path:
    """Copy a packaged seed into the seeds folder."""
    found = {p.stem: p for p in CATALOG_DIR.glob("*.toml")}
    if site_id not in found:
        raise SiteError(f"no site {site_id!r} in the catalogue (it has: "
                        f"{', '.join(sorted(found))})")
    target = folder / f"{site_id}.toml"
    if target.exists() and not force:
        raise SiteError(f"{target} already exists (use --force to replace it)")
    folder.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(found[site_id], target)
    return target


# -- sites check ----------------------------------------------------------------------------


def offline_problems(seed: Seed) -> list[str]:
    """What is wrong or doubtful in a seed's own structure (it loaded, so patterns compile,
    URLs lie in its domains and example articles match)."""
    from akhbar.seeds import _split_patterns

    problems = []
    if not seed.example_articles:
        problems.append("no `example_articles`: add two or three article URLs so the "
                        "patterns can be checked")
    absolute, relative = _split_patterns(seed.article_patterns)
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
    from akhbar.spiders.crawl import PARENT_ENV

    settings = get_settings()
    proxy = proxy or settings.proxy
    env = dict(os.environ, PYTHONUNBUFFERED="1", **{PARENT_ENV: str(os.getpid())})
    env.pop("AKHBAR_DATABASE_URL", None)
    url = _database_for_check()
    if url:
        env["AKHBAR_DATABASE_URL"] = url
    if proxy:
        env.update(http_proxy=proxy, HTTP_PROXY=proxy, https_proxy=proxy, HTTPS_PROXY=proxy)
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


def default_folder(folder: Path | None) -> Path:
    return folder or default_seeds_dir()
