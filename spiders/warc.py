"""Web archives: read HTTP responses out of WARC files, write crawled responses into them."""

from __future__ import annotations

import io
import urllib.request
import zlib
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from scrapy.crawler import Crawler
from scrapy.http import Request, Response
from warcio.archiveiterator import ArchiveIterator
from warcio.statusandheaders import StatusAndHeaders
from warcio.warcwriter import WARCWriter

MAX_BODY = 10 * 1024 * 1024
HTML_TYPES = ("text/html", "application/xhtml+xml")


class WarcError(ValueError):
    """A WARC file or URL that cannot be read."""


@dataclass(frozen=True)
class ArchivedResponse:
    """One HTTP response found in a WARC file."""

    url: str
    status: int
    headers: dict[str, str]
    body: bytes
    fetched_at: datetime | None


def open_warc(location: str, proxy: str | None = None):
    """A binary stream of a WARC file path or http(s) URL."""
    if location.startswith(("http://", "https://")):
        handlers = [urllib.request.ProxyHandler({"http": proxy, "https": proxy})] if proxy else []
        try:
            return urllib.request.build_opener(*handlers).open(location, timeout=60)
        except OSError as exc:
            raise WarcError(f"{location}: cannot download: {exc}") from None
    try:
        return Path(location).open("rb")
    except OSError as exc:
        raise WarcError(f"{location}: cannot open: {exc.strerror}") from None


def _check_magic(stream, location: str):
    """The stream, buffered, after checking it starts like a WARC file (plain or gzipped)."""
    if not hasattr(stream, "peek"):
        stream = io.BufferedReader(stream, buffer_size=65536)
    head = stream.peek(4096)[:4096]
    if head[:2] == b"\x1f\x8b":
        try:
            head = zlib.decompressobj(16 + zlib.MAX_WBITS).decompress(head, 16)
        except zlib.error:
            head = b""
    if not head.startswith(b"WARC/"):
        raise WarcError(f"{location}: not a readable WARC file (it does not start with WARC/)")
    return stream


def read_html_responses(stream, location: str) -> Iterator[ArchivedResponse]:
    """HTML responses with status 200 in a WARC (gzipped or plain), in file order."""
    stream = _check_magic(stream, location)
    try:
        for record in ArchiveIterator(stream):
            if record.rec_type != "response" or record.http_headers is None:
                continue
            status = int(record.http_headers.get_statuscode() or 0)
            content_type = (record.http_headers.get_header("Content-Type") or "").lower()
            if status != 200 or not content_type.startswith(HTML_TYPES):
                continue
            body = record.content_stream().read(MAX_BODY + 1)
            if len(body) > MAX_BODY:
                continue
            date = record.rec_headers.get_header("WARC-Date")
            yield ArchivedResponse(
                url=record.rec_headers.get_header("WARC-Target-URI"),
                status=status,
                headers={k.lower(): v for k, v in record.http_headers.headers},
                body=body,
                fetched_at=datetime.fromisoformat(date.replace("Z", "+00:00")) if date else None,
            )
    except Exception as exc:  # warcio raises bare Exceptions for malformed archives
        raise WarcError(f"{location}: not a readable WARC file: {exc}") from None


class WarcExportMiddleware:
    """Write every response the crawl receives to a gzipped WARC file (`--warc-out DIR`)."""

    def __init__(self, crawler: Crawler, directory: Path) -> None:
        self.crawler = crawler
        directory.mkdir(parents=True, exist_ok=True)
        stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")
        self.path = directory / f"akhbar-{crawler.spidercls.name}-{stamp}.warc.gz"
        self.file = self.path.open("ab")
        self.writer = WARCWriter(self.file, gzip=True)

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> WarcExportMiddleware:
        from scrapy.exceptions import NotConfigured
        from scrapy.signals import spider_closed

        directory = crawler.settings.get("AKHBAR_WARC_DIR")
        if not directory:
            raise NotConfigured
        middleware = cls(crawler, Path(directory))
        crawler.signals.connect(middleware.close, signal=spider_closed)
        return middleware

    def process_response(self, request: Request, response: Response) -> Response:
        status_line = f"{response.status} {response.status}"
        headers = [(k.decode("latin-1"), v.decode("latin-1"))
                   for k, values in response.headers.items() for v in values
                   if k.lower() not in (b"content-encoding", b"transfer-encoding",
                                        b"content-length")]
        headers.append(("Content-Length", str(len(response.body))))
        http_headers = StatusAndHeaders(status_line, headers, protocol="HTTP/1.1")
        record = self.writer.create_warc_record(
            response.url, "response", payload=io.BytesIO(response.body),
            http_headers=http_headers)
        self.writer.write_record(record)
        return response

    def close(self) -> None:
        self.file.close()
        self.crawler.spider.logger.info("responses archived in %s", self.path)
