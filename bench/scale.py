"""Scale benchmark: a nightly over one site with 200,000 stored articles and 100 new ones.

    python bench/scale.py [--articles 200000] [--new 100] [--keep]

COPYs N stored pages (30-80 KB of Arabic news markup each, every one different), their N
articles (300-800 words of a Zipf root-and-pattern vocabulary, as bench/export.py writes them)
with MinHash signatures and LSH bands, and the backfill run that stored them. Serves the site on
loopback: robots.txt, a sitemap index of yearly sitemap indexes of gzipped urlsets (at most
50,000 URLs each, every URL with the lastmod stored for it) listing the N stored URLs and the
new ones, and every article page. Then runs the real `nightly` flow (Prefect's temporary local
API, politeness off) and reports its wall time, the crawl process's peak RSS, time in SQL, the
requests the site received by kind, database bytes per article by table and index, the
compression of raw bodies (pglz and, where the server has it, lz4, on a sample), `akhbar search`
latency, and EXPLAIN ANALYZE of the queries whose work grows with the site.

The child sitemaps carry no lastmod (as on many big news sites), so the nightly reads every
urlset and checks all N+new URLs against what is stored: the worst case for discovery. No
sitemap validators are stored (the pages came from a backfill), so nothing is answered 304.

Time in SQL: every psycopg `execute` and `copy` of the flow process and of the crawl process
(through a `sitecustomize` on PYTHONPATH) is timed on the client: server time plus the
transfer of the result, not the building of Python rows from it.

Uses a new database `akhbar_scale_<pid>` on the server of $AKHBAR_DATABASE_URL (dropped at the
end) or a throwaway embedded PostgreSQL; `--keep` keeps either and prints where it is. Exits 1
when a goal in the closing table is missed.
"""

from __future__ import annotations

import argparse
import gzip
import hashlib
import importlib.util
import json
import logging
import os
import random
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter, defaultdict
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from functools import cached_property
from pathlib import Path

import numpy as np
import psutil
import psycopg
from akhbar import sql
from akhbar.extract import EXTRACTOR_VERSION
from akhbar.extract.arabic import count_words, normalize_for_search
from akhbar.extract.dedupe import NUM_PERM, band_hashes
from akhbar.flows.demo.server import LoopbackNetwork
from akhbar.flows.demo.site import Response
from akhbar.seeds import load_seed
from akhbar.sql import repository
from akhbar.sql.embedded import EMBEDDED_DATABASE, join
from export import FUNCTION_WORDS, Words, render
from psycopg.conninfo import make_conninfo

os.environ.setdefault("PREFECT_SERVER_ANALYTICS_ENABLED", "false")

GOAL_WALL_S, GOAL_RSS_MB, GOAL_SEARCH_P95_MS = 60, 300, 200
MB = 1024 * 1024
HOST = "scale.akhbar.test"
BASE = f"http://{HOST}"
SITE = "scale"
PER_URLSET = 50_000  # the sitemap protocol's limit
STORED_SPAN = timedelta(days=730)  # the stored articles' publication dates
ARTICLE_PATH = re.compile(r"/(\d{4})/(\d{2})/(\d{2})/(\d+)\.html")
URLSET_PATH = re.compile(r"/sitemaps/(\d{4})/posts-(\d+)\.xml\.gz")
YEAR_INDEX_PATH = re.compile(r"/sitemaps/(\d{4})/index\.xml")
SITEMAP_NS = 'xmlns="http://www.sitemaps.org/schemas/sitemap/0.9"'
SQL_DIR_ENV = "AKHBAR_BENCH_SQL_DIR"
SEED = f"""
id = "{SITE}"
name = "مقياس الحجم"
base_url = "{BASE}/"
domains = ["{HOST}"]
timezone = "Asia/Riyadh"
verified = true
sitemaps = ["{BASE}/sitemap.xml"]
article_patterns = ['^http://scale\\.akhbar\\.test/\\d{{4}}/\\d{{2}}/\\d{{2}}/\\d+\\.html$']

[politeness]
concurrent_requests = 16
download_delay = 0
autothrottle = false

[extraction]
content_selector = "div.entry-content"
"""
SECTIONS = (
    ("سياسة", "politics"),
    ("اقتصاد", "economy"),
    ("رياضة", "sport"),
    ("ثقافة", "culture"),
    ("عربي ودولي", "world"),
    ("محليات", "local"),
    ("تكنولوجيا", "tech"),
    ("صحة", "health"),
    ("منوعات", "misc"),
    ("رأي", "opinion"),
)
ARABIC_MONTHS = (
    "يناير",
    "فبراير",
    "مارس",
    "أبريل",
    "مايو",
    "يونيو",
    "يوليو",
    "أغسطس",
    "سبتمبر",
    "أكتوبر",
    "نوفمبر",
    "ديسمبر",
)
NAMES = ("محمد علي", "أحمد حسن", "فاطمة الزهراء", "خالد يوسف", "مريم سعيد", "ليلى عمر")
PAGE_COLUMNS = (
    "id, source_id, crawl_run_id, url, final_url, http_status, headers, encoding, "
    "body, sha256, lastmod, fetched_at"
)
PAGE_TYPES = (
    "int8",
    "text",
    "int8",
    "text",
    "text",
    "int4",
    "jsonb",
    "text",
    "bytea",
    "text",
    "timestamptz",
    "timestamptz",
)
ARTICLE_COLUMNS = (
    "id, source_id, url, canonical_url, title, subtitle, authors, published_at, "
    "modified_at, section, tags, agency, language, text, text_normalized, "
    "word_count, content_hash, extractor_version, extracted_at, changed_at, "
    "page_id, lead_image, minhash, cluster_id"
)
ARTICLE_TYPES = (
    "int8",
    "text",
    "text",
    "text",
    "text",
    "text",
    "text[]",
    "timestamptz",
    "timestamptz",
    "text",
    "text[]",
    "text",
    "text",
    "text",
    "text",
    "int4",
    "text",
    "text",
    "timestamptz",
    "timestamptz",
    "int8",
    "text",
    "bytea",
    "int8",
)
# Written to a folder put on PYTHONPATH, so the crawl process loads it at start.
SQL_TIMER = '''"""Written by bench/scale.py: time each psycopg execute and copy of this process."""
import atexit, json, os, sys, time
from contextlib import contextmanager

import psycopg

SPENT = {}  # statement (named query or its start) -> [calls, seconds]
NAMES = {}


def key(statement):
    if not NAMES:
        from akhbar.sql import queries
        NAMES.update({text: name for name, text in queries().items()})
    text = statement if isinstance(statement, str) else repr(statement)
    return NAMES.get(text) or " ".join(text.split())[:60]


def add(statement, started):
    entry = SPENT.setdefault(key(statement), [0, 0.0])
    entry[0] += 1
    entry[1] += time.perf_counter() - started


def timed(method):
    def execute(self, statement, *args, **kwargs):
        started = time.perf_counter()
        try:
            return method(self, statement, *args, **kwargs)
        finally:
            add(statement, started)
    return execute


def timed_copy(method):
    @contextmanager
    def copy(self, statement, *args, **kwargs):
        started = time.perf_counter()
        try:
            with method(self, statement, *args, **kwargs) as copier:
                yield copier
        finally:
            add(statement, started)
    return copy


psycopg.Cursor.execute = timed(psycopg.Cursor.execute)
psycopg.Cursor.executemany = timed(psycopg.Cursor.executemany)
psycopg.Cursor.copy = timed_copy(psycopg.Cursor.copy)


@atexit.register
def dump():
    folder = os.environ.get("AKHBAR_BENCH_SQL_DIR")
    if folder and SPENT and os.path.isdir(folder):
        with open(os.path.join(folder, f"{os.getpid()}.json"), "w") as out:
            json.dump({"argv": sys.argv, "spent": SPENT}, out)
'''


