"""The one generic news spider: discovers articles, fetches each once, stores the raw page.

Nightly mode reads feeds, sitemaps (with HTTP validators), recent date archives and section
listings, and fetches what is new or changed. Window mode (a backfill chunk) reads sitemaps and
the date archives of the window only, and fetches the articles dated inside it.
"""

from __future__ import annotations

import gzip
import io
from collections.abc import Iterator
from dataclasses import replace
from datetime import UTC, date, datetime, time, timedelta
from urllib.parse import urljoin
from zoneinfo import ZoneInfo

import psycopg
import scrapy
from akhbar.extract.encoding import detect_encoding
from akhbar.extract.urls import host_in
from akhbar.seeds import Listing, Seed
from akhbar.spiders.discovery import (
    Discovered,
    archive_days_linked,
    is_feed,
    parse_feed,
    parse_sitemap,
    xml_root_name,
)
from akhbar.spiders.outcomes import GONE_STATUSES, Failed, Outcome, Tally, classify
from akhbar.spiders.store import GONE_RECHECK_DAYS, KnownFailure, PageStore, selected_headers
from scrapy import signals
from scrapy.exceptions import DontCloseSpider
from scrapy.http import HtmlResponse, Response
from scrapy.utils.defer import deferred_from_coro

MAX_SITEMAP_DEPTH = 3
MAX_SITEMAP_BYTES = 50 * 1024 * 1024  # the sitemap protocol's own limit, uncompressed
GZIP_MAGIC = b"\x1f\x8b"
NEXT_PAGE = "a[rel~=next]::attr(href), link[rel~=next]::attr(href)"
NEXT_PAGE_TEXT = ("التالي", "الصفحة التالية", "next", "›", "»")


