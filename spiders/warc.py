"""Web archives: read HTTP responses out of WARC files, write crawled responses into them."""

from __future__ import annotations

import http.client
import io
import urllib.error
import urllib.request
import zlib
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from akhbar.extract.model import MAX_PAGE_BYTES
from scrapy.crawler import Crawler
from scrapy.http import Request, Response
from warcio.archiveiterator import ArchiveIterator
from warcio.statusandheaders import StatusAndHeaders
from warcio.warcwriter import WARCWriter

HTML_TYPES = ("text/html", "application/xhtml+xml")


class WarcError(ValueError):
    """A WARC file or URL that cannot be read."""


class WarcDownloadError(WarcError):
    """A WARC URL whose download failed; `transient` when another try may succeed."""

    def __init__(self, message: str, transient: bool) -> None:
        super().__init__(message)
        self.transient = transient


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
        except urllib.error.HTTPError as exc:
            # 408, 429 and 5xx may pass; any other status will not change on another try.
            raise WarcDownloadError(f"{location}: cannot download: {exc}",
                                    transient=exc.code in (408, 429) or exc.code >= 500) from None
        except OSError as exc:
            raise WarcDownloadError(f"{location}: cannot download: {exc}", transient=True) from None
    try:
        return Path(location).open("rb")
    except OSError as exc:
        raise WarcError(f"{location}: cannot open: {exc.strerror}") from None


class _CountingReader(io.RawIOBase):
    """A raw stream that counts the bytes read through it, for error messages."""

    def __init__(self, stream) -> None:
        self.stream = stream
        self.count = 0

    def readable(self) -> bool:
        return True

    def readinto(self, buffer) -> int:
        data = self.stream.read(len(buffer))
        buffer[:len(data)] = data
        self.count += len(data)
        return len(data)


class _ArchiveIterator(ArchiveIterator):
    """warcio's iterator, noting where the archive ends inside a record: warcio itself stops
    quietly at the end of a cut file, as if the archive had ended there."""

    complete = 0
    incomplete_at: int | None = None

    def read_to_end(self, record=None):
        finishing = self.record is not None and not self.member_info
        super().read_to_end(record)
        if finishing and self.incomplete_at is None:
            if self.is_cut_short(self.record):
                self.incomplete_at = self.member_info[0]
            else:
                self.complete += 1

    @staticmethod
    def has_length(record) -> bool:
        """Whether the record's headers give its length (at the end of a file cut inside the
        headers, warcio returns the headers read so far)."""
        return (record.rec_headers.get_header("Content-Length") or "").strip().isdigit()

    @classmethod
    def is_cut_short(cls, record) -> bool:
        """Whether the file ended inside the record, once it has been read."""
        return not cls.has_length(record) or getattr(record.raw_stream, "limit", 0) > 0

    def close(self):
        if self.incomplete_at is None and self.reader is not None:
            decompressor = self.reader.decompressor
            parsed_to = self.fh.tell() - self.reader.rem_length()
            # The last gzip member has no end, or bytes after the last record made none.
            if (decompressor is not None and not decompressor.eof) or self.offset < parsed_to:
                self.incomplete_at = self.offset
        super().close()

    def at_end_of_data(self) -> bool:
        """Whether everything read from the file has been parsed."""
        return self.reader is None or self.reader.rem_length() == 0


def _check_magic(stream, location: str) -> io.BufferedReader:
    """The stream, buffered and counted, after checking it starts like a WARC file (plain or
    gzipped)."""
    stream = io.BufferedReader(_CountingReader(stream), buffer_size=65536)
    head = stream.peek(4096)[:4096]
    if head[:2] == b"\x1f\x8b":
        try:
            head = zlib.decompressobj(16 + zlib.MAX_WBITS).decompress(head, 16)
        except zlib.error:
            head = b""
    if not head.startswith(b"WARC/"):
        raise WarcError(f"{location}: not a readable WARC file (it does not start with WARC/)")
    return stream


def _truncated(location: str, records: _ArchiveIterator, size: int) -> WarcError:
    at = records.incomplete_at if records.incomplete_at is not None else records.offset
    read = f"{records.complete} complete record{'' if records.complete == 1 else 's'}"
    return WarcError(f"{location}: truncated at byte {size}, inside the record that starts at "
                     f"byte {at} ({read} before it were read; download or copy it again)")


def read_html_responses(stream, location: str) -> Iterator[ArchivedResponse]:
    """HTML responses with status 200 in a WARC (gzipped or plain), in file order.

    A file cut short raises WarcError naming it and the byte offset reached, after yielding the
    complete responses before the cut.
    """
    stream = _check_magic(stream, location)
    counter: _CountingReader = stream.raw
    records = _ArchiveIterator(stream)
    try:
        for record in records:
            if not records.has_length(record):  # the file ends inside its headers
                records.incomplete_at = records.offset
                break
            if record.rec_type != "response" or record.http_headers is None:
                continue
            status = int(record.http_headers.get_statuscode() or 0)
            content_type = (record.http_headers.get_header("Content-Type") or "").lower()
            if status != 200 or not content_type.startswith(HTML_TYPES):
                continue
            body = record.content_stream().read(MAX_PAGE_BYTES + 1)
            if len(body) > MAX_PAGE_BYTES:
                continue
            if records.is_cut_short(record):  # the file ends inside this body
                records.incomplete_at = records.offset
                break
            date = record.rec_headers.get_header("WARC-Date")
            yield ArchivedResponse(
                url=record.rec_headers.get_header("WARC-Target-URI"),
                status=status,
                headers={k.lower(): v for k, v in record.http_headers.headers},
                body=body,
                fetched_at=datetime.fromisoformat(date.replace("Z", "+00:00")) if date else None,
            )
    except (OSError, http.client.HTTPException) as exc:
        if location.startswith(("http://", "https://")):
            raise WarcDownloadError(f"{location}: download failed at byte {counter.count}: {exc}",
                                    transient=True) from None
        raise WarcError(f"{location}: cannot read at byte {counter.count}: {exc}") from None
    except Exception as exc:  # warcio raises bare Exceptions for malformed archives
        if not stream.peek(1) and records.at_end_of_data():  # the file ends inside a record
            raise _truncated(location, records, counter.count) from None
        detail = ascii(" ".join(str(exc).split())[:160])[1:-1]  # it may quote binary data
        raise WarcError(f"{location}: not a readable WARC file: the record at byte "
                        f"{records.offset}: {detail}") from None
    if records.incomplete_at is not None:
        if stream.peek(1):
            raise WarcError(f"{location}: not a readable WARC file: the record at byte "
                            f"{records.incomplete_at} has no valid Content-Length")
        raise _truncated(location, records, counter.count)


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
