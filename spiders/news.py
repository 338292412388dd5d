"""The one generic news spider: discovers articles from feeds and sitemaps, fetches each once."""

from __future__ import annotations

import gzip
from collections.abc import Iterator
from datetime import datetime

import scrapy
from akhbar.extract.urls import canonical_url, host_in
from akhbar.seeds import Seed
from akhbar.spiders.discovery import Discovered, is_feed, parse_feed, parse_sitemap
from akhbar.spiders.store import PageStore, selected_headers
from scrapy.exceptions import IgnoreRequest
from scrapy.http import Response

MAX_SITEMAP_DEPTH = 3
GZIP_MAGIC = b"\x1f\x8b"


class NewsSpider(scrapy.Spider):
    """Crawl one site as its seed describes it."""

    name = "news"

    def __init__(self, seed: Seed, database_url: str, crawl_run_id: int | None = None,
                 **kwargs) -> None:
        super().__init__(**kwargs)
        self.seed = seed
        self.allowed_domains = list(seed.domains)
        self.store = PageStore(database_url, seed.id, crawl_run_id)
        self.known: dict[str, datetime] = {}
        self.queued: set[str] = set()

    async def start(self) -> Iterator[scrapy.Request]:
        self.known = self.store.latest_fetches()
        self.logger.info("%s: %d article URLs already stored", self.seed.id, len(self.known))
        for url in self.seed.feeds:
            yield scrapy.Request(url, callback=self.parse_feed, dont_filter=True,
                                 errback=self.on_error)
        for url in self.seed.sitemaps:
            yield scrapy.Request(url, callback=self.parse_sitemap, dont_filter=True,
                                 errback=self.on_error, cb_kwargs={"depth": 0})

    def closed(self, reason: str) -> None:
        self.store.close()

    def parse_feed(self, response: Response) -> Iterator[scrapy.Request]:
        if not is_feed(response.body):
            self.logger.warning("%s is not an RSS or Atom feed; skipped", response.url)
            self.crawler.stats.inc_value("akhbar/errors")
            return
        entries = parse_feed(response.body, response.url)
        self.logger.info("feed %s lists %d links", response.url, len(entries))
        yield from self.follow_articles(entries)

    def parse_sitemap(self, response: Response, depth: int) -> Iterator[scrapy.Request]:
        body = response.body
        if body[:2] == GZIP_MAGIC:
            try:
                body = gzip.decompress(body)
            except (OSError, EOFError):
                self.logger.warning("%s: broken gzip; skipped", response.url)
                self.crawler.stats.inc_value("akhbar/errors")
                return
        pages, children = parse_sitemap(body, response.url)
        self.logger.info("sitemap %s lists %d pages and %d sitemaps",
                         response.url, len(pages), len(children))
        if depth < MAX_SITEMAP_DEPTH:
            for child in children:
                if host_in(child.url, self.seed.domains):
                    yield scrapy.Request(child.url, callback=self.parse_sitemap,
                                         errback=self.on_error, cb_kwargs={"depth": depth + 1})
        yield from self.follow_articles(pages)

    def follow_articles(self, entries: list[Discovered]) -> Iterator[scrapy.Request]:
        """Requests for the articles not stored yet, or changed since we stored them."""
        cap = self.seed.politeness.max_articles
        for entry in entries:
            url = canonical_url(entry.url)
            if url in self.queued or not host_in(url, self.seed.domains) \
                    or not self.seed.is_article_url(url):
                continue
            self.queued.add(url)
            self.crawler.stats.inc_value("akhbar/discovered")
            held = self.known.get(url)
            if held is not None and (entry.lastmod is None or entry.lastmod <= held):
                self.crawler.stats.inc_value("akhbar/unchanged_skipped")
                continue
            if cap is not None and self.crawler.stats.get_value("akhbar/requested", 0) >= cap:
                continue
            self.crawler.stats.inc_value("akhbar/requested")
            yield scrapy.Request(url, callback=self.parse_article, errback=self.on_error,
                                 meta={"lastmod": entry.lastmod, "article_url": url})

    def parse_article(self, response: Response) -> Iterator[dict]:
        self.crawler.stats.inc_value("akhbar/fetched")
        yield {
            "url": response.meta["article_url"],
            "final_url": response.url,
            "http_status": response.status,
            "headers": selected_headers(response.headers),
            "encoding": getattr(response, "encoding", None),
            "body": response.body,
            "lastmod": response.meta["lastmod"],
        }

    def on_error(self, failure) -> None:
        if failure.check(IgnoreRequest):  # robots.txt disallows it, or a size limit
            self.logger.warning("%s not fetched: %s", failure.request.url, failure.value)
            return
        self.crawler.stats.inc_value("akhbar/errors")
        self.logger.error("%s failed: %s", failure.request.url, failure.getErrorMessage()
                          if hasattr(failure, "getErrorMessage") else failure)
