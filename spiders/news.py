"""The one generic news spider: discovers articles, fetches each once, stores the raw page.

Nightly mode reads feeds, sitemaps (with HTTP validators), recent date archives and section
listings, and fetches what is new or changed. Window mode (a backfill chunk) reads sitemaps and
the date archives of the window only, and fetches the articles dated inside it.
"""

from __future__ import annotations

import gzip
import io
from collections.abc import Iterator
from datetime import date, datetime, time, timedelta
from urllib.parse import urljoin
from zoneinfo import ZoneInfo

import scrapy
from akhbar.extract.encoding import detect_encoding
from akhbar.extract.urls import host_in
from akhbar.seeds import Listing, Seed
from akhbar.spiders.discovery import Discovered, is_feed, parse_feed, parse_sitemap
from akhbar.spiders.store import PageStore, selected_headers
from scrapy.exceptions import IgnoreRequest
from scrapy.http import HtmlResponse, Response

MAX_SITEMAP_DEPTH = 3
MAX_SITEMAP_BYTES = 50 * 1024 * 1024  # the sitemap protocol's own limit, uncompressed
GZIP_MAGIC = b"\x1f\x8b"
NEXT_PAGE = "a[rel~=next]::attr(href), link[rel~=next]::attr(href)"
NEXT_PAGE_TEXT = ("التالي", "الصفحة التالية", "next", "›", "»")


