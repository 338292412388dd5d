"""A loopback HTTP server hosting several news sites by host name.

It answers both as an origin (by the Host header) and as an HTTP proxy (absolute request
URIs), so a crawler pointed at it with `http_proxy` sees stable host names such as
`demo.akhbar.test` whatever port the server got.
"""

from __future__ import annotations

import hashlib
import threading
import time
from collections import Counter
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import unquote, urlsplit

from akhbar.flows.demo.site import Response

NOT_FOUND = Response(b"<html><body><h1>404</h1></body></html>", status=404)


class LoopbackNetwork:
    """Sites served on 127.0.0.1: `sites[host][path] -> Response`, editable while running."""

    def __init__(self, sites: dict[str, dict[str, Response]] | None = None) -> None:
        # A value may also be a callable returning a Response (for answers that change).
        self.sites: dict[str, dict[str, Response]] = sites or {}
        # Seconds to wait before answering URLs with a given prefix (slow sites in tests).
        self.delays: dict[str, float] = {}
        # What a host answers for paths it does not have (default: 404).
        self.fallbacks: dict[str, Response] = {}
        self.requests: Counter[str] = Counter()
        self.log: list[tuple[float, str]] = []  # (time.monotonic(), url) of every request
        self._lock = threading.Lock()
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), self._handler_class())
        self._server.daemon_threads = True
        self._thread: threading.Thread | None = None

    @property
    def proxy_url(self) -> str:
        host, port = self._server.server_address[:2]
        return f"http://{host}:{port}"

    def start(self) -> LoopbackNetwork:
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)
        self._thread.start()
        return self

    def stop(self) -> None:
        self._server.shutdown()
        self._server.server_close()

    def __enter__(self) -> LoopbackNetwork:
        return self.start()

    def __exit__(self, *exc_info) -> None:
        self.stop()

    def fetched(self, prefix: str = "") -> int:
        """How many requests were made for URLs starting with `prefix`."""
        with self._lock:
            return sum(n for url, n in self.requests.items() if url.startswith(prefix))

    def answer(self, host: str, path: str) -> Response:
        url = f"http://{host}{path}"
        with self._lock:
            self.requests[url] += 1
            self.log.append((time.monotonic(), url))
        delay = max((s for prefix, s in self.delays.items() if url.startswith(prefix)), default=0)
        if delay:
            time.sleep(delay)
        response = self.sites.get(host, {}).get(unquote(path),
                                                self.fallbacks.get(host, NOT_FOUND))
        return response() if callable(response) else response

    def _handler_class(self) -> type[BaseHTTPRequestHandler]:
        network = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def do_GET(self) -> None:  # noqa: N802 (http.server's naming)
                try:
                    self.answer()
                except OSError:  # the client went away (a killed crawl, a timeout)
                    self.close_connection = True

            def answer(self) -> None:
                target = urlsplit(self.path)
                host = (target.hostname or self.headers.get("Host", "")).split(":")[0]
                path = target.path or "/"
                if target.query:
                    path = f"{path}?{target.query}"
                response = network.answer(host, path)
                etag = f'"{hashlib.sha1(response.body).hexdigest()[:16]}"'
                if response.status == 200 and self.headers.get("If-None-Match") == etag:
                    self.send_response(304)
                    self.send_header("ETag", etag)
                    self.send_header("Content-Length", "0")
                    self.end_headers()
                    return
                self.send_response(response.status)
                if response.status == 200:
                    self.send_header("ETag", etag)
                self.send_header("Content-Type", response.content_type)
                self.send_header("Content-Length", str(len(response.body)))
                for name, value in response.headers.items():
                    self.send_header(name, value)
                self.end_headers()
                if not response.drip:
                    self.wfile.write(response.body)
                    return
                for byte in response.body:
                    self.wfile.write(bytes([byte]))
                    self.wfile.flush()
                    time.sleep(response.drip)

            def log_message(self, format: str, *args) -> None:  # keep test output quiet
                pass

        return Handler
