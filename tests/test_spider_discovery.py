"""Pure discovery helpers: feeds, sitemaps, URL canonicalisation, encodings, Retry-After."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone

import pytest
from akhbar.extract.encoding import detect_encoding
from akhbar.extract.urls import canonical_url
from akhbar.spiders.discovery import is_feed, parse_date, parse_feed, parse_sitemap
from akhbar.spiders.middlewares import retry_after_seconds

RSS = b"""<?xml version="1.0"?><rss version="2.0"><channel>
<item><link>https://a.example/1</link><pubDate>Wed, 01 May 2024 09:00:00 +0300</pubDate></item>
<item><guid>https://a.example/2</guid></item>
<item><guid isPermaLink="false">42</guid></item>
</channel></rss>"""
ATOM = b"""<feed xmlns="http://www.w3.org/2005/Atom"><entry>
<link rel="alternate" href="/3"/><updated>2024-05-01T10:00:00Z</updated>
<published>2024-04-30T10:00:00Z</published></entry></feed>"""
NEWS = b"""<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9"
 xmlns:news="http://www.google.com/schemas/sitemap-news/0.9">
<url><loc>https://a.example/n</loc><news:news><news:publication_date>2024-05-01T08:00:00+03:00
</news:publication_date></news:news></url></urlset>"""
INDEX = b"""<sitemapindex xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">
<sitemap><loc>https://a.example/s1.xml.gz</loc><lastmod>2024-05-01</lastmod></sitemap>
</sitemapindex>"""


def test_rss_and_atom():
    items = parse_feed(RSS, "https://a.example/feed")
    assert [i.url for i in items] == ["https://a.example/1", "https://a.example/2"]
    assert items[0].changed_at == datetime(2024, 5, 1, 9, tzinfo=timezone(timedelta(hours=3)))
    [entry] = parse_feed(ATOM, "https://a.example/feed")
    assert entry.url == "https://a.example/3"
    assert entry.changed_at == datetime(2024, 5, 1, 10, tzinfo=UTC)
    assert entry.dated == datetime(2024, 4, 30, 10, tzinfo=UTC)
    assert is_feed(RSS) and is_feed(ATOM) and not is_feed(b"<html></html>")


def test_sitemaps_keep_google_news_publication_date():
    [page], children = parse_sitemap(NEWS, "https://a.example/")
    assert children == []
    assert page.published == datetime(2024, 5, 1, 5, tzinfo=UTC)
    pages, [child] = parse_sitemap(INDEX, "https://a.example/")
    assert pages == [] and child.url.endswith("s1.xml.gz")
    assert parse_sitemap(b"not xml at all", "https://a.example/") == ([], [])


@pytest.mark.parametrize("value, expected", [
    ("2024-05-01", datetime(2024, 5, 1, tzinfo=UTC)),
    ("Wed, 01 May 2024 09:00:00 GMT", datetime(2024, 5, 1, 9, tzinfo=UTC)),
    ("yesterday", None), ("", None),
])
def test_parse_date(value, expected):
    assert parse_date(value) == expected


def test_canonical_url():
    raw = "https://News.Example/مقال/1?utm_source=x&b=2&fbclid=y&a=1#comments"
    assert canonical_url(raw) == "https://news.example/%D9%85%D9%82%D8%A7%D9%84/1?a=1&b=2"
    assert canonical_url("https://news.example/%d9%85%d9%82%d8%a7%d9%84/1") == \
        canonical_url("https://news.example/مقال/1")


def test_retry_after():
    now = datetime(2024, 5, 1, 12, tzinfo=UTC)
    assert retry_after_seconds(b"120") == 120
    assert retry_after_seconds(b"Wed, 01 May 2024 12:00:30 GMT", now) == 30
    assert retry_after_seconds(b"soon") is None and retry_after_seconds(None) is None


TEXT = "<p>أعلنت وزارة التربية والتعليم اليوم عن بدء التسجيل في المدارس الحكومية.</p>"


@pytest.mark.parametrize("encoding", ["windows-1256", "iso-8859-6"])
def test_legacy_encodings_without_or_with_wrong_declarations(encoding):
    body = TEXT.encode(encoding)
    assert detect_encoding(body) == encoding
    assert detect_encoding(body, "text/html; charset=utf-8") == encoding
    assert detect_encoding(body, "text/html; charset=iso-8859-1") == encoding
    meta = f'<meta charset="{encoding}">'.encode() + body
    assert detect_encoding(meta) == encoding


def test_utf8_wins_over_a_wrong_legacy_declaration():
    assert detect_encoding(TEXT.encode(), "text/html; charset=windows-1256") == "utf-8"
    assert detect_encoding(b"\xef\xbb\xbf" + TEXT.encode()) == "utf-8"


def test_a_domain_is_a_host_on_its_port():
    from akhbar.extract.urls import host_in

    assert host_in("https://news.example/a", ["news.example"])
    assert host_in("https://m.news.example:443/a", ["news.example"])
    assert host_in("http://news.example:80/a", ["news.example"])
    # The same host on another port is another server, out of scope unless named.
    assert not host_in("http://news.example:8080/a", ["news.example"])
    assert not host_in("https://news.example:8443/a", ["news.example"])
    assert host_in("http://news.example:8080/a", ["news.example:8080"])
    assert not host_in("http://news.example/a", ["news.example:8080"])
    assert not host_in("http://news.example:bad/a", ["news.example"])
    assert not host_in("http://evilnews.example/a", ["news.example"])
