"""Where a seed's article URLs lie: its scope (host and path prefixes), and its URL patterns
compiled once (absolute ones match the whole URL, relative ones the path after the scope)."""

from __future__ import annotations

import re
from functools import lru_cache
from urllib.parse import urlsplit

from akhbar.extract.urls import host_in


def scope_parts(scope: str) -> tuple[str, str]:
    """(host[:port], path prefix ending in /) of a scope such as `bbc.com/arabic/`."""
    scope = re.sub(r"^[a-z]+://", "", scope.strip(), flags=re.I)
    host, slash, path = scope.partition("/")
    prefix = "/" + path if slash else "/"
    if not prefix.endswith("/"):
        prefix += "/"
    return host.lower().removeprefix("www."), prefix


@lru_cache(maxsize=256)
def _scope_prefixes(scope: tuple[str, ...],
                    domains: tuple[str, ...]) -> tuple[tuple[str, str], ...]:
    """(host, path prefix) pairs of a scope; without one, every path of the domains."""
    return tuple(scope_parts(s) for s in scope) if scope else tuple((d, "/") for d in domains)


def scoped_path(url: str, scope: tuple[str, ...], domains: tuple[str, ...]) -> str | None:
    """The URL's path and query after the prefix of `scope` (else of `domains`) it falls in,
    without a leading slash; None when it falls in none."""
    parts = urlsplit(url)
    path = parts.path or "/"
    for host, prefix in _scope_prefixes(scope, domains):
        if path.startswith(prefix) and host_in(url, (host,)):
            return path[len(prefix):] + (f"?{parts.query}" if parts.query else "")
    return None


def _normal_scope(scope: str) -> str:
    host, prefix = scope_parts(scope)
    if not host or not re.match(r"^[a-z0-9.-]+(:\d+)?$", host):
        raise ValueError(f"{scope!r} is not a host/path prefix such as bbc.com/arabic/")
    return host + prefix


def is_absolute_pattern(pattern: str) -> bool:
    """A pattern for the whole URL (it names the scheme or host), not the scoped path."""
    return "://" in pattern or pattern.lstrip("^").startswith("http")


@lru_cache(maxsize=256)
def split_patterns(patterns: tuple[str, ...]) -> tuple[tuple[re.Pattern, ...],
                                                       tuple[re.Pattern, ...]]:
    absolute = tuple(re.compile(p) for p in patterns if is_absolute_pattern(p))
    relative = tuple(re.compile(p) for p in patterns if not is_absolute_pattern(p))
    return absolute, relative


@lru_cache(maxsize=256)
def _compiled(patterns: tuple[str, ...]) -> tuple[re.Pattern, ...]:
    return tuple(re.compile(p) for p in patterns)


@lru_cache(maxsize=256)
def _compiled_rewrites(rewrites: tuple[tuple[str, str], ...]) -> tuple[tuple[re.Pattern, str], ...]:
    return tuple((re.compile(p), r) for p, r in rewrites)
