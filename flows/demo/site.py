"""Render a WordPress-style Arabic news site (pages, RSS feed, sitemap, robots.txt) from data."""

from __future__ import annotations

import json
import tomllib
from dataclasses import dataclass, field
from datetime import UTC, datetime
from email.utils import format_datetime
from html import escape
from pathlib import Path
from string import Template
from urllib.parse import quote, unquote
from xml.sax.saxutils import escape as xml_escape

DEMO_DIR = Path(__file__).parent
THEME = Template((DEMO_DIR / "theme.html").read_text(encoding="utf-8"))
ARABIC_MONTHS = ("يناير", "فبراير", "مارس", "أبريل", "مايو", "يونيو", "يوليو", "أغسطس",
                 "سبتمبر", "أكتوبر", "نوفمبر", "ديسمبر")
SECTION_SLUGS = {"محليات": "local", "عربي ودولي": "world", "اقتصاد": "economy",
                 "رياضة": "sport", "ثقافة": "culture"}
CAPTCHA = "واحد × أربعة ="


@dataclass(frozen=True)
class DemoArticle:
    """One article of the demo site, as written in articles.toml."""

    id: int
    slug: str
    section: str
    title: str
    subtitle: str
    authors: list[str]
    published: str
    modified: str
    tags: list[str]
    caption: str
    comments: int
    in_feed: bool
    paragraphs: list[str]

    @property
    def path(self) -> str:
        return f"/article/{self.id}/{quote(self.slug)}/"


@dataclass
class Response:
    """What the loopback server answers for one path."""

    body: bytes
    content_type: str = "text/html; charset=UTF-8"
    status: int = 200
    headers: dict[str, str] = field(default_factory=dict)
    drip: float = 0.0  # seconds between body bytes (a server that answers very slowly)


def load_articles(path: Path = DEMO_DIR / "articles.toml") -> list[DemoArticle]:
    """The demo site's articles."""
    data = tomllib.loads(path.read_text(encoding="utf-8"))
    return [DemoArticle(**item) for item in data["article"]]


def _display_date(iso: str) -> str:
    moment = datetime.fromisoformat(iso)
    return f"{moment.day} {ARABIC_MONTHS[moment.month - 1]} {moment.year}"


def render_article(article: DemoArticle, others: list[DemoArticle], base_url: str,
                   site_name: str) -> str:
    """One article page in the demo theme."""
    url = base_url + article.path
    json_ld = {
        "@context": "https://schema.org", "@type": "NewsArticle", "headline": article.title,
        "datePublished": article.published, "dateModified": article.modified,
        "mainEntityOfPage": url, "articleSection": article.section,
        "author": [{"@type": "Person", "name": a} for a in article.authors]
        or {"@type": "Organization", "name": site_name},
        "publisher": {"@type": "Organization", "name": site_name},
    }
    byline = (
        '<span class="meta-author">كتب: '
        + "، ".join(f'<a class="author-name" href="{base_url}/author/{i}/">{escape(a)}</a>'
                    for i, a in enumerate(article.authors, 1))
        + "</span>"
        if article.authors else ""
    )
    related = "\n".join(
        f'    <div class="related-item"><a href="{base_url}{o.path}">{escape(o.title)}</a>'
        f'<span class="date">{_display_date(o.published)}</span></div>'
        for o in others[:3]
    )
    values = {
        "id": article.id, "url": url, "base_url": base_url, "site_name": escape(site_name),
        "title": escape(article.title), "section": escape(article.section),
        "section_slug": SECTION_SLUGS.get(article.section, "news"),
        "published": article.published, "modified": article.modified,
        "published_display": _display_date(article.published),
        "today": _display_date(article.modified),
        "json_ld": json.dumps(json_ld, ensure_ascii=False),
        "subtitle_html": (f'<h2 class="entry-sub-title">{escape(article.subtitle)}</h2>'
                          if article.subtitle else ""),
        "byline_html": byline, "comments": article.comments, "caption": escape(article.caption),
        "body_html": "\n".join(f"<p>{escape(p)}</p>" for p in article.paragraphs),
        "tags_html": " ".join(f'<a href="{base_url}/tag/{quote(t)}/" rel="tag">{escape(t)}</a>'
                              for t in article.tags),
        "related_html": related, "captcha": CAPTCHA,
        "most_read_html": "\n".join(f'<li><a href="{base_url}{o.path}">{escape(o.title)}</a></li>'
                                    for o in others[:4]),
        "breaking": escape(others[0].title if others else article.title),
    }
    return THEME.substitute(values)