class NewsSpider(scrapy.Spider):
    """Crawl one site as its seed describes it; every request ends with a recorded outcome."""

    name = "news"

    def __init__(self, seed: Seed, store: PageStore, since: date | None = None,
                 until: date | None = None, check: int | None = None, **kwargs) -> None:
        super().__init__(**kwargs)
        # A dry run (`akhbar sites check`): discovery as a nightly run would do it, reported
        # per source; then `check` sample articles fetched, nothing else.
        self.check = check
        self.sources: dict[str, dict] = {}
        self.candidates: dict[str, tuple[datetime | None, bool]] = {}  # url → (date, nightly)
        self.sampled = False
        self.sample_failures: list[dict] = []
        self.seed = seed
        self.allowed_domains = list(seed.domains)
        self.store = store
        self.zone = ZoneInfo(seed.timezone)
        self.window = None
        self.cutoff = None
        if since and until:
            self.window = (datetime.combine(since, time(), self.zone),
                           datetime.combine(until + timedelta(days=1), time(), self.zone))
        else:
            self.cutoff = datetime.now(UTC) - timedelta(days=seed.nightly_max_age_days)
        self.tally = Tally.empty()
        self.held = {}
        self.failed_before: dict[str, KnownFailure] = {}
        self.validators: dict[str, tuple[str | None, str | None]] = {}
        self.new_validators: dict[str, tuple[str | None, str | None]] = {}
        self.evaluated: dict[str, datetime | None] = {}  # article URL → newest date considered
        self.skipped: dict[str, Outcome] = {}  # article URL → why it is not requested
        self.requested: set[str] = set()
        self.undated_followed = 0
        self.lost_database: str | None = None

    @classmethod
    def from_crawler(cls, crawler, *args, **kwargs):
        spider = super().from_crawler(crawler, *args, **kwargs)
        crawler.signals.connect(spider.on_dropped, signal=signals.request_dropped)
        if spider.check is not None:
            crawler.signals.connect(spider.on_idle, signal=signals.spider_idle)
        return spider

    def on_idle(self, spider=None) -> None:
        """Discovery is over: a dry run now fetches its samples (newest first, those a nightly
        run would fetch before the others)."""
        if self.check is None or self.sampled:
            return
        self.sampled = True
        floor = datetime.min.replace(tzinfo=UTC)
        ranked = sorted(self.candidates.items(),
                        key=lambda item: (item[1][1], item[1][0] or floor), reverse=True)
        for url, _ in ranked[:self.check]:
            self.requested.add(url)
            self.crawler.engine.crawl(self.request(
                url, "article", self.parse_article, meta={"lastmod": None, "article_url": url}))
        if ranked[:self.check]:
            raise DontCloseSpider()

    def source(self, url: str, kind: str) -> dict:
        """The dry run's report of one discovery source."""
        return self.sources.setdefault(url, {
            "url": url, "kind": kind, "status": "not read", "error": None, "links": 0,
            "sitemaps": 0, "articles": 0, "new": 0, "would_fetch": 0, "oldest": None,
            "newest": None})

    # -- start ---------------------------------------------------------------------------

    async def start(self) -> Iterator[scrapy.Request]:
        self.held = self.store.held()
        self.failed_before = self.store.failures()
        if not self.window:
            self.validators = self.store.validators()
        self.logger.info("%s: %d article URLs already stored%s", self.seed.id, len(self.held),
                         f"; window {self.window[0]:%Y-%m-%d}..{self.window[1]:%Y-%m-%d}"
                         if self.window else
                         f"; following articles dated since {self.cutoff:%Y-%m-%d}")
        for url in self.seed.feeds:
            yield self.discovery_request(url, self.parse_feed)
        for url in self.seed.sitemaps:
            yield self.discovery_request(url, self.parse_sitemap, depth=0)
        if self.seed.archive_index:
            days = self.archive_days()
            for url in dict.fromkeys(self.seed.archive_index.format(
                    yyyy=f"{day.year:04d}", mm=f"{day.month:02d}") for day in days):
                yield self.request(url, "discovery", self.parse_archive_index,
                                   cb_kwargs={"days": days})
        else:
            for day in self.archive_days():
                for request in self.archive_requests(day):
                    yield request
        if not self.window:
            for listing in self.seed.listings:
                yield self.request(listing.url, "discovery", self.parse_listing,
                                   cb_kwargs={"listing": listing, "page": 1})

    def archive_requests(self, day: date) -> Iterator[scrapy.Request]:
        for template in self.seed.archives:
            yield self.archive_request(template.format(
                yyyy=f"{day.year:04d}", mm=f"{day.month:02d}", dd=f"{day.day:02d}"), day)

    def archive_request(self, url: str, day: date) -> scrapy.Request:
        """A day's archive page; a 404 says nothing was published that day."""
        return self.request(url, "discovery", self.parse_archive, cb_kwargs={"day": day},
                            meta={"handle_httpstatus_list": [404]})

    def archive_days(self) -> list[date]:
        if self.window:
            first, end = self.window[0].date(), self.window[1].date()
            return [first + timedelta(days=n) for n in range((end - first).days)]
        today = datetime.now(self.zone).date()
        return [today - timedelta(days=n) for n in range(self.seed.archive_days)]

    def request(self, url: str, kind: str, callback, cb_kwargs: dict | None = None,
                meta: dict | None = None, headers: dict | None = None) -> scrapy.Request:
        """A request whose failure is recorded. Duplicates are filtered here, not by Scrapy's
        filter, which would drop a redirect loop without a word."""
        return scrapy.Request(url, callback=callback, errback=self.on_error, headers=headers,
                              dont_filter=True, cb_kwargs=cb_kwargs or {},
                              meta={"kind": kind, **(meta or {})})

    def discovery_request(self, url: str, callback, **cb_kwargs) -> scrapy.Request:
        """A feed or sitemap request, conditional on what the server answered last time."""
        headers = {}
        etag, last_modified = self.validators.get(url, (None, None))
        if etag:
            headers["If-None-Match"] = etag
        if last_modified:
            headers["If-Modified-Since"] = last_modified
        return self.request(url, "discovery", callback, cb_kwargs=cb_kwargs, headers=headers,
                            meta={"handle_httpstatus_list": [304]})

    def not_modified(self, response: Response) -> bool:
        """Note the validators of a discovery response; True when the server said 304."""
        if response.status == 304:
            self.succeed("discovery", response.request.url, Outcome.NOT_MODIFIED)
            self.logger.info("%s not modified since the last run", response.url)
            return True
        etag = response.headers.get("ETag")
        last_modified = response.headers.get("Last-Modified")
        if etag or last_modified:
            self.new_validators[response.url] = (
                etag.decode("latin-1") if etag else None,
                last_modified.decode("latin-1") if last_modified else None)
        return False

    # -- outcomes ------------------------------------------------------------------------

    def succeed(self, kind: str, url: str, outcome: Outcome) -> None:
        self.tally.add(kind, outcome)
        if kind == "discovery" and self.check is not None:
            self.source(url, "discovery")["status"] = outcome.value
        if url in self.failed_before:
            del self.failed_before[url]
            self.write(self.store.clear_failure, url)

    def write(self, method, *args) -> None:
        """A write to the database; losing the database ends the crawl at once."""
        if self.lost_database:
            return
        try:
            method(*args)
        except psycopg.Error as exc:
            self.database_lost(exc)

    def database_lost(self, exc: Exception) -> None:
        """Without the database every further fetch is wasted: close the crawl now (not
        awaited: closing waits for the items in progress, perhaps the caller's)."""
        if self.lost_database:
            return
        self.lost_database = str(exc).strip().splitlines()[0] if str(exc).strip() \
            else type(exc).__name__
        self.logger.error("the database is unavailable (%s); stopping the crawl",
                          self.lost_database)
        deferred_from_coro(self.crawler.engine.close_spider_async(reason="database_unavailable"))

    def fail(self, kind: str, url: str, failed: Failed) -> None:
        """Count, record and log one failed request."""
        if kind == "discovery" and self.check is not None:
            report = self.source(url, "discovery")
            report.update(status=failed.outcome.value, error=failed.reason)
        elif self.check is not None and url in self.requested:
            self.sample_failures.append({"url": url, "outcome": failed.outcome.value,
                                         "reason": failed.reason})
        if kind == "article" and failed.http_status in GONE_STATUSES:
            failed = replace(failed, outcome=Outcome.GONE)
        self.tally.add(kind, failed.outcome, failed.reason)
        if failed.outcome is Outcome.ROBOTS and kind == "article":
            self.logger.info("%s not fetched: disallowed by robots.txt", url)
            return
        self.write(self.store.record_failure, kind, url, failed)
        note = (f" (not asked again for {GONE_RECHECK_DAYS} days)" if kind == "article"
                and failed.permanent else "")
        self.logger.error("failed %s %s: %s [%s]%s", kind, url, failed.reason,
                          failed.outcome.value, note)

    def on_error(self, failure) -> None:
        request = failure.request
        url = request.meta.get("article_url") or request.url
        kind = request.meta.get("kind", "discovery")
        self.fail(kind, url, classify(failure.value, request.url,
                                      self.crawler.settings.getfloat("DOWNLOAD_TIMEOUT")))

    def on_dropped(self, request: scrapy.Request, spider=None) -> None:
        """The scheduler refused a request (it would otherwise vanish without a trace)."""
        kind = request.meta.get("kind", "discovery")
        self.fail(kind, request.meta.get("article_url") or request.url,
                  Failed(Outcome.DROPPED, "dropped by the scheduler"))

    def failures(self) -> int:
        return self.tally.failures("discovery") + self.tally.failures("article")

    def closed(self, reason: str) -> None:
        """Write this crawl's counts; keep validators only when nothing needs asking again."""
        stats = self.crawler.stats
        for outcome in self.skipped.values():
            self.tally.add("article", outcome)
        cut_short = (self.tally.counts["article"][Outcome.OVER_CAP]
                     or self.tally.counts["article"][Outcome.UNDATED_DEFERRED])
        if self.lost_database:
            return
        retry = self.tally.retryable_failures()
        if not self.window and reason == "finished" and not retry and not cut_short:
            self.write(self.store.save_validators, self.new_validators)
        elif not self.window:
            self.logger.info("feed and sitemap validators not kept: %s", "; ".join(filter(None, (
                f"{retry} requests to retry" if retry
                else "", "articles left for the next run" if cut_short else "",
                f"crawl ended: {reason}" if reason != "finished" else ""))))
        article = self.tally.counts["article"]
        self.write(self.store.record_outcomes, self.tally, {
            "discovered": stats.get_value("akhbar/discovered", 0),
            "fetched": article[Outcome.STORED] + article[Outcome.SAME],
            "pages_stored": article[Outcome.STORED],
            "errors": self.failures(),
            "robots_disallowed": article[Outcome.ROBOTS]
            + self.tally.counts["discovery"][Outcome.ROBOTS],
            "not_modified": self.tally.counts["discovery"][Outcome.NOT_MODIFIED],
        })

    # -- discovery ----------------------------------------------------------------------

    def parse_feed(self, response: Response) -> Iterator[scrapy.Request]:
        if self.not_modified(response):
            return
        if not is_feed(response.body):
            root = xml_root_name(response.body)
            self.fail("discovery", response.request.url, Failed(
                Outcome.NOT_FEED, f"not an RSS or Atom feed ({_described(root, response)})"))
            return
        self.succeed("discovery", response.request.url, Outcome.READ)
        entries = parse_feed(response.body, response.url)
        self.logger.info("feed %s lists %d links", response.url, len(entries))
        yield from self.follow_articles(entries, undated_ok=True,
                                        source=self.report_of(response, "feed"))

    def parse_sitemap(self, response: Response, depth: int) -> Iterator[scrapy.Request]:
        if self.not_modified(response):
            return
        url = response.request.url
        body = response.body
        if body[:2] == GZIP_MAGIC:
            try:
                body = gzip.GzipFile(fileobj=io.BytesIO(body)).read(MAX_SITEMAP_BYTES + 1)
            except (OSError, EOFError) as exc:
                self.fail("discovery", url, Failed(Outcome.PARSE_ERROR, f"broken gzip: {exc}"))
                return
            if len(body) > MAX_SITEMAP_BYTES:
                self.fail("discovery", url, Failed(
                    Outcome.DECOMPRESSION_BOMB, "over 50 MB uncompressed (the sitemap limit)"))
                return
        root = xml_root_name(body)
        if root is None:
            self.fail("discovery", url, Failed(Outcome.PARSE_ERROR,
                                               f"not XML ({_described(root, response)})"))
            return
        if root not in ("urlset", "sitemapindex"):
            self.fail("discovery", url, Failed(Outcome.NOT_SITEMAP,
                                               f"not a sitemap ({_described(root, response)})"))
            return
        self.succeed("discovery", url, Outcome.READ)
        pages, children = parse_sitemap(body, response.url)
        self.logger.info("sitemap %s lists %d pages and %d sitemaps",
                         response.url, len(pages), len(children))
        if depth >= MAX_SITEMAP_DEPTH and children:
            self.logger.warning("%s: sitemaps nested deeper than %d levels ignored",
                                response.url, MAX_SITEMAP_DEPTH)
            children = []
        skipped = 0
        for child in children:
            if not host_in(child.url, self.seed.domains):
                continue
            if self.window and child.lastmod and child.lastmod < self.window[0]:
                continue  # nothing in it changed since the window began
            if self.cutoff and child.lastmod and child.lastmod < self.cutoff:
                skipped += 1  # nothing in it changed within the nightly horizon
                continue
            yield self.discovery_request(child.url, self.parse_sitemap, depth=depth + 1)
        if skipped:
            self.logger.info("%s: %d sitemaps unchanged since %s not read (older articles "
                             "come from `akhbar backfill`)", response.url, skipped,
                             f"{self.cutoff:%Y-%m-%d}")
        report = self.report_of(response, "sitemap")
        if report is not None:
            report["sitemaps"] = len(children)
        yield from self.follow_articles(pages, undated_ok=False, source=report)

    def parse_archive(self, response: Response, day: date) -> Iterator[scrapy.Request]:
        """A date archive page: its article links are dated that day."""
        if response.status == 404:  # a day with no archive page: nothing was published
            self.succeed("discovery", response.request.url, Outcome.EMPTY_ARCHIVE)
            self.logger.info("no archive page for %s (%s)", day, response.url)
            return
        self.succeed("discovery", response.request.url, Outcome.READ)
        noon = datetime.combine(day, time(12), self.zone)
        page = self.decoded(response)
        selector = self.seed.archive_link_selector
        links = self.links_of(page, selector)
        if selector and not page.css(selector):
            self.logger.warning("archive %s has no %s (archive_link_selector): its links are "
                                "not dated with %s", response.url, selector, day)
        self.logger.info("archive %s lists %d links", response.url, len(links))
        yield from self.follow_articles([Discovered(url, published=noon, day_only=True)
                                         for url in links],
                                        source=self.report_of(response, "archive"))

    def parse_archive_index(self, response: Response,
                            days: list[date]) -> Iterator[scrapy.Request]:
        """The archive index: the day archives that exist, of which the wanted days are read."""
        self.succeed("discovery", response.request.url, Outcome.READ)
        listed = archive_days_linked(self.links_of(self.decoded(response)), self.seed.archives)
        wanted = [day for day in days if day in listed]
        report = self.report_of(response, "index")
        if report is not None:
            report.update(days_linked=len(listed), days_wanted=len(wanted))
        self.logger.info("archive index %s links %d days, %d of them wanted", response.url,
                         len(listed), len(wanted))
        for day in wanted:
            yield self.archive_request(listed[day], day)

    def parse_listing(self, response: Response, listing: Listing,
                      page: int) -> Iterator[scrapy.Request]:
        self.succeed("discovery", response.request.url, Outcome.READ)
        response = self.decoded(response)
        links = self.links_of(response)
        self.logger.info("listing %s (page %d) lists %d links", response.url, page, len(links))
        yield from self.follow_articles([Discovered(url) for url in links], undated_ok=True,
                                        source=self.report_of(response, "listing"))
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
            yield self.request(response.urljoin(next_url), "discovery", self.parse_listing,
                               cb_kwargs={"listing": listing, "page": page + 1})

    def decoded(self, response: Response) -> HtmlResponse:
        """The page decoded as detect_encoding reads it (legacy pages lie about charsets)."""
        content_type = response.headers.get("Content-Type", b"").decode("latin-1")
        encoding = detect_encoding(response.body, content_type, self.seed.extraction.encoding)
        return HtmlResponse(response.url, body=response.body, encoding=encoding,
                            request=response.request)

    @staticmethod
    def links_of(response: Response, within: str | None = None) -> list[str]:
        """Absolute link targets of a page, or of the parts of it `within` selects."""
        parts = response.css(within) if within else [response]
        return [urljoin(response.url, href.strip()) for part in parts
                for href in part.css("a::attr(href)").getall() if href.strip()]

    def report_of(self, response: Response, kind: str) -> dict | None:
        """A dry run's report of the discovery source `response` answers (None otherwise)."""
        if self.check is None:
            return None
        report = self.source(response.request.url, kind)
        report["kind"] = kind
        return report

    def follow_articles(self, entries: list[Discovered], undated_ok: bool = True,
                        source: dict | None = None) -> Iterator[scrapy.Request]:
        """Requests for the articles not stored yet, or changed since we stored them.

        "Changed" compares the source's date for a URL with the source's date stored at our
        last fetch, never with our own fetch time (a site's clock or zone may be off).
        """
        stats = self.crawler.stats
        if source is not None:
            source["links"] += len(entries)
        for entry in entries:
            url = self.seed.canonical_url(entry.url)
            if not self.seed.is_article_url(url):
                continue
            if source is not None:
                self.note_candidate(source, url, entry)
            if url in self.requested:
                continue
            if self.window and not (entry.dated and self.window[0] <= entry.dated
                                    < self.window[1]):
                continue
            changed_at = entry.changed_at
            if url in self.evaluated:
                before = self.evaluated[url]
                if changed_at is None or (before is not None and changed_at <= before):
                    continue  # seen in this run with a date at least as new
            else:
                stats.inc_value("akhbar/discovered")
            self.evaluated[url] = changed_at
            outcome = self.skip_reason(url, changed_at, entry.dated, undated_ok)
            if outcome is not None:
                self.skipped[url] = outcome
                continue
            self.skipped.pop(url, None)
            if self.check is not None:  # a dry run only notes what a nightly run would fetch
                self.candidates[url] = (entry.dated, True)
                if source is not None:
                    source["would_fetch"] += 1
                continue
            self.requested.add(url)
            yield self.request(url, "article", self.parse_article,
                               meta={"lastmod": changed_at, "article_url": url})

    def note_candidate(self, source: dict, url: str, entry: Discovered) -> None:
        """A dry run's counts of the article URLs a source gives."""
        source["articles"] += 1
        if url not in self.held:
            source["new"] += 1
        when = entry.dated
        if when is not None:
            stamp = when.astimezone(UTC).isoformat()
            source["oldest"] = min(source["oldest"] or stamp, stamp)
            source["newest"] = max(source["newest"] or stamp, stamp)
        self.candidates.setdefault(url, (when, False))

    def skip_reason(self, url: str, changed_at: datetime | None, dated: datetime | None,
                    undated_ok: bool) -> Outcome | None:
        """Why an article URL is not requested in this run, or None to request it."""
        held = self.held.get(url)
        if held is not None:
            if changed_at is None:
                return Outcome.UNCHANGED_SKIPPED
            if held.source_date is not None and changed_at <= held.source_date:
                return Outcome.UNCHANGED_SKIPPED
            if held.source_date is None and changed_at <= held.fetched_at:
                # Our copy is newer than the source's date: keep that date as the reference.
                self.write(self.store.note_source_date, url, changed_at)
                self.held[url] = replace(held, source_date=changed_at)
                return Outcome.UNCHANGED_SKIPPED
        failure = self.failed_before.get(url)
        if failure and failure.permanent and failure.retry_after \
                and failure.retry_after > datetime.now(UTC):
            return Outcome.GONE_SKIPPED
        if self.cutoff and held is None:
            when = changed_at or dated
            if when is not None and when < self.cutoff:
                return Outcome.TOO_OLD
            if when is None and not undated_ok:
                if self.undated_followed >= self.seed.nightly_max_undated:
                    return Outcome.UNDATED_DEFERRED
                self.undated_followed += 1
        cap = self.seed.politeness.max_articles
        if cap is not None and len(self.requested) >= cap:
            return Outcome.OVER_CAP
        return None

    # -- articles ------------------------------------------------------------------------

    def parse_article(self, response: Response) -> Iterator[dict]:
        url = response.meta["article_url"]
        final = self.seed.canonical_url(response.url)
        if final != url and not self.seed.is_article_url(final):
            why = ("out of the site's scope" if not self.seed.in_scope(final)
                   else "not an article URL by the seed's patterns")
            self.fail("article", url, Failed(Outcome.NOT_ARTICLE,
                                             f"redirected to {response.url}: {why}"))
            return
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


def _described(root: str | None, response: Response) -> str:
    """What a discovery document turned out to be, for its failure reason."""
    kind = response.headers.get("Content-Type", b"").decode("latin-1").split(";")[0] or "no type"
    return f"{kind}, root element <{root}>" if root else f"{kind}, {len(response.body)} bytes"
