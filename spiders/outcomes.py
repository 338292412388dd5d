"""What became of every request: outcome classes, failures explained, a crawl judged.

Pure: the spider counts outcomes with it, the flows judge a crawl run from the counts.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from enum import StrEnum
from urllib.parse import urlsplit


class Outcome(StrEnum):
    """One class per thing that can become of a discovery or article URL in a run."""

    # answered
    STORED = "stored"                      # article page stored (new or changed bytes)
    SAME = "same"                          # article page fetched, bytes already stored
    READ = "read"                          # feed, sitemap, archive or listing read
    NOT_MODIFIED = "not_modified"          # 304 to our validators
    EMPTY_ARCHIVE = "empty_archive"        # a day with no archive page (404): nothing published
    # not requested
    UNCHANGED_SKIPPED = "unchanged_skipped"  # held, and the source's date is not newer
    GONE_SKIPPED = "gone_skipped"          # gone or moved off-site within the last week
    TOO_OLD = "too_old"                    # nightly: dated before nightly_max_age_days
    UNDATED_DEFERRED = "undated_deferred"  # nightly: over the undated-URL allowance
    OVER_CAP = "over_cap"                  # over politeness.max_articles
    # refused
    ROBOTS = "robots"
    # failed
    GONE = "gone"                          # an article answering 404/410: asked weekly at most
    HTTP_4XX = "http_4xx"
    HTTP_5XX = "http_5xx"
    DNS = "dns"
    CONNECTION = "connection"
    TIMEOUT = "timeout"
    TOO_LARGE = "too_large"
    DECOMPRESSION_BOMB = "decompression_bomb"
    REDIRECT_LOOP = "redirect_loop"
    OFFSITE_REDIRECT = "offsite_redirect"
    NOT_ARTICLE = "not_article"            # redirected to a URL that is no article of the site
    NOT_FEED = "not_feed"
    NOT_SITEMAP = "not_sitemap"
    PARSE_ERROR = "parse_error"
    DROPPED = "dropped"                    # dropped by the scheduler before any request
    ERROR = "error"                        # anything else, with its reason


SUCCESSES = frozenset({Outcome.STORED, Outcome.SAME, Outcome.READ, Outcome.NOT_MODIFIED,
                       Outcome.EMPTY_ARCHIVE})
NOT_REQUESTED = frozenset({Outcome.UNCHANGED_SKIPPED, Outcome.GONE_SKIPPED, Outcome.TOO_OLD,
                           Outcome.UNDATED_DEFERRED, Outcome.OVER_CAP})
FAILURES = frozenset(Outcome) - SUCCESSES - NOT_REQUESTED - {Outcome.ROBOTS}
PERMANENT = frozenset({Outcome.GONE, Outcome.OFFSITE_REDIRECT,
                       Outcome.NOT_ARTICLE})  # for articles
KINDS = ("discovery", "article")
GONE_STATUSES = (404, 410)


@dataclass(frozen=True)
class Failed:
    """A request that failed: its class, a one-line reason, the HTTP status if any."""

    outcome: Outcome
    reason: str
    http_status: int | None = None

    @property
    def permanent(self) -> bool:
        """An article that is gone (404, 410) or moved to another site: asking for it again
        every night is pointless."""
        return self.http_status in GONE_STATUSES or self.outcome in (
            Outcome.OFFSITE_REDIRECT, Outcome.NOT_ARTICLE)


def host_of(url: str) -> str:
    return urlsplit(url).netloc or url


def classify(exception: BaseException, url: str, timeout: float | None = None) -> Failed:
    """The outcome of a request that ended in `exception` (Scrapy's or Twisted's)."""
    from akhbar.spiders.scope import OffsiteRedirect, OutOfScope, RedirectLoop
    from scrapy import exceptions as scrapy_errors
    from scrapy.spidermiddlewares.httperror import HttpError
    from twisted.internet import error as tx_errors

    message = str(exception).strip() or type(exception).__name__
    if isinstance(exception, HttpError):
        status = exception.response.status
        outcome = Outcome.HTTP_5XX if status >= 500 else Outcome.HTTP_4XX
        return Failed(outcome, f"HTTP {status}", status)
    if isinstance(exception, scrapy_errors.CannotResolveHostError | tx_errors.DNSLookupError):
        return Failed(Outcome.DNS, f"DNS lookup failed for {urlsplit(url).hostname}")
    if isinstance(exception, scrapy_errors.DownloadTimeoutError | tx_errors.TimeoutError):
        limit = f" within {timeout:g} s" if timeout else ""
        return Failed(Outcome.TIMEOUT, f"no complete answer from {host_of(url)}{limit}")
    if isinstance(exception, scrapy_errors.DownloadCancelledError):
        if "max size" in message:
            return Failed(Outcome.TOO_LARGE, "page larger than the 10 MB cap")
        return Failed(Outcome.CONNECTION, f"download cancelled: {message}")
    if isinstance(exception, RedirectLoop | OffsiteRedirect | OutOfScope):
        outcome = {RedirectLoop: Outcome.REDIRECT_LOOP, OffsiteRedirect: Outcome.OFFSITE_REDIRECT,
                   OutOfScope: Outcome.OFFSITE_REDIRECT}[type(exception)]
        return Failed(outcome, message)
    if isinstance(exception, scrapy_errors.IgnoreRequest):
        if "robots.txt" in message:
            return Failed(Outcome.ROBOTS, "disallowed by robots.txt")
        if "decompression" in message:
            return Failed(Outcome.DECOMPRESSION_BOMB,
                          "over the 10 MB cap once decompressed (decompression bomb)")
        if "max redirections" in message:
            return Failed(Outcome.REDIRECT_LOOP, "more redirects than allowed")
        return Failed(Outcome.ERROR, f"ignored: {message}")
    connection_errors = (scrapy_errors.DownloadConnectionRefusedError,
                         scrapy_errors.DownloadFailedError, scrapy_errors.ResponseDataLossError,
                         tx_errors.ConnectError, tx_errors.ConnectionLost,
                         tx_errors.ConnectionDone, ConnectionError)
    if isinstance(exception, connection_errors):
        return Failed(Outcome.CONNECTION, f"connection to {host_of(url)} failed: "
                                          f"{message.splitlines()[0][:160]}")
    return Failed(Outcome.ERROR, f"{type(exception).__name__}: {message.splitlines()[0][:160]}")


@dataclass
class Tally:
    """Outcome counts of one crawl, per kind, with an example reason per failure class."""

    counts: dict[str, Counter]
    reasons: dict[str, dict[str, str]]

    @classmethod
    def empty(cls) -> Tally:
        return cls({kind: Counter() for kind in KINDS}, {kind: {} for kind in KINDS})

    @classmethod
    def from_json(cls, data: dict | None) -> Tally:
        data = data or {}
        return cls({kind: Counter(data.get(kind, {})) for kind in KINDS},
                   {kind: dict(data.get("reasons", {}).get(kind, {})) for kind in KINDS})

    def add(self, kind: str, outcome: Outcome, reason: str | None = None) -> None:
        self.counts[kind][outcome.value] += 1
        if reason and outcome.value not in self.reasons[kind]:
            self.reasons[kind][outcome.value] = reason

    def to_json(self) -> dict:
        return {**{kind: dict(self.counts[kind]) for kind in KINDS}, "reasons": self.reasons}

    def total(self, kind: str, classes: frozenset[Outcome]) -> int:
        return sum(n for name, n in self.counts[kind].items() if name in classes)

    def failures(self, kind: str) -> int:
        return self.total(kind, FAILURES)

    def successes(self, kind: str) -> int:
        return self.total(kind, SUCCESSES)

    def retryable_failures(self, kind: str | None = None) -> int:
        """Failures worth asking again: all but articles gone (404/410), moved off-site or
        redirected to no article."""
        article = self.failures("article") - self.total("article", PERMANENT)
        if kind == "article":
            return article
        return article + (self.failures("discovery") if kind is None else 0)

    def explain(self, kind: str, permanent: bool = True) -> str:
        """The failure classes of a kind, commonest first, each with its example reason."""
        classes = FAILURES if permanent else FAILURES - PERMANENT
        failed = sorted(((-n, name) for name, n in self.counts[kind].items()
                         if name in classes))
        parts = [self.reasons[kind].get(name, name) + (f" ({-n})" if len(failed) > 1 else "")
                 for n, name in failed]
        return "; ".join(parts[:4]) + ("; …" if len(parts) > 4 else "")


def judge(tally: Tally, max_error_share: float) -> tuple[str, str | None]:
    """(status, one-line reason) of a crawl: failed, degraded or completed."""
    discovery_failed = tally.failures("discovery") + tally.counts["discovery"][Outcome.ROBOTS]
    discovery_ok = tally.successes("discovery")
    if discovery_failed and not discovery_ok:
        return "failed", (f"{discovery_failed} of {discovery_failed} discovery URLs failed: "
                          + (tally.explain("discovery") or "disallowed by robots.txt"))
    # Articles gone, moved off-site or to no article do not make a site failed; they still
    # count below.
    articles_failed, articles_ok = tally.retryable_failures("article"), tally.successes("article")
    if articles_failed and not articles_ok:
        return "failed", (f"all {articles_failed} article fetches failed: "
                          + tally.explain("article", permanent=False))
    failed = tally.failures("discovery") + tally.failures("article")
    asked = failed + discovery_ok + articles_ok
    if asked and failed / asked > max_error_share:
        where = "; ".join(filter(None, (tally.explain("discovery"), tally.explain("article"))))
        return "degraded", (f"{failed} of {asked} requests failed "
                            f"(over {max_error_share:.0%}): {where}")
    return "completed", None
