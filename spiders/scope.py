"""Every request stays on the site: its domains (host and port) and no redirect loops.

Replaces Scrapy's off-site middleware, which drops requests with only a debug line, so that
each refusal reaches the spider's errback with its reason and is recorded.
"""

from __future__ import annotations

from akhbar.extract.urls import canonical_url, host_in
from scrapy.exceptions import IgnoreRequest
from scrapy.http import Request


class OutOfScope(IgnoreRequest):
    """A request for a host (or port) outside the site's domains."""


class OffsiteRedirect(IgnoreRequest):
    """A redirect that leaves the site's domains."""


class RedirectLoop(IgnoreRequest):
    """A redirect back to a URL already visited on the way."""


class ScopeMiddleware:
    """Downloader middleware: refuse out-of-scope requests and redirect loops, with reasons."""

    def __init__(self, crawler) -> None:
        self.crawler = crawler

    @classmethod
    def from_crawler(cls, crawler) -> ScopeMiddleware:
        return cls(crawler)

    def process_request(self, request: Request, spider=None) -> None:
        spider = self.crawler.spider
        domains = getattr(spider, "allowed_domains", None)
        if not domains:
            return None
        chain = request.meta.get("redirect_urls", [])
        if chain:
            here = canonical_url(request.url)
            if any(canonical_url(seen) == here for seen in chain):
                raise RedirectLoop(f"redirect loop ({len(chain)} redirects back to where "
                                   f"they started)")
        if not host_in(request.url, domains):
            where = request.url.split("/")[2] if "//" in request.url else request.url
            if chain:
                raise OffsiteRedirect(f"redirected off the site to {where}")
            raise OutOfScope(f"{where} is outside the site's domains")
        seed = getattr(spider, "seed", None)
        if chain and request.meta.get("kind") == "article" and seed is not None \
                and not seed.in_scope(request.url):
            raise OffsiteRedirect(f"redirected out of the site's scope {list(seed.scope)} to "
                                  f"{request.url}")
        return None