def render_feed(articles: list[DemoArticle], base_url: str, site_name: str) -> str:
    """RSS 2.0 feed of the articles marked in_feed, newest first."""
    items = []
    for article in sorted(articles, key=lambda a: a.published, reverse=True):
        if not article.in_feed:
            continue
        items.append(
            "<item>"
            f"<title>{xml_escape(article.title)}</title>"
            f"<link>{base_url}{article.path}</link>"
            f"<guid isPermaLink=\"false\">{base_url}/?p={article.id}</guid>"
            f"<pubDate>{format_datetime(datetime.fromisoformat(article.published))}</pubDate>"
            f"<category><![CDATA[{article.section}]]></category>"
            f"<description><![CDATA[{article.paragraphs[0]}]]></description>"
            "</item>"
        )
    return (
        '<?xml version="1.0" encoding="UTF-8"?>\n<rss version="2.0" '
        'xmlns:atom="http://www.w3.org/2005/Atom"><channel>'
        f"<title>{xml_escape(site_name)}</title><link>{base_url}/</link>"
        "<language>ar</language><description>آخر الأخبار</description>"
        + "".join(items) + "</channel></rss>\n"
    )


def render_sitemap(articles: list[DemoArticle], base_url: str) -> str:
    """A sitemap with every article and its lastmod."""
    urls = "".join(
        f"<url><loc>{base_url}{a.path}</loc><lastmod>{a.modified}</lastmod></url>"
        for a in articles
    )
    return ('<?xml version="1.0" encoding="UTF-8"?>\n'
            '<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">' + urls + "</urlset>\n")


def render_home(articles: list[DemoArticle], base_url: str, site_name: str) -> str:
    """A minimal front page linking every article."""
    links = "".join(f'<li><a href="{base_url}{a.path}">{escape(a.title)}</a></li>'
                    for a in articles)
    return (f'<!DOCTYPE html><html dir="rtl" lang="ar"><head><meta charset="UTF-8">'
            f"<title>{escape(site_name)}</title></head><body><h1>{escape(site_name)}</h1>"
            f"<ul>{links}</ul></body></html>")


def build_site(base_url: str, site_name: str = "الأخبار التجريبية",
               articles: list[DemoArticle] | None = None) -> dict[str, Response]:
    """Every path of the site mapped to its response."""
    articles = load_articles() if articles is None else articles
    pages: dict[str, Response] = {
        "/": Response(render_home(articles, base_url, site_name).encode()),
        "/robots.txt": Response(
            f"User-agent: *\nDisallow: /wp-admin/\nSitemap: {base_url}/sitemap.xml\n".encode(),
            "text/plain; charset=UTF-8"),
        "/feed/": Response(render_feed(articles, base_url, site_name).encode(),
                           "application/rss+xml; charset=UTF-8"),
        "/sitemap.xml": Response(render_sitemap(articles, base_url).encode(),
                                 "application/xml; charset=UTF-8"),
    }
    for article in articles:
        others = [o for o in articles if o.id != article.id]
        html = render_article(article, others, base_url, site_name)
        pages[unquote(article.path)] = Response(html.encode(), headers={
            "Last-Modified": format_datetime(
                datetime.fromisoformat(article.modified).astimezone(UTC), usegmt=True)
        })
    return pages
