"""`akhbar sites add`: draft a seed from what a site publishes (home page, robots.txt, feeds,
sitemaps, day archives), saying what could not be decided."""

from __future__ import annotations

import re
import shutil
import tempfile
from datetime import date, datetime
from pathlib import Path
from urllib.parse import urljoin, urlsplit

from akhbar.flows.reading import UsageError
from akhbar.seeds import CATALOG_DIR, SeedError, load_seed
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
from akhbar.seeds.scope import scope_parts, scoped_path
from akhbar.seeds.settings import default_seeds_dir, get_settings

MAX_CHILD_SITEMAPS = 20
MAX_SHORT_LINK_PROBES = 3
MAX_ARCHIVE_PAGES = 2  # archive pages the home page links that are read
MIN_ARCHIVE_DAYS = 2  # day links that make a URL shape a day archive
MAX_DAY_PAGES = 4  # day archive pages read to learn their article links


class SiteError(UsageError):
    """A site that cannot be added or checked, with the URL and the reason."""


# -- sites add ------------------------------------------------------------------------------


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
    in_site = lambda link: scoped_path(link, tuple(scope), tuple(domains))  # noqa: E731
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
            scope_parts(scope[0])[1] if scope else "/")
        answer = prober.fetch(prefix_url + matched[0])
        target = in_site(answer.final_url) if answer.ok else None
        if answer.final_url != prefix_url + matched[0] and target is not None \
                and any(c.match(target) for c in compiled):
            article_patterns.append((pattern, f"short links: {matched[0]} redirects to "
                                              f"{target}"))
    if not article_patterns:
        undecided.append("no article URL shape with a date or an id found: write "
                         "`article_patterns` by hand (see `akhbar sites check`)")
    prefix = scope_parts(scope[0])[1] if scope else "/"
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


def default_folder(folder: Path | None) -> Path:
    return folder or default_seeds_dir()