@dataclass(frozen=True)
class Timeline:
    """When each article of the site was published; stored ones 1..stored, new ones after."""

    now: datetime
    stored: int
    new: int

    def published(self, n: int) -> datetime:
        if n <= self.stored:  # from two years ago until yesterday
            back = (self.stored - n) * int(STORED_SPAN.total_seconds()) // self.stored
            return self.now - timedelta(days=1, seconds=back)
        spacing = min(600, 86_400 // max(1, self.new))  # all within the last day
        return self.now - timedelta(seconds=(self.stored + self.new - n + 1) * spacing)

    def modified(self, n: int) -> datetime:
        """The sitemap's lastmod: a fifth of the stored articles were edited after publication."""
        hours = n % 7 + 1 if n <= self.stored and n % 5 == 0 else 0
        return self.published(n) + timedelta(hours=hours)

    def url(self, n: int) -> str:
        return f"{BASE}/{self.published(n):%Y/%m/%d}/{n}.html"

    @property
    def total(self) -> int:
        return self.stored + self.new


@dataclass(frozen=True)
class Story:
    """One article's words, as stored and as its page shows them."""

    title: str
    subtitle: str | None
    authors: list[str]
    section: str
    section_slug: str
    tags: list[str]
    text: str
    text_normalized: str
    word_count: int


class Content:
    """Deterministic articles and pages: article n is the same in the database and on the site."""

    def __init__(self, timeline: Timeline) -> None:
        self.timeline = timeline
        self.words = Words(random.Random(1), 5000)
        rng = random.Random(2)
        # Site furniture drawn from pools: within one page (what TOAST compresses) nothing
        # repeats more than on a real page.
        self.headlines = [
            (
                f"{BASE}/{2024 + i % 3}/{1 + i % 12:02d}/{1 + i % 28:02d}/"
                f"{rng.randrange(10**6, 10**7)}.html",
                self.phrase(rng, 6, 13),
                f"{1 + i % 28} {ARABIC_MONTHS[i % 12]} {2024 + i % 3}",
            )
            for i in range(20_000)
        ]
        self.css = [self.css_rule(rng, i) for i in range(900)]
        self.scripts = [self.script(rng, i) for i in range(120)]

    def phrase(self, rng: random.Random, low: int, high: int) -> str:
        return " ".join(self.words.text[i] for i in self.words.draw(rng, rng.randint(low, high)))

    @staticmethod
    def css_rule(rng: random.Random, i: int) -> str:
        name = rng.choice(("post", "widget", "mag-box", "entry", "header", "menu", "btn", "tie"))
        return (
            f".{name}-{rng.choice(('title', 'meta', 'wrap', 'inner', 'item', 'list'))}-{i}"
            f"{{margin:{rng.randint(0, 40)}px {rng.randint(0, 40)}px;padding:"
            f"{rng.randint(0, 30)}px;color:#{rng.getrandbits(24):06x};font-size:"
            f"{rng.randint(11, 32)}px;line-height:1.{rng.randint(2, 9)};border-radius:"
            f"{rng.randint(0, 12)}px}}"
        )

    @staticmethod
    def script(rng: random.Random, i: int) -> str:
        slot = f"div-gpt-ad-{rng.getrandbits(40):x}-{i}"
        return (
            f"googletag.cmd.push(function(){{googletag.defineSlot('/{rng.randrange(10**8)}/"
            f"akhbar_{i}',[[{rng.choice((300, 728, 970))},{rng.choice((90, 250, 600))}]],"
            f"'{slot}').addService(googletag.pubads());googletag.pubads()"
            f".setTargeting('pos','{i}');}});"
        )

    def story(self, n: int) -> Story:
        rng, words = random.Random(n), self.words
        ids, cuts = words.draw(rng, rng.randint(300, 800)), [0]
        while cuts[-1] < len(ids):  # sentences of 8-20 words, paragraphs of 4 sentences
            cuts.append(cuts[-1] + rng.randint(8, 20))
        plan = [
            [ids[a:b] for a, b in zip(cuts[j : j + 4], cuts[j + 1 : j + 5], strict=False)]
            for j in range(0, len(cuts) - 1, 4)
        ]
        section, slug = SECTIONS[n % len(SECTIONS)]
        return Story(
            title=self.phrase(rng, 6, 12),
            subtitle=self.phrase(rng, 8, 16) if n % 2 else None,
            authors=rng.sample(NAMES, n % 3),
            section=section,
            section_slug=slug,
            tags=[words.text[w] for w in words.draw(rng, n % 6)],
            text=render(words.text, plan, "،"),
            text_normalized=render(words.norm, plan, ","),
            word_count=len(ids),
        )

    def page(self, n: int, story: Story) -> bytes:
        """Article n's page: a news theme's head, inline CSS and ad scripts, menus, headline
        lists and a state blob around the article (30-80 KB)."""
        rng, when = random.Random(-n), self.timeline
        url, published = when.url(n), when.published(n).isoformat()
        modified = when.modified(n).isoformat()
        image = f"{rng.getrandbits(128):032x}"
        uploads = f"{BASE}/wp-content/uploads/{published[:7].replace('-', '/')}/{image}"
        start = rng.randrange(len(self.css) - 300)
        css = "".join(self.css[start : start + rng.randint(40, 200)])
        related = rng.sample(self.headlines, rng.randint(4, 12))
        lists = [rng.sample(self.headlines, 6) for _ in range(rng.randint(1, 5))]
        ticker = rng.sample(self.headlines, 8)
        scripts = rng.sample(self.scripts, rng.randint(4, 20))

        def items(headlines: list[tuple[str, str, str]], images: bool) -> str:
            return "\n".join(
                '<li class="widget-post-list"><div class="post-widget-thumbnail">'
                + (
                    f'<a href="{u}" class="post-thumb"><img width="220" height="150" src="data:'
                    f'image/gif;base64,R0lGODlhAQABAIAAAAAAAP///yH5BAEAAAAALAAAAAABAAEAAAIBRAA7"'
                    f' data-src="{BASE}/wp-content/uploads/{d[-4:]}/{rng.getrandbits(64):016x}'
                    f'-220x150.jpg" class="lazy-img wp-post-image" alt="{t}"></a>'
                    if images
                    else ""
                )
                + f'</div><div class="post-widget-body"><a class="post-title the-subtitle" '
                f'href="{u}">{t}</a><div class="post-meta"><span class="date meta-item '
                f'tie-icon">{d}</span></div></div></li>'
                for u, t, d in headlines
            )

        state = json.dumps(
            [{"url": u, "title": t, "date": d} for u, t, d in related + ticker], ensure_ascii=False
        )
        body = "\n".join(f"<p>{p}</p>" for p in story.text.split("\n"))
        menu = "".join(
            f'<li class="menu-item menu-item-type-taxonomy"><a href="{BASE}/category/'
            f'{slug}/">{name}</a></li>'
            for name, slug in SECTIONS
        )
        byline = "، ".join(
            f'<a class="author-name" href="{BASE}/author/{i}/">{a}</a>'
            for i, a in enumerate(story.authors, 1)
        )
        json_ld = json.dumps(
            {
                "@context": "https://schema.org",
                "@type": "NewsArticle",
                "headline": story.title,
                "datePublished": published,
                "dateModified": modified,
                "mainEntityOfPage": url,
                "articleSection": story.section,
                "image": f"{uploads}-1200x675.jpg",
                "author": [{"@type": "Person", "name": a} for a in story.authors]
                or {"@type": "Organization", "name": "مقياس الحجم"},
            },
            ensure_ascii=False,
        )
        html = f"""<!DOCTYPE html>
<html dir="rtl" lang="ar"><head><meta charset="UTF-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{story.title} | مقياس الحجم</title><link rel="canonical" href="{url}">
<meta property="og:title" content="{story.title}"><meta property="og:url" content="{url}">
<meta property="og:image" content="{uploads}-1200x675.jpg">
<meta property="article:section" content="{story.section}">
<meta property="article:published_time" content="{published}">
<meta property="article:modified_time" content="{modified}">
<script type="application/ld+json">{json_ld}</script>
<style id="tie-critical-css">{css}</style>
<script>window.tieConfig={{"nonce":"{rng.getrandbits(128):032x}","post":{n},"ads":true}};
{"".join(scripts)}</script></head>
<body class="rtl post-template-default single single-post postid-{n}">
<div id="tie-container" class="site tie-container"><header id="theme-header">
<nav id="main-nav"><ul class="menu">{menu}</ul></nav><div class="breaking-news"><ul>
{items(ticker, False)}</ul></div></header>
<div id="content" class="site-content container"><article id="the-post" class="post-{n}">
<nav id="breadcrumb"><a href="{BASE}/">الرئيسية</a> /
<a href="{BASE}/category/{story.section_slug}/">{story.section}</a></nav>
<h1 class="post-title entry-title">{story.title}</h1>
{f'<h2 class="entry-sub-title">{story.subtitle}</h2>' if story.subtitle else ""}
<div class="post-meta"><span class="meta-author">{byline}</span>
<time datetime="{published}">{published[:10]}</time></div>
<figure class="single-featured-image"><img src="{uploads}-780x470.jpg" alt=""
srcset="{uploads}-390x235.jpg 390w, {uploads}-780x470.jpg 780w, {uploads}-1200x675.jpg 1200w">
</figure>
<div class="entry-content entry clearfix">
{body}
</div>
<div class="post-bottom-meta post-bottom-tags">{
            " ".join(f'<a href="{BASE}/tag/{t}/" rel="tag">{t}</a>' for t in story.tags)
        }</div>
<section id="related-posts"><ul>{items(related, True)}</ul></section></article>
<aside class="sidebar">{
            "".join(
                f'<div class="widget posts-list"><ul>{items(block, True)}</ul></div>'
                for block in lists
            )
        }
</aside></div><footer id="footer"><ul class="footer-menu">{menu}</ul>
<div class="copyright">جميع الحقوق محفوظة © مقياس الحجم</div></footer></div>
<script id="tie-state" type="application/json">{state}</script></body></html>"""
        return html.encode()


class ScaleSite:
    """The site as the loopback server answers it, built on request (sitemaps cached)."""

    def __init__(self, content: Content) -> None:
        self.content = content
        self.when = content.timeline
        self.cache: dict[str, Response] = {}
        self.lock = threading.Lock()

    @cached_property
    def urlsets(self) -> dict[int, list[range]]:
        """year -> the article numbers of each of its urlsets (chronological)."""
        years: dict[int, list[int]] = defaultdict(list)
        for n in range(1, self.when.total + 1):
            years[self.when.published(n).year].append(n)
        return {
            year: [
                range(ns[i], ns[min(i + PER_URLSET, len(ns)) - 1] + 1)
                for i in range(0, len(ns), PER_URLSET)
            ]
            for year, ns in years.items()
        }

    def get(self, path: str, default: Response) -> Response:
        if path == "/robots.txt":
            return Response(
                f"User-agent: *\nDisallow: /search\nSitemap: {BASE}/sitemap.xml\n".encode(),
                "text/plain",
            )
        match = ARTICLE_PATH.fullmatch(path)
        if match:
            n = int(match[4])
            if 1 <= n <= self.when.total and self.when.url(n) == BASE + path:
                return Response(self.content.page(n, self.content.story(n)))
            return default
        with self.lock:
            if path not in self.cache:
                built = self.sitemap(path)
                if built is None:
                    return default
                self.cache[path] = built
            return self.cache[path]

    def sitemap(self, path: str) -> Response | None:
        if path == "/sitemap.xml":
            return index([f"{BASE}/sitemaps/{year}/index.xml" for year in sorted(self.urlsets)])
        match = YEAR_INDEX_PATH.fullmatch(path)
        if match and int(match[1]) in self.urlsets:
            return index(
                [
                    f"{BASE}/sitemaps/{match[1]}/posts-{k}.xml.gz"
                    for k in range(1, len(self.urlsets[int(match[1])]) + 1)
                ]
            )
        match = URLSET_PATH.fullmatch(path)
        if (
            match
            and int(match[1]) in self.urlsets
            and 1 <= int(match[2]) <= len(self.urlsets[int(match[1])])
        ):
            numbers = self.urlsets[int(match[1])][int(match[2]) - 1]
            urls = "".join(
                f"<url><loc>{self.when.url(n)}</loc><lastmod>"
                f"{self.when.modified(n).isoformat()}</lastmod></url>"
                for n in numbers
            )
            xml = f'<?xml version="1.0" encoding="UTF-8"?><urlset {SITEMAP_NS}>{urls}</urlset>'
            return Response(gzip.compress(xml.encode(), mtime=0), "application/x-gzip")
        return None


def index(children: list[str]) -> Response:
    """A sitemap index without lastmod: every child is read."""
    entries = "".join(f"<sitemap><loc>{url}</loc></sitemap>" for url in children)
    return Response(
        f'<?xml version="1.0" encoding="UTF-8"?><sitemapindex {SITEMAP_NS}>'
        f"{entries}</sitemapindex>".encode(),
        "application/xml",
    )


def request_kinds(network: LoopbackNetwork, when: Timeline) -> Counter[str]:
    """Requests the site received: sitemap, stored article, new article, other."""
    kinds: Counter[str] = Counter()
    for url, count in network.requests.items():
        path = url.removeprefix(BASE)
        match = ARTICLE_PATH.fullmatch(path)
        if path.startswith("/sitemap"):
            kinds["sitemap"] += count
        elif match and int(match[4]) <= when.stored:
            kinds["stored article"] += count
        elif match and int(match[4]) <= when.total:
            kinds["new article"] += count
        else:
            kinds[f"other ({path})"] += count
    return kinds


# -- filling the database --------------------------------------------------------------------


def fill(conn: psycopg.Connection, content: Content, seed_path: Path) -> dict[str, float]:
    """COPY the stored pages, articles and bands of the site, as one backfill run left them."""
    when, n_stored, spent = content.timeline, content.timeline.stored, {}
    repository.register_source(conn, load_seed(seed_path))
    run_id = conn.execute(
        "INSERT INTO crawl_runs (source_id, flow_run_id, flow_name, status, started_at, "
        "finished_at, discovered, fetched, pages_stored, new_articles) VALUES (%s, 'scale-fill', "
        "'backfill', 'completed', %s, %s, %s, %s, %s, %s) RETURNING id",
        (
            SITE,
            when.now - timedelta(days=1),
            when.now - timedelta(hours=20),
            n_stored,
            n_stored,
            n_stored,
            n_stored,
        ),
    ).fetchone()["id"]
    progress = Progress("fill pages", n_stored)
    raw = 0
    started = time.perf_counter()
    with (
        conn.cursor() as cur,
        cur.copy(f"COPY pages ({PAGE_COLUMNS}) FROM STDIN (FORMAT BINARY)") as copy,
    ):
        copy.set_types(PAGE_TYPES)
        for n in range(1, n_stored + 1):
            body = content.page(n, content.story(n))
            raw += len(body)
            modified = when.modified(n)
            headers = {
                "content-type": "text/html; charset=UTF-8",
                "last-modified": f"{modified:%a, %d %b %Y %H:%M:%S} GMT",
                "etag": f'"{n:x}-{len(body):x}"',
                "cache-control": "max-age=300",
            }
            copy.write_row(
                (
                    n,
                    SITE,
                    run_id,
                    when.url(n),
                    when.url(n),
                    200,
                    headers,
                    "utf-8",
                    body,
                    hashlib.sha256(body).hexdigest(),
                    modified,
                    modified + timedelta(minutes=5 + n % 90),
                )
            )
            progress.step(n)
    spent["pages"], spent["raw_bytes"] = time.perf_counter() - started, raw
    bands = np.empty((n_stored, len(band_hashes(bytes(NUM_PERM * 8)))), dtype=np.int64)
    progress = Progress("fill articles", n_stored)
    started = time.perf_counter()
    with (
        conn.cursor() as cur,
        cur.copy(f"COPY articles ({ARTICLE_COLUMNS}) FROM STDIN (FORMAT BINARY)") as copy,
    ):
        copy.set_types(ARTICLE_TYPES)
        for n in range(1, n_stored + 1):
            story = content.story(n)
            if n <= 20:  # the cheaply built search form must be the real one
                assert normalize_for_search(story.text) == story.text_normalized
                assert count_words(story.text) == story.word_count
            # Random signatures: as incompressible as real ones, and unrelated texts share no
            # LSH band either way (real MinHash of 200,000 texts costs 2.5 min of CPU).
            minhash = (
                np.random.default_rng(n)
                .integers(0, 2**63, NUM_PERM, dtype=np.uint64)
                .astype("<u8")
                .tobytes()
            )
            bands[n - 1] = band_hashes(minhash)
            fetched = when.modified(n) + timedelta(minutes=5 + n % 90)
            copy.write_row(
                (
                    n,
                    SITE,
                    when.url(n),
                    when.url(n),
                    story.title,
                    story.subtitle,
                    story.authors,
                    when.published(n),
                    when.modified(n) if n % 5 == 0 else None,
                    story.section,
                    story.tags,
                    "واس" if n % 7 == 0 else None,
                    "ar",
                    story.text,
                    story.text_normalized,
                    story.word_count,
                    hashlib.sha256(story.text_normalized.encode()).hexdigest(),
                    EXTRACTOR_VERSION,
                    fetched + timedelta(hours=1),
                    fetched + timedelta(hours=1),
                    n,
                    f"{BASE}/wp-content/uploads/{n}.jpg",
                    minhash,
                    n,
                )
            )
            progress.step(n)
    spent["articles"] = time.perf_counter() - started
    started = time.perf_counter()
    with (
        conn.cursor() as cur,
        cur.copy("COPY article_bands (band, hash, article_id) FROM STDIN (FORMAT BINARY)") as copy,
    ):
        copy.set_types(("int2", "int8", "int8"))
        for n in range(1, n_stored + 1):
            for band, value in enumerate(bands[n - 1].tolist()):
                copy.write_row((band, value, n))
    spent["bands"] = time.perf_counter() - started
    for table in ("pages", "articles"):
        conn.execute(f"SELECT setval('{table}_id_seq', %s)", (n_stored,))
    started = time.perf_counter()
    conn.execute("VACUUM (ANALYZE) pages, articles, article_bands, crawl_runs, sources")
    spent["vacuum analyze"] = time.perf_counter() - started
    try:  # a checkpoint now rather than during the nightly (needs pg_checkpoint or superuser)
        conn.execute("CHECKPOINT")
    except psycopg.Error:
        pass
    return spent


class Progress:
    """A line on stderr every 5 % of a long loop."""

    def __init__(self, what: str, total: int) -> None:
        self.what, self.total, self.every = what, total, max(1, total // 20)
        self.started = time.perf_counter()

    def step(self, done: int) -> None:
        if done % self.every == 0 or done == self.total:
            print(
                f"  {self.what}: {done}/{self.total} in {time.perf_counter() - self.started:.0f} s",
                file=sys.stderr,
                flush=True,
            )


# -- the nightly -----------------------------------------------------------------------------


class CrawlSampler:
    """Peak RSS and CPU time of the crawl processes among this process's children."""

    def __init__(self, interval: float = 0.05) -> None:
        self.interval, self.peak, self.cpu, self.seen = interval, 0, 0.0, (0.0, 0.0)
        self.own_peak = 0
        self.stop = threading.Event()
        self.thread = threading.Thread(target=self.run, daemon=True)

    def run(self) -> None:
        me = psutil.Process()
        first = last = 0.0
        while not self.stop.is_set():
            self.own_peak = max(self.own_peak, me.memory_info().rss)
            for child in me.children(recursive=True):
                try:
                    if "akhbar.spiders.crawl" not in " ".join(child.cmdline()):
                        continue
                    self.peak = max(self.peak, child.memory_info().rss)
                    times = child.cpu_times()
                    self.cpu = times.user + times.system
                except psutil.Error:
                    continue
                last = time.monotonic()
                first = first or last
            self.seen = (first, last)
            time.sleep(self.interval)

    def __enter__(self) -> CrawlSampler:
        self.thread.start()
        return self

    def __exit__(self, *exc_info) -> None:
        self.stop.set()
        self.thread.join()


class CrawlLog(logging.Handler):
    """The crawl process's own lines, as the flow relays them, with their times."""

    KEPT = re.compile(r"crawl process \d+ started|INFO news: |Spider closed|Dumping Scrapy")

    def __init__(self) -> None:
        super().__init__(logging.INFO)
        self.lines: list[tuple[float, str]] = []

    def emit(self, record: logging.LogRecord) -> None:
        message = record.getMessage()
        if self.KEPT.search(message):
            self.lines.append((record.created, message))


def load_sql_timer(folder: Path):
    """Time this process's SQL, and the crawl process's (a sitecustomize on PYTHONPATH)."""
    folder.mkdir()
    (folder / "sitecustomize.py").write_text(SQL_TIMER)
    spec = importlib.util.spec_from_file_location(
        "akhbar_bench_sql_timer", folder / "sitecustomize.py"
    )
    timer = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(timer)
    os.environ[SQL_DIR_ENV] = str(folder)
    os.environ["PYTHONPATH"] = os.pathsep.join(
        filter(None, (str(folder), os.environ.get("PYTHONPATH")))
    )
    return timer


def run_nightly(seeds_dir: Path, site: ScaleSite, work: Path) -> dict:
    """The real nightly flow over the site; wall time, task split, RSS, SQL time, requests."""
    from akhbar.flows.nightly import nightly
    from prefect.client.orchestration import get_client
    from prefect.client.schemas.filters import (
        FlowRunFilter,
        FlowRunFilterId,
        FlowRunFilterParentFlowRunId,
    )
    from prefect.testing.utilities import prefect_test_harness

    crawl_log = CrawlLog()
    logging.getLogger("prefect.task_runs").addHandler(crawl_log)
    with prefect_test_harness(), LoopbackNetwork({HOST: site}) as network:
        timer = load_sql_timer(work / "sqltimer")
        with CrawlSampler() as sampler:
            timer.SPENT.clear()
            started = time.perf_counter()
            state = nightly(
                sites=[SITE], seeds_dir=str(seeds_dir), proxy=network.proxy_url, return_state=True
            )
            wall = time.perf_counter() - started
        logging.getLogger("prefect.task_runs").removeHandler(crawl_log)
        flow_sql = {k: tuple(v) for k, v in timer.SPENT.items()}
        os.environ["PYTHONPATH"] = os.environ["PYTHONPATH"].partition(os.pathsep)[2]
        if not os.environ["PYTHONPATH"]:
            del os.environ["PYTHONPATH"]
        run_id = state.state_details.flow_run_id
        with get_client(sync_client=True) as client:
            children = client.read_flow_runs(
                flow_run_filter=FlowRunFilter(
                    parent_flow_run_id=FlowRunFilterParentFlowRunId(any_=[run_id])
                )
            )
            runs = client.read_task_runs(
                flow_run_filter=FlowRunFilter(
                    id=FlowRunFilterId(any_=[run_id, *(c.id for c in children)])
                )
            )
    requests = request_kinds(network, site.when)
    crawl_sql: dict[str, tuple[int, float]] = {}
    for dump in (work / "sqltimer").glob("*.json"):
        data = json.loads(dump.read_text())
        if Path(data["argv"][0]).parts[-2:] == ("spiders", "crawl.py"):
            crawl_sql.update({k: tuple(v) for k, v in data["spent"].items()})
    tasks = [t for t in runs if t.state and not t.state.state_details.child_flow_run_id]
    split: dict[str, float] = defaultdict(float)
    for task_run in tasks:
        name = task_run.task_key.rsplit("-", 1)[0]
        group = {
            "crawl_site": "crawl",
            "extract_pages": "extract",
            "load_extracted": "load",
            "read_pages": "read pages",
        }.get(name, "bookkeeping")
        split[group] += task_run.total_run_time.total_seconds()
    return {
        "state": state,
        "wall": wall,
        "crawl_log": crawl_log.lines,
        "split": split,
        "requests": requests,
        "crawl_peak": sampler.peak,
        "crawl_cpu": sampler.cpu,
        "crawl_life": sampler.seen[1] - sampler.seen[0],
        "own_peak": sampler.own_peak,
        "flow_sql": flow_sql,
        "crawl_sql": crawl_sql,
    }


# -- sizes, compression, search, plans -------------------------------------------------------


def table_sizes(conn: psycopg.Connection) -> tuple[list[dict], list[dict]]:
    tables = conn.execute(
        "SELECT c.relname AS name, pg_relation_size(c.oid) AS heap, "
        "pg_table_size(c.oid) - pg_relation_size(c.oid) AS toast, "
        "pg_indexes_size(c.oid) AS indexes, pg_total_relation_size(c.oid) AS total "
        "FROM pg_class c JOIN pg_namespace s ON s.oid = c.relnamespace "
        "WHERE s.nspname = 'public' AND c.relkind = 'r' AND c.relname NOT LIKE 'scale_body_%%' "
        "ORDER BY total DESC"
    ).fetchall()
    indexes = conn.execute(
        "SELECT i.indexrelid::regclass::text AS name, i.indrelid::regclass::text AS tab, "
        "pg_relation_size(i.indexrelid) AS size FROM pg_index i JOIN pg_class c "
        "ON c.oid = i.indrelid JOIN pg_namespace s ON s.oid = c.relnamespace "
        "WHERE s.nspname = 'public' AND pg_relation_size(i.indexrelid) > 1024 * 1024 "
        "ORDER BY size DESC"
    ).fetchall()
    return tables, indexes


def lz4_supported(conn: psycopg.Connection) -> bool:
    return bool(
        conn.execute(
            "SELECT 1 FROM pg_settings WHERE name = 'default_toast_compression' "
            "AND 'lz4' = ANY (enumvals)"
        ).fetchone()
    )


def compare_compression(conn: psycopg.Connection, content: Content, sample: int) -> list[tuple]:
    """(method, raw MB, stored MB, write s, read s) of `sample` page bodies in scratch tables."""
    bodies = [content.page(n, content.story(n)) for n in range(1, sample + 1)]
    raw = sum(map(len, bodies))
    rows = []
    for method in ("pglz", "lz4") if lz4_supported(conn) else ("pglz",):
        table = f"scale_body_{method}"
        conn.execute(f"DROP TABLE IF EXISTS {table}")
        conn.execute(f"CREATE TABLE {table} (id int, body bytea COMPRESSION {method})")
        started = time.perf_counter()
        with conn.cursor() as cur, cur.copy(f"COPY {table} FROM STDIN (FORMAT BINARY)") as copy:
            copy.set_types(("int4", "bytea"))
            for n, body in enumerate(bodies):
                copy.write_row((n, body))
        written = time.perf_counter() - started
        started = time.perf_counter()
        # length(body) alone reads the size from the TOAST pointer; appending decompresses each
        conn.execute(f"SELECT sum(length(body || decode('00', 'hex'))) FROM {table}")
        read = time.perf_counter() - started
        size = conn.execute("SELECT pg_total_relation_size(%s) AS s", (table,)).fetchone()["s"]
        used = conn.execute(
            f"SELECT pg_column_compression(body) AS m FROM {table} LIMIT 1"
        ).fetchone()["m"]
        conn.execute(f"DROP TABLE {table}")
        rows.append((f"{method} (used: {used})", raw / MB, size / MB, written, read))
    return rows


def search_queries(content: Content) -> list[tuple[str, str]]:
    """~20 queries: common words, less common ones, two words, phrases found in articles."""
    words = content.words.text[len(FUNCTION_WORDS) :]
    rng = random.Random(5)
    asked = [("common word", w) for w in words[:8]]
    asked += [("word", w) for w in rng.sample(words[50:500], 4)]
    asked += [("two words", f"{a} {b}") for a, b in zip(words[:4], words[8:12], strict=True)]
    for n in rng.sample(range(1, content.timeline.stored + 1), 4):
        text = content.story(n).text.split()
        at = rng.randrange(len(text) - 1)
        asked.append(("phrase", f'"{text[at]} {text[at + 1]}"'.replace("،", "").replace(".", "")))
    return asked


def search_latency(conn: psycopg.Connection, content: Content) -> tuple[list[tuple], float]:
    from akhbar.sql import corpus

    asked = search_queries(content)
    corpus.search(asked[0][1], conn=conn)  # warm-up (camel-tools import), not counted
    timed = []
    for kind, text in asked:
        started = time.perf_counter()
        hits = len(corpus.search(text, limit=20, conn=conn))
        timed.append(((time.perf_counter() - started) * 1000, kind, text, hits))
    started = time.perf_counter()
    subprocess.run(
        [sys.executable, "-m", "akhbar.flows.cli", "search", asked[0][1], "--json"],
        check=True,
        capture_output=True,
    )
    return timed, time.perf_counter() - started


def explain(conn: psycopg.Connection, name: str, params: dict) -> list[str]:
    plan = conn.execute("EXPLAIN (ANALYZE, BUFFERS) " + sql.query(name), params).fetchall()
    return [row["QUERY PLAN"] for row in plan]


# -- the run ---------------------------------------------------------------------------------


def report(args: argparse.Namespace, url: str, work: Path) -> list[tuple]:
    now = datetime.now(UTC).replace(second=0, microsecond=0)
    content = Content(Timeline(now, args.articles, args.new))
    seeds_dir = work / "seeds"
    seeds_dir.mkdir()
    (seeds_dir / f"{SITE}.toml").write_text(SEED, encoding="utf-8")
    sql.migrate(url)
    with sql.connect(url, autocommit=True) as conn:
        info = conn.execute(
            "SELECT current_setting('server_version') AS version, "
            "current_setting('default_toast_compression') AS toast, "
            "current_setting('shared_buffers') AS shared_buffers, "
            "current_setting('work_mem') AS work_mem, "
            "(SELECT datcollate FROM pg_database WHERE datname = current_database()) AS collate, "
            "(SELECT attcompression "
            "FROM pg_attribute WHERE attrelid = 'pages'::regclass AND attname = 'body') AS body"
        ).fetchone()
        print(
            f"server: PostgreSQL {info['version']}, shared_buffers {info['shared_buffers']}, "
            f"work_mem {info['work_mem']}, collation {info['collate']}, "
            f"default_toast_compression {info['toast']}, pages.body compression "
            f"{'lz4' if info['body'] == 'l' else 'pglz' if info['body'] == 'p' else 'default'}"
            f", lz4 {'available' if lz4_supported(conn) else 'not built in'}"
        )
        started = time.perf_counter()
        filling = fill(conn, content, seeds_dir / f"{SITE}.toml")
        filled = time.perf_counter() - started
        print(
            f"fill: {args.articles} pages + articles in {filled:.0f} s (pages COPY "
            f"{filling['pages']:.0f} s, {filling['raw_bytes'] / args.articles / 1024:.1f} KB "
            f"raw HTML each on average; articles COPY {filling['articles']:.0f} s; bands COPY "
            f"{filling['bands']:.0f} s; VACUUM ANALYZE {filling['vacuum analyze']:.0f} s)"
        )

    site = ScaleSite(content)
    _ = site.urlsets
    print(
        f"site: {sum(len(v) for v in site.urlsets.values())} gzipped urlsets in "
        f"{len(site.urlsets)} yearly indexes, {content.timeline.total} URLs "
        f"({args.new} new)",
        flush=True,
    )
    night = run_nightly(seeds_dir, site, work)
    state = night["state"]

    with sql.connect(url, autocommit=True) as conn:
        run = conn.execute(
            "SELECT * FROM crawl_runs WHERE source_id = %s AND flow_name = "
            "'nightly' ORDER BY id DESC LIMIT 1",
            (SITE,),
        ).fetchone()
        counts = conn.execute(
            "SELECT (SELECT count(*) FROM pages) AS pages, (SELECT count(*) FROM articles) "
            "AS articles, (SELECT count(*) FROM rejects) AS rejects"
        ).fetchone()
        tables, indexes = table_sizes(conn)
        used = conn.execute(
            "SELECT coalesce(pg_column_compression(body), 'none') AS method, "
            "count(*) AS n, sum(pg_column_size(body)) AS stored FROM pages "
            "GROUP BY 1 ORDER BY 2 DESC"
        ).fetchall()
        compression = compare_compression(conn, content, args.compression_sample)
        timed, cli = search_latency(conn, content)
        plans = {
            name: explain(conn, name, {"source_id": SITE})
            for name in ("held_dates_of_source", "pending_page_ids")
        }
        slowest = max(timed)
        plans["search_articles"] = explain(
            conn,
            "search_articles",
            {
                "query": normalize_for_search(slowest[2]),
                "sites": None,
                "since": None,
                "until": None,
                "limit": 20,
                "candidates": 2000,
            },
        )

    kinds = night["requests"]
    print(f"\nnightly: {state.type.value} {state.message or ''} in {night['wall']:.1f} s")
    print(
        "  tasks: "
        + ", ".join(
            f"{k} {v:.1f} s" for k, v in sorted(night["split"].items(), key=lambda kv: -kv[1])
        )
        + f"; Prefect and the rest "
        f"{night['wall'] - sum(night['split'].values()):.1f} s"
    )
    print(
        f"  crawl run: discovered {run['discovered']}, fetched {run['fetched']}, pages stored "
        f"{run['pages_stored']}, new articles {run['new_articles']}, errors {run['errors']}, "
        f"status {run['status']}; article outcomes {json.dumps(run['outcomes'].get('article'))}"
    )
    print(
        "  requests the site received: " + ", ".join(f"{k} {v}" for k, v in sorted(kinds.items()))
    )
    print(
        f"  crawl process: alive {night['crawl_life']:.1f} s, CPU {night['crawl_cpu']:.1f} s, "
        f"peak RSS {night['crawl_peak'] / MB:.0f} MB; this process (flow, extraction, the "
        f"site) peak RSS {night['own_peak'] / MB:.0f} MB"
    )
    if night["crawl_log"]:
        zero = night["crawl_log"][0][0]
        print("  crawl process timeline (its log lines as relayed):")
        lines: list[tuple[float, str]] = []
        for at, line in night["crawl_log"]:  # Scrapy's closing lines come twice
            if all(line != seen for _, seen in lines):
                lines.append((at, line))
        if len(lines) > 14:
            lines = lines[:12] + [(0.0, "…")] + lines[-2:]
        for at, line in lines:
            print(f"    {'' if line == '…' else f'+{at - zero:5.1f} s'}  {line[:110]}")
    sql_total = {}
    for who in ("crawl", "flow"):
        spent = night[f"{who}_sql"]
        sql_total[who] = sum(s for _, s in spent.values())
        print(
            f"  SQL of the {who} process: {sql_total[who]:.2f} s in "
            f"{sum(c for c, _ in spent.values())} statements; slowest:"
        )
        for name, (calls, seconds) in sorted(spent.items(), key=lambda kv: -kv[1][1])[:6]:
            print(f"    {seconds:7.3f} s  {calls:6d} x  {name}")
    print(
        f"\ndatabase after the nightly: {counts['pages']} pages, {counts['articles']} articles,"
        f" {counts['rejects']} rejects"
    )
    print(
        f"  {'table':22} {'heap MB':>9} {'TOAST MB':>9} {'index MB':>9} {'total MB':>9} "
        f"{'B/article':>10}"
    )
    per_article = counts["articles"] or 1
    for row in tables:
        if row["total"] > 64 * 1024:
            print(
                f"  {row['name']:22} {row['heap'] / MB:9.1f} {row['toast'] / MB:9.1f} "
                f"{row['indexes'] / MB:9.1f} {row['total'] / MB:9.1f} "
                f"{row['total'] / per_article:10,.0f}"
            )
    everything = sum(row["total"] for row in tables)
    print(
        f"  {'all tables':22} {'':9} {'':9} {'':9} {everything / MB:9.1f} "
        f"{everything / per_article:10,.0f}"
    )
    print(
        "  indexes over 1 MB: " + ", ".join(f"{i['name']} {i['size'] / MB:.0f} MB" for i in indexes)
    )
    print(
        "  pages.body as stored: "
        + ", ".join(f"{r['method']} {r['n']} rows {r['stored'] / MB:.0f} MB" for r in used)
        + f" (raw HTML of the {args.articles} filled pages {filling['raw_bytes'] / MB:.0f} MB)"
    )
    print(f"  compression of {args.compression_sample} bodies in scratch tables:")
    for method, raw, stored, written, read in compression:
        print(
            f"    {method:18} {raw:7.1f} MB -> {stored:6.1f} MB ({stored / raw:5.1%}); "
            f"COPY {written:5.2f} s, read back {read:5.2f} s"
        )

    ms = sorted(t[0] for t in timed)
    p95 = statistics.quantiles(ms, n=20, method="inclusive")[18]
    print(
        f"\nsearch over {counts['articles']} articles: {len(ms)} queries, p50 "
        f"{statistics.median(ms):.0f} ms, p95 {p95:.0f} ms, max {ms[-1]:.0f} ms "
        f"(slowest: {slowest[2]} [{slowest[1]}], {slowest[3]} hits); `akhbar search` CLI "
        f"end to end {cli * 1000:.0f} ms"
    )
    for kind in dict.fromkeys(t[1] for t in timed):
        got = [t for t in timed if t[1] == kind]
        print(f"  {kind:12} " + ", ".join(f"{t[2]} {t[0]:.0f} ms/{t[3]}" for t in got))
    for name, lines in plans.items():
        print(f"\nEXPLAIN ANALYZE {name}:")
        print("\n".join("  " + line for line in lines))

    fetched_new = kinds.get("new article", 0)
    only_new = fetched_new == args.new and not kinds.get("stored article")
    sql_all = sql_total["crawl"] + sql_total["flow"]
    return [
        (
            "nightly wall time",
            f"{night['wall']:.1f} s",
            f"< {GOAL_WALL_S} s",
            night["wall"] < GOAL_WALL_S,
        ),
        (
            "crawl process peak RSS",
            f"{night['crawl_peak'] / MB:.0f} MB",
            f"< {GOAL_RSS_MB} MB",
            night["crawl_peak"] < GOAL_RSS_MB * MB,
        ),
        (
            "articles fetched: new / stored",
            f"{fetched_new} / {kinds.get('stored article', 0)}",
            f"{args.new} / 0",
            only_new,
        ),
        (
            "new articles loaded",
            f"{run['new_articles']}",
            f"{args.new}",
            run["new_articles"] == args.new,
        ),
        (
            "time in SQL: crawl / flow",
            f"{sql_total['crawl']:.1f} / {sql_total['flow']:.1f} s",
            "",
            "",
        ),
        ("time in SQL, share of wall", f"{sql_all / night['wall']:.0%}", "", ""),
        ("database bytes per article", f"{everything / per_article:,.0f} B", "", ""),
        (
            "search p50 / p95",
            f"{statistics.median(ms):.0f} / {p95:.0f} ms",
            f"p95 < {GOAL_SEARCH_P95_MS} ms",
            p95 < GOAL_SEARCH_P95_MS,
        ),
    ]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--articles", type=int, default=200_000, help="stored articles")
    parser.add_argument("--new", type=int, default=100, help="new articles in the sitemaps")
    parser.add_argument(
        "--compression-sample",
        type=int,
        default=2000,
        help="page bodies written with pglz and lz4 to compare",
    )
    parser.add_argument(
        "--keep",
        action="store_true",
        help="keep the database (and the embedded server's directory)",
    )
    args = parser.parse_args()
    os.environ.setdefault("AKHBAR_CRAWL_LOG_LEVEL", "INFO")
    # INFO reaches the flow's loggers (the crawl's lines are read from them), not the terminal.
    for handler in ("", "_FLOW_RUNS", "_TASK_RUNS"):
        os.environ.setdefault(f"PREFECT_LOGGING_HANDLERS_CONSOLE{handler}_LEVEL", "WARNING")
    work = Path(tempfile.mkdtemp(prefix="akhbar-bench-scale-"))
    admin, name, server = os.environ.get(sql.DATABASE_URL_ENV), f"akhbar_scale_{os.getpid()}", None
    try:
        if admin:  # CREATE fails if the name is taken: no existing database is used
            with psycopg.connect(admin, autocommit=True) as conn:
                conn.execute(f"CREATE DATABASE {name}")
            url = make_conninfo(admin, dbname=name)
        else:
            os.environ[sql.DATA_DIR_ENV] = str(work / "data")
            server = join(work / "data" / "pgdata", EMBEDDED_DATABASE)
            url = server.url(EMBEDDED_DATABASE)
        os.environ[sql.DATABASE_URL_ENV] = url  # the flow and the crawl process use it
        print(f"database: {sql.redact(url)}")
        rows = report(args, url, work)
    finally:
        if server:
            server.leave()  # the last user: stops it
        elif admin and not args.keep:
            with psycopg.connect(admin, autocommit=True) as conn:
                conn.execute(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")
        if args.keep:
            print(
                f"kept: {work}"
                + (f" (AKHBAR_DATA_DIR={work / 'data'})" if server else f", database {name}")
            )
        else:
            shutil.rmtree(work, ignore_errors=True)
    print(f"\n{'measure':34} {'figure':>16}  {'goal':16} met")
    for label, figure, goal, met in rows:
        print(f"{label:34} {figure:>16}  {goal:16} {'' if met == '' else 'yes' if met else 'NO'}")
    return 0 if all(met is not False for *_, met in rows) else 1


if __name__ == "__main__":
    sys.exit(main())
