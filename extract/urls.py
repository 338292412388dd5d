"""URL canonicalisation, so one article is one row however it was reached."""

from __future__ import annotations

import re
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

from w3lib.url import canonicalize_url

TRACKING_PARAMETER = re.compile(
    r"^(utm_\w+|fbclid|gclid|dclid|msclkid|yclid|igshid|mc_cid|mc_eid|_ga|ref|ref_src|"
    r"ocid|cmpid|__twitter_impression|amp)$",
    re.IGNORECASE,
)


def canonical_url(url: str) -> str:
    """Without fragment and tracking parameters, host lower-cased, percent-encoding normalised."""
    parts = urlsplit(url.strip())
    query = [(k, v) for k, v in parse_qsl(parts.query, keep_blank_values=True)
             if not TRACKING_PARAMETER.match(k)]
    cleaned = urlunsplit((parts.scheme.lower(), parts.netloc.lower(), parts.path or "/",
                          urlencode(query), ""))
    return canonicalize_url(cleaned, keep_fragments=False)


DEFAULT_PORTS = {"http": 80, "https": 443}


def host_in(url: str, domains: tuple[str, ...] | list[str]) -> bool:
    """Whether the URL's host is one of the domains or a subdomain of one, on the domain's port.

    A domain is a host with an optional `:port`; without one, only the scheme's default port
    is in scope (the same host on another port is another server).
    """
    parts = urlsplit(url)
    host = (parts.hostname or "").lower()
    try:
        port = parts.port or DEFAULT_PORTS.get(parts.scheme.lower())
    except ValueError:  # a port that is not a number
        return False
    for domain in domains:
        name, _, wanted = domain.lower().partition(":")
        if (host == name or host.endswith("." + name)) and \
                port == (int(wanted) if wanted else DEFAULT_PORTS.get(parts.scheme.lower())):
            return True
    return False
