"""Scrapy settings for one site: polite defaults, overridden by the seed."""

from __future__ import annotations

from importlib.metadata import PackageNotFoundError, version

from akhbar.extract.model import MAX_PAGE_BYTES
from akhbar.seeds import Seed
from akhbar.seeds.settings import Settings, get_settings


def user_agent(settings: Settings) -> str:
    """An identifying User-Agent with a contact address ($AKHBAR_CONTACT)."""
    try:
        release = version("akhbar")
    except PackageNotFoundError:
        release = "dev"
    return f"akhbar/{release} (+{settings.contact})"


def crawl_settings(seed: Seed, settings: Settings | None = None) -> dict:
    """Scrapy settings for crawling `seed`."""
    settings = settings or get_settings()
    manners = seed.politeness
    return {
        "BOT_NAME": "akhbar",
        "USER_AGENT": user_agent(settings),
        "ROBOTSTXT_OBEY": manners.obey_robots_txt,
        "CONCURRENT_REQUESTS": max(8, manners.concurrent_requests),
        "CONCURRENT_REQUESTS_PER_DOMAIN": manners.concurrent_requests,
        "DOWNLOAD_DELAY": manners.download_delay,
        "AUTOTHROTTLE_ENABLED": manners.autothrottle,
        "AUTOTHROTTLE_START_DELAY": max(manners.download_delay, 1.0),
        "AUTOTHROTTLE_TARGET_CONCURRENCY": float(manners.concurrent_requests),
        "DOWNLOAD_TIMEOUT": manners.download_timeout,
        "DOWNLOAD_MAXSIZE": MAX_PAGE_BYTES,
        "DOWNLOAD_WARNSIZE": 2 * 1024 * 1024,
        "RETRY_TIMES": 3,
        "REDIRECT_MAX_TIMES": 5,
        "COOKIES_ENABLED": False,
        # Items processed at once per response (default 100): Scrapy makes that many asyncio
        # tasks for every response, though a page gives one item; 8 took a third off the
        # crawl's CPU time (bench/pipeline.py).
        "CONCURRENT_ITEMS": 8,
        "TELNETCONSOLE_ENABLED": False,
        # No listening ports on the crawling machine.
        "REMOTE_CONTROL_ENABLED": False,
        "LOG_LEVEL": settings.crawl_log_level,
        "LOG_FORMAT": "%(levelname)s %(name)s: %(message)s",
        "ITEM_PIPELINES": {"akhbar.spiders.pipelines.StorePagePipeline": 300},
        "DOWNLOADER_MIDDLEWARES": {
            # Off-site requests and redirect loops are refused with a reason, not dropped.
            "scrapy.downloadermiddlewares.offsite.OffsiteMiddleware": None,
            "akhbar.spiders.scope.ScopeMiddleware": 50,
            "scrapy.downloadermiddlewares.retry.RetryMiddleware": None,
            "akhbar.spiders.middlewares.BackoffRetryMiddleware": 550,
        },
        "AKHBAR_RETRY_AFTER_MAX": manners.retry_after_max,
        "EXTENSIONS": {"scrapy.extensions.telnet.TelnetConsole": None},
    }
