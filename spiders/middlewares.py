"""Retries that back off and stay bounded.

429/503 wait as the server's Retry-After asks, else exponentially longer; one URL waits at
most `retry_after_max` seconds in all. A timeout is retried once: a server that drips bytes
costs at most two download timeouts per URL.
"""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime

from scrapy.downloadermiddlewares.retry import RetryMiddleware
from scrapy.exceptions import DownloadTimeoutError
from scrapy.http import Request, Response
from scrapy.utils.response import response_status_message

BACKOFF_STATUSES = {429, 503}
TIMEOUT_RETRIES = 1


def retry_after_seconds(value: bytes | None, now: datetime | None = None) -> float | None:
    """Seconds a Retry-After header asks for (delta-seconds or an HTTP date)."""
    if not value:
        return None
    text = value.decode("latin-1").strip()
    if text.isdigit():
        return float(text)
    try:
        when = parsedate_to_datetime(text)
    except (TypeError, ValueError, IndexError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    return max(0.0, (when - (now or datetime.now(UTC))).total_seconds())


class BackoffRetryMiddleware(RetryMiddleware):
    """Scrapy's retries, but a 429/503 waits as the server asks, and a timeout is retried once."""

    async def process_response(self, request: Request, response: Response,
                               spider=None) -> Request | Response:
        if request.meta.get("dont_retry") or response.status not in self.retry_http_codes:
            return response
        retry = self._retry(request, response_status_message(response.status))
        if retry is None:
            return response
        if response.status in BACKOFF_STATUSES:
            settings = self.crawler.settings
            attempt = retry.meta.get("retry_times", 1)
            delay = retry_after_seconds(response.headers.get("Retry-After"))
            if delay is None:
                delay = settings.getfloat("AKHBAR_BACKOFF_BASE", 2.0) * 2 ** (attempt - 1)
            cap = settings.getfloat("AKHBAR_RETRY_AFTER_MAX", 600.0)
            waited = request.meta.get("akhbar_waited", 0.0)
            if waited + delay > cap:
                self.crawler.spider.logger.warning(
                    "%s asks to retry after %.0f s; with %.0f s waited already that is more "
                    "than the %.0f s allowed per URL; giving up", request.url, delay, waited, cap)
                return response
            self.crawler.spider.logger.info("%s answered %d; retrying in %.1f s",
                                            request.url, response.status, delay)
            retry.meta["akhbar_waited"] = waited + delay
            await asyncio.sleep(delay)
        return retry

    def process_exception(self, request: Request, exception: Exception, spider=None):
        if isinstance(exception, DownloadTimeoutError) \
                and request.meta.get("retry_times", 0) >= TIMEOUT_RETRIES:
            return None  # the errback records the timeout
        return super().process_exception(request, exception)