class NewsSpider(scrapy.Spider):
    """Crawl one site as its seed describes it."""

    name = "news"

    def __init__(self, seed: Seed, database_url: str, crawl_run_id: int | None = None,
                 since: date | None = None, until: date | None = None, **kwargs) -> None:
        super().__init__(**kwargs)
        self.seed = seed
        self.allowed_domains = list(seed.domains)
        self.store = PageStore(database_url, seed.id, crawl_run_id)
        self.zone = ZoneInfo(seed.timezone)
        self.window = None
        if since and until:
            self.window = (datetime.combine(since, time(), self.zone),
                           datetime.combine(until + timedelta(days=1), time(), self.zone))
        self.known: dict[str, datetime] = {}
        self.validators: dict[str, tuple[str | None, str | None]] = {}
        self.new_validators: dict[str, tuple[str | None, str | None]] = {}
        self.queued: set[str] = set()

    # -- start ---------------------------------------------------------------------------

    async def start(self) -> Iterator[scrapy.Request]:
        self.known = self.store.latest_fetches()
        if not self.window:
            self.validators = self.store.validators()
        self.logger.info("%s: %d article URLs already stored%s", self.seed.id, len(self.known),
                         f"; window {self.window[0]:%Y-%m-%d}..{self.window[1]:%Y-%m-%d}"
                         if self.window else "")
        for url in self.seed.feeds:
            yield self.discovery_request(url, self.parse_feed)
        for url in self.seed.sitemaps:
            yield self.discovery_request(url, self.parse_sitemap, depth=0)
        for day in self.archive_days():
            for template in self.seed.archives:
                url = template.format(yyyy=f"{day.year:04d}", mm=f"{day.month:02d}",
                                      dd=f"{day.day:02d}")
                yield scrapy.Request(url, callback=self.parse_archive, errback=self.on_error,
                                     cb_kwargs={"day": day},
                                     meta={"handle_httpstatus_list": [404]})
        if not self.window:
            for listing in self.seed.listings:
                yield scrapy.Request(listing.url, callback=self.parse_listing,
                                     errback=self.on_error,
                                     cb_kwargs={"listing": listing, "page": 1})

    def archive_days(self) -> list[date]:
        if self.window:
            first, end = self.window[0].date(), self.window[1].date()
            return [first + timedelta(days=n) for n in range((end - first).days)]
        today = datetime.now(self.zone).date()
        return [today - timedelta(days=n) for n in range(self.seed.archive_days)]

    def discovery_request(self, url: str, callback, **cb_kwargs) -> scrapy.Request:
        """A feed or sitemap request, conditional on what the server answered last time."""
        headers = {}
        etag, last_modified = self.validators.get(url, (None, None))
        if etag:
            headers["If-None-Match"] = etag
        if last_modified:
            headers["If-Modified-Since"] = last_modified
        return scrapy.Request(url, callback=callback, errback=self.on_error, headers=headers,
                              dont_filter=True, cb_kwargs=cb_kwargs,
                              meta={"handle_httpstatus_list": [304]})

    def not_modified(self, response: Response) -> bool:
        """Note the validators of a discovery response; True when the server said 304."""
        if response.status == 304:
            self.crawler.stats.inc_value("akhbar/not_modified")
            self.logger.info("%s not modified since the last run", response.url)
            return True
        etag = response.headers.get("ETag")
        last_modified = response.headers.get("Last-Modified")
        if etag or last_modified:
            self.new_validators[response.url] = (
                etag.decode("latin-1") if etag else None,
                last_modified.decode("latin-1") if last_modified else None)
        return False

    def closed(self, reason: str) -> None:
        # Validators are kept only after a clean crawl: after errors, the next run must see
        # the whole feed again to retry what failed.
        if not self.window and not self.crawler.stats.get_value("akhbar/errors"):
            self.store.save_validators(self.new_validators)
        self.store.close()

    # -- discovery -----------------------------------------------------------------------

    def parse_feed(self, response: Response) -> Iterator[scrapy.Request]:
        if self.not_modified(response):
            return
        if not is_feed(response.body):
            self.logger.error("%s is not an RSS or Atom feed; skipped", response.url)
            self.crawler.stats.inc_value("akhbar/errors")
            return
        entries = parse_feed(response.body, response.url)
        self.logger.info("feed %s lists %d links", response.url, len(entries))
        yield from self.follow_articles(entries)

    def parse_sitemap(self, response: Response, depth: int) -> Iterator[scrapy.Request]:
        if self.not_modified(response):
            return
        body = response.body
        if body[:2] == GZIP_MAGIC:
            try:
                body = gzip.GzipFile(fileobj=io.BytesIO(body)).read(MAX_SITEMAP_BYTES + 1)
            except (OSError, EOFError) as exc:
                self.logger.error("%s: broken gzip (%s); skipped", response.url, exc)
                self.crawler.stats.inc_value("akhbar/errors")
                return
            if len(body) > MAX_SITEMAP_BYTES:
                self.logger.error("%s: over 50 MB uncompressed; skipped", response.url)
                self.crawler.stats.inc_value("akhbar/errors")
                return
        pages, children = parse_sitemap(body, response.url)
        self.logger.info("sitemap %s lists %d pages and %d sitemaps",
                         response.url, len(pages), len(children))
        if depth >= MAX_SITEMAP_DEPTH and children:
            self.logger.warning("%s: sitemaps nested deeper than %d levels ignored",
                                response.url, MAX_SITEMAP_DEPTH)
            children = []
        for child in children:
            if not host_in(child.url, self.seed.domains):
                continue
            if self.window and child.lastmod and child.lastmod < self.window[0]:
                continue  # nothing in it changed since the window began
            yield self.discovery_request(child.url, self.parse_sitemap, depth=depth + 1)
        yield from self.follow_articles(pages)

    def parse_archive(self, response: Response, day: date) -> Iterator[scrapy.Request]:
        """A date archive page: its article links are dated that day."""
        if response.status == 404:  # a day with no archive page: nothing was published
            self.logger.info("no archive page for %s (%s)", day, response.url)
            return
        noon = datetime.combine(day, time(12), self.zone)
        links = self.links_of(self.decoded(response))
        self.logger.info("archive %s lists %d links", response.url, len(links))
        yield from self.follow_articles([Discovered(url, published=noon) for url in links])

    def parse_listing(self, response: Response, listing: Listing,
                      page: int) -> Iterator[scrapy.Request]:
        response = self.decoded(response)
        links = self.links_of(response)
        self.logger.info("listing %s (page %d) lists %d links", response.url, page, len(links))
        yield from self.follow_articles([Discovered(url) for url in links])
        if page >= listing.max_pages:
            return
        next_url = (response.css(f"{listing.next_selector}::attr(href)").get()
                    if listing.next_selector else response.css(NEXT_PAGE).get())
        if not next_url:
            for anchor in response.css("a"):
                text = " ".join(anchor.css("::text").getall()).strip().lower()
                if text in NEXT_PAGE_TEXT and anchor.attrib.get("href"):
                    next_url = anchor.attrib["href"]
                    break
        if next_url:
            yield response.follow(next_url, callback=self.parse_listing, errback=self.on_error,
                                  cb_kwargs={"listing": listing, "page": page + 1})

    def decoded(self, response: Response) -> HtmlResponse:
        """The page decoded as detect_encoding reads it (legacy pages lie about charsets)."""
        content_type = response.headers.get("Content-Type", b"").decode("latin-1")
        encoding = detect_encoding(response.body, content_type, self.seed.extraction.encoding)
        return HtmlResponse(response.url, body=response.body, encoding=encoding,
                            request=response.request)

    @staticmethod
    def links_of(response: Response) -> list[str]:
        return [urljoin(response.url, href.strip())
                for href in response.css("a::attr(href)").getall() if href.strip()]

    def follow_articles(self, entries: list[Discovered]) -> Iterator[scrapy.Request]:
        """Requests for the articles not stored yet, or changed since we stored them."""
        stats = self.crawler.stats
        for entry in entries:
            url = self.seed.canonical_url(entry.url)
            if url in self.queued or not host_in(url, self.seed.domains) \
                    or not self.seed.is_article_url(url):
                continue
            if self.window and not (entry.dated and self.window[0] <= entry.dated
                                    < self.window[1]):
                continue
            self.queued.add(url)
            stats.inc_value("akhbar/discovered")
            held = self.known.get(url)
            if held is not None and (entry.changed_at is None or entry.changed_at <= held):
                stats.inc_value("akhbar/unchanged_skipped")
                continue
            cap = self.seed.politeness.max_articles
            if cap is not None and stats.get_value("akhbar/requested", 0) >= cap:
                stats.inc_value("akhbar/over_cap")
                continue
            stats.inc_value("akhbar/requested")
            yield scrapy.Request(url, callback=self.parse_article, errback=self.on_error,
                                 meta={"lastmod": entry.changed_at, "article_url": url})

    # -- articles ------------------------------------------------------------------------

    def parse_article(self, response: Response) -> Iterator[dict]:
        self.crawler.stats.inc_value("akhbar/fetched")
        content_type = response.headers.get("Content-Type", b"").decode("latin-1")
        yield {
            "url": response.meta["article_url"],
            "final_url": response.url,
            "http_status": response.status,
            "headers": selected_headers(response.headers),
            "encoding": detect_encoding(response.body, content_type,
                                        self.seed.extraction.encoding),
            "body": response.body,
            "lastmod": response.meta["lastmod"],
        }

    def on_error(self, failure) -> None:
        if failure.check(IgnoreRequest):  # robots.txt disallows it, or an off-site redirect
            self.logger.warning("%s not fetched: %s", failure.request.url, failure.value)
            return
        self.crawler.stats.inc_value("akhbar/errors")
        self.logger.error("%s failed: %s", failure.request.url, failure.getErrorMessage())
