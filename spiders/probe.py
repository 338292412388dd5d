"""A handful of plain fetches for `akhbar sites add` (home page, robots.txt, feeds, sitemaps):
redirects followed, gzip undone, the proxy and User-Agent of a crawl, every failure a reason."""

from __future__ import annotations

import gzip
import urllib.error
import urllib.request
from dataclasses import dataclass

from akhbar.extract.model import MAX_PAGE_BYTES

GZIP_MAGIC = b"\x1f\x8b"


@dataclass(frozen=True)
class Fetched:
    """One fetch: the final URL, the status and body, or why there is none."""

    url: str
    final_url: str
    status: int | None
    body: bytes
    content_type: str
    error: str | None = None

    @property
    def ok(self) -> bool:
        return self.error is None and self.status == 200


class Prober:
    """Fetches through the crawl's proxy with the crawl's User-Agent."""

    def __init__(self, user_agent: str, proxy: str | None = None, timeout: float = 20) -> None:
        handlers = [urllib.request.ProxyHandler(
            {"http": proxy, "https": proxy} if proxy else {})]
        self.opener = urllib.request.build_opener(*handlers)
        self.user_agent = user_agent
        self.timeout = timeout
        self.log: list[Fetched] = []

    def fetch(self, url: str) -> Fetched:
        request = urllib.request.Request(url, headers={
            "User-Agent": self.user_agent, "Accept-Encoding": "gzip"})
        try:
            with self.opener.open(request, timeout=self.timeout) as response:
                body = response.read(MAX_PAGE_BYTES + 1)
                final, status = response.geturl(), response.status
                kind = response.headers.get("Content-Type", "")
                encoding = response.headers.get("Content-Encoding", "")
        except urllib.error.HTTPError as exc:
            result = Fetched(url, exc.geturl() or url, exc.code, b"",
                             exc.headers.get("Content-Type", "") if exc.headers else "",
                             f"HTTP {exc.code}")
        except (urllib.error.URLError, OSError, ValueError) as exc:
            reason = getattr(exc, "reason", exc)
            result = Fetched(url, url, None, b"", "", f"cannot fetch: {reason}")
        else:
            error = None
            if len(body) > MAX_PAGE_BYTES:
                error, body = f"over {MAX_PAGE_BYTES >> 20} MB", b""
            elif encoding == "gzip" or body[:2] == GZIP_MAGIC:
                try:
                    body = gzip.decompress(body)
                except (OSError, EOFError) as exc:
                    error, body = f"broken gzip: {exc}", b""
            result = Fetched(url, final, status, body, kind, error)
        self.log.append(result)
        return result
