"""A loopback "news network" for discovery tests: sites written here, modelled on real ones.

- gulf.akhbar.test: a WordPress news site. RSS feed with tracking parameters, a mobile-host link
  and an AMP link; a Yoast-style sitemap index with a gzipped child, a Google News sitemap and a
  nested index; a robots.txt disallow; a 429-then-200 article; a redirect chain; an off-site
  redirect; a Persian page; an AMP page reached under a URL no rule rewrites.
- legacy.akhbar.test: an older site in windows-1256 / ISO-8859-6 with no feed or sitemap,
  discovered through date archives and a paginated section listing, with every way of declaring
  (or not) an encoding.
- archive.akhbar.test: a site with three months of 2019 archive for backfills.
"""

from __future__ import annotations

import gzip
from dataclasses import dataclass, replace
from datetime import date, datetime, timedelta
from email.utils import format_datetime
from html import escape
from pathlib import Path
from urllib.parse import quote, unquote
from zoneinfo import ZoneInfo

from akhbar.flows.demo.site import DemoArticle, Response, load_articles, render_article

SEEDS_DIR = Path(__file__).parent / "fixtures" / "seeds"
GULF = "http://gulf.akhbar.test"
LEGACY = "http://legacy.akhbar.test"
ARCHIVE = "http://archive.akhbar.test"
RIYADH = ZoneInfo("Asia/Riyadh")

SENTENCES = (
    "أعلنت الجهات المختصة اليوم عن خطة جديدة لتطوير الخدمات العامة في المدينة",
    "وقال مسؤول في البلدية إن العمل سيبدأ خلال الأسابيع المقبلة على مراحل متتالية",
    "وأوضح أن الخطة تشمل تحسين الطرق وتوسيع شبكة النقل العام وزيادة المساحات الخضراء",
    "ورحب عدد من السكان بالخطوة معربين عن أملهم في أن تنعكس سريعا على حياتهم اليومية",
    "ومن المتوقع أن تعلن تفاصيل الميزانية المخصصة للمشروع في مؤتمر صحافي الأسبوع المقبل",
    "وأشار خبراء إلى أهمية إشراك المجتمع المحلي في متابعة التنفيذ وتقييم النتائج",
)
PERSIAN = (
    "به گزارش خبرنگار ما، نشست مشترک وزیران اقتصاد دو کشور روز یکشنبه در تهران برگزار شد و "
    "دو طرف درباره گسترش همکاری‌های تجاری و گمرکی گفتگو کردند.",
    "در این نشست قرار شد کمیته‌ای برای پیگیری توافق‌ها تشکیل شود و گزارش آن تا پایان ماه "
    "آینده ارائه گردد.",
)


def synthetic_article(number: int, published: datetime, section: str = "محليات") -> DemoArticle:
    """An article of its own: a numbered headline and paragraphs from the sentence pool."""
    paragraphs = [
        f"{SENTENCES[(number + i) % len(SENTENCES)]}، وذلك ضمن المرحلة رقم {number + i}."
        for i in range(4)
    ]
    iso = published.isoformat()
    return DemoArticle(
        id=number, slug=f"خبر-{number}", section=section,
        title=f"خطة جديدة لتطوير الخدمات في الحي رقم {number}", subtitle="", authors=[],
        published=iso, modified=iso, tags=[], caption="صورة من الموقع", comments=0,
        in_feed=True, paragraphs=paragraphs)


def _rss(items: list[tuple[str, datetime]], title: str) -> bytes:
    entries = "".join(
        f"<item><title>خبر</title><link>{escape(url)}</link>"
        f"<pubDate>{format_datetime(when)}</pubDate></item>" for url, when in items)
    return (f'<?xml version="1.0" encoding="UTF-8"?><rss version="2.0"><channel>'
            f"<title>{title}</title>{entries}</channel></rss>").encode()


def _urlset(entries: list[tuple[str, str | None]], news: bool = False) -> bytes:
    rows = []
    for url, when in entries:
        if news:
            rows.append(f"<url><loc>{escape(url)}</loc><news:news><news:publication>"
                        "<news:name>Gulf</news:name><news:language>ar</news:language>"
                        f"</news:publication><news:publication_date>{when}"
                        "</news:publication_date><news:title>خبر</news:title></news:news></url>")
        else:
            lastmod = f"<lastmod>{when}</lastmod>" if when else ""
            rows.append(f"<url><loc>{escape(url)}</loc>{lastmod}</url>")
    namespace = ' xmlns:news="http://www.google.com/schemas/sitemap-news/0.9"' if news else ""
    return ('<?xml version="1.0" encoding="UTF-8"?><urlset '
            f'xmlns="http://www.sitemaps.org/schemas/sitemap/0.9"{namespace}>'
            + "".join(rows) + "</urlset>").encode()


def _index(children: list[tuple[str, str | None]]) -> bytes:
    rows = "".join(f"<sitemap><loc>{url}</loc>" + (f"<lastmod>{when}</lastmod>" if when else "")
                   + "</sitemap>" for url, when in children)
    return ('<?xml version="1.0" encoding="UTF-8"?><sitemapindex '
            'xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">' + rows + "</sitemapindex>"
            ).encode()


def _page(article: DemoArticle, base: str, others: list[DemoArticle]) -> Response:
    return Response(render_article(article, others, base, "أخبار الخليج").encode())


@dataclass
class Flaky:
    """Answers `first` for the first request, then `then`."""

    first: Response
    then: Response
    served: int = 0

    def __call__(self) -> Response:
        self.served += 1
        return self.first if self.served == 1 else self.then


def gulf_site() -> tuple[dict[str, Response], dict[str, str]]:
    """(pages by path, expected article URL by name) of the WordPress site."""
    base = GULF
    when = datetime(2024, 5, 1, 9, 0, tzinfo=RIYADH)
    demo = load_articles()
    # Each its own story: the demo texts again, with a closing paragraph of their own.
    arts = {n: replace(demo[(n - 101) % len(demo)], id=n, slug=f"خبر-{n}", in_feed=True,
                       paragraphs=[*demo[(n - 101) % len(demo)].paragraphs,
                                   f"وتتابع نشرة أخبار الخليج رقم {n} تطورات هذا الملف."],
                       published=(when + timedelta(hours=n - 100)).isoformat(),
                       modified=(when + timedelta(hours=n - 100)).isoformat())
            for n in (101, 102, 103, 104, 105, 106, 107, 108, 109, 111)}
    persian = replace(synthetic_article(110, when), title="نشست مشترک وزیران اقتصاد",
                      paragraphs=list(PERSIAN))
    pages: dict[str, Response] = {}
    for article in arts.values():
        pages[unquote(article.path)] = _page(article, base, [])
    pages[unquote(persian.path)] = _page(persian, base, [])
    url = {n: base + a.path for n, a in arts.items()} | {110: base + persian.path}

    # 102 is listed in the feed as its AMP variant; the seed's rewrite maps it home.
    pages[unquote(arts[102].path) + "amp/"] = pages[unquote(arts[102].path)]
    # 111's AMP page sits under a URL no rule knows; its <link rel=canonical> points home.
    amp_111 = f"/amp/article/111/{quote(arts[111].slug)}"
    pages[unquote(amp_111)] = pages[unquote(arts[111].path)]
    # 106 is rate limited once.
    pages[unquote(arts[106].path)] = Flaky(
        Response(b"slow down", "text/plain", status=429, headers={"Retry-After": "1"}),
        pages[unquote(arts[106].path)])
    # 107 sits under a path robots.txt disallows.
    private_107 = f"/private/article/107/{quote(arts[107].slug)}/"
    pages[unquote(private_107)] = pages.pop(unquote(arts[107].path))
    # 108 moved: the old URL redirects twice before the article.
    pages["/article/108/old/"] = Response(b"", status=301, headers={"Location": "/go/108"})
    pages["/go/108"] = Response(b"", status=302, headers={"Location": arts[108].path})
    # 109 redirects off the site.
    pages[unquote(arts[109].path)] = Response(
        b"", status=302, headers={"Location": "http://elsewhere.akhbar.test/landing"})

    stamp = "2024-05-02T10:00:00+03:00"
    feed_items = [
        (url[101] + "?utm_source=rss&utm_medium=feed&fbclid=xyz", when),
        (url[102] + "amp/", when),
        (url[103].replace("gulf.akhbar.test", "m.gulf.akhbar.test"), when),
        (base + amp_111, when),
        (url[110], when),
    ]
    pages["/feed/"] = Response(_rss(feed_items, "أخبار الخليج"), "application/rss+xml")
    pages["/robots.txt"] = Response(
        f"User-agent: *\nDisallow: /private/\nSitemap: {base}/sitemap_index.xml\n".encode(),
        "text/plain")
    pages["/sitemap_index.xml"] = Response(_index([
        (base + "/post-sitemap1.xml.gz", stamp), (base + "/news-sitemap.xml", stamp),
        (base + "/archive-index.xml", stamp)]), "application/xml")
    pages["/post-sitemap1.xml.gz"] = Response(gzip.compress(_urlset([
        (url[101], stamp), (url[102], stamp), (url[106], stamp), (url[111], stamp),
        (base + private_107, stamp), (base + "/article/108/old/", stamp), (url[109], stamp),
        (base + "/category/local/", stamp), (base + "/tag/news/", stamp)])), "application/x-gzip")
    pages["/news-sitemap.xml"] = Response(_urlset([(url[104], stamp)], news=True),
                                          "application/xml")
    pages["/archive-index.xml"] = Response(_index([(base + "/post-2019.xml.gz", stamp)]),
                                           "application/xml")
    pages["/post-2019.xml.gz"] = Response(gzip.compress(_urlset([(url[105], stamp)])),
                                          "application/x-gzip")
    expected = {n: url[n] for n in (101, 102, 103, 104, 105, 106, 108, 111)}
    return pages, expected | {"persian": url[110]}


LEGACY_TEMPLATE = """<html dir="rtl">
<head>{meta}<title>{title} - جريدة الوطن</title></head>
<body bgcolor="#ffffff">
<table width="760" align="center"><tr><td>
<a href="/">الرئيسية</a> | <a href="/section/local/?page=1">محليات</a> |
<a href="/section/sport/">رياضة</a>
</td></tr><tr><td>
<h1>{title}</h1>
<font size="2">{day}</font>
{paragraphs}
<p>أضف تعليق</p>
<p>جميع الحقوق محفوظة © جريدة الوطن</p>
</td></tr></table>
</body></html>
"""


def legacy_site(today: date) -> tuple[dict[str, Response], dict[str, str]]:
    """(pages, expected URLs) of the windows-1256 site; archives are for `today` and the day
    before."""
    base = LEGACY
    yesterday = today - timedelta(days=1)
    pages: dict[str, Response] = {}
    urls: dict[str, str] = {}
    # name: (path, encoding, Content-Type header, <meta>)
    variants = {
        "cp1256-undeclared": ("/news/1.html", "windows-1256", "text/html", ""),
        "iso-8859-6-header": ("/news/2.html", "iso-8859-6", "text/html; charset=ISO-8859-6", ""),
        "cp1256-meta-only": ("/news/3.html", "windows-1256", "text/html",
                             '<meta http-equiv="Content-Type" '
                             'content="text/html; charset=windows-1256">'),
        "cp1256-wrong-header": ("/news/4.html", "windows-1256", "text/html; charset=iso-8859-1",
                                ""),
        "utf8-wrong-header": ("/news/5.html", "utf-8", "text/html; charset=windows-1256", ""),
        "cp1256-page-3": ("/news/6.html", "windows-1256", "text/html", ""),
        "beyond-listing-limit": ("/news/9.html", "windows-1256", "text/html", ""),
    }
    for number, (name, (path, encoding, content_type, meta)) in enumerate(variants.items(), 1):
        article = synthetic_article(200 + number, datetime.combine(today, datetime.min.time()))
        html = LEGACY_TEMPLATE.format(
            meta=meta, title=article.title, day=today.isoformat(),
            paragraphs="\n".join(f"<p>{p}</p>" for p in article.paragraphs))
        pages[path] = Response(html.encode(encoding, errors="xmlcharrefreplace"), content_type)
        urls[name] = base + path

    def links(paths: list[str], extra: str = "") -> bytes:
        anchors = "".join(f'<li><a href="{p}">خبر</a></li>' for p in paths)
        return (f'<html><head><meta charset="windows-1256"></head><body><ul>{anchors}</ul>'
                f"{extra}</body></html>").encode("windows-1256")

    pages[f"/archive/{today:%Y/%m/%d}"] = Response(links(["/news/1.html", "/about.html"]))
    pages[f"/archive/{yesterday:%Y/%m/%d}"] = Response(links(["/news/2.html"]))
    pages["/section/local/?page=1"] = Response(
        links(["/news/3.html"], '<a href="/section/local/?page=2">التالي</a>'))
    pages["/section/local/?page=2"] = Response(
        links(["/news/4.html", "/news/5.html"], '<a href="?page=3">التالي</a>'))
    pages["/section/local/?page=3"] = Response(
        links(["/news/6.html"], '<a href="/section/local/?page=4">التالي</a>'))
    pages["/section/local/?page=4"] = Response(links(["/news/9.html"]))
    pages["/robots.txt"] = Response(b"User-agent: *\nDisallow:\n", "text/plain")
    expected = {k: v for k, v in urls.items() if k != "beyond-listing-limit"}
    return pages, expected


def archive_articles() -> list[DemoArticle]:
    """Four articles a month from December 2018 to April 2019, at 10:00 Riyadh time."""
    articles = []
    for month_index, (year, month) in enumerate(
            [(2018, 12), (2019, 1), (2019, 2), (2019, 3), (2019, 4)]):
        for k in range(4):
            published = datetime(year, month, 3 + 7 * k, 10, 0, tzinfo=RIYADH)
            articles.append(synthetic_article(300 + month_index * 10 + k, published))
    return articles


def archive_site() -> dict[str, Response]:
    """The backfill site: a sitemap index of monthly sitemaps and daily archive pages."""
    base = ARCHIVE
    articles = archive_articles()
    pages: dict[str, Response] = {"/robots.txt": Response(b"User-agent: *\n", "text/plain")}
    months: dict[str, list[DemoArticle]] = {}
    for article in articles:
        pages[unquote(article.path)] = Response(
            render_article(article, [], base, "الأرشيف").encode())
        months.setdefault(article.published[:7], []).append(article)
    pages["/sitemap.xml"] = Response(_index([
        (f"{base}/sitemap-{month}.xml", items[-1].published)
        for month, items in months.items()]), "application/xml")
    for month, items in months.items():
        # Only the first two of each month are in the sitemap; the archive pages list all.
        pages[f"/sitemap-{month}.xml"] = Response(
            _urlset([(base + a.path, a.published) for a in items[:2]]), "application/xml")
    days: dict[str, list[DemoArticle]] = {}
    for article in articles:
        days.setdefault(article.published[:10], []).append(article)
    for day, items in days.items():
        anchors = "".join(f'<a href="{a.path}">{escape(a.title)}</a>' for a in items)
        pages["/archive/" + day.replace("-", "/")] = Response(
            f"<html><body>{anchors}</body></html>".encode())
    return pages


FAULTY = "http://faulty.akhbar.test"
FAILING_SEEDS_DIR = Path(__file__).parent / "fixtures" / "failing"


def faulty_site() -> tuple[dict[str, Response], dict[str, str]]:
    """(pages, article URL by name) of a site whose articles fail in every way they can:
    gone (404), a redirect loop, an off-site redirect, bytes dripping past the timeout, and a
    429 whose Retry-After must be honoured."""
    base = FAULTY
    when = datetime(2024, 5, 1, 9, 0, tzinfo=RIYADH)
    names = ("ok", "gone", "loop", "away", "slow", "limited")
    arts = {name: replace(synthetic_article(500 + i, when + timedelta(hours=i)),
                          slug=f"{name}-{500 + i}") for i, name in enumerate(names)}
    url = {name: base + a.path for name, a in arts.items()}
    path = {name: unquote(a.path) for name, a in arts.items()}
    pages: dict[str, Response] = {
        "/robots.txt": Response(b"User-agent: *\nDisallow:\n", "text/plain"),
        "/feed/": Response(_rss([(url[n], when) for n in names], "أخبار متعثرة"),
                           "application/rss+xml"),
        "/sitemap.xml": Response(_urlset([(url[n], "2024-05-01T10:00:00+03:00")
                                          for n in names]), "application/xml"),
        path["ok"]: _page(arts["ok"], base, []),
        path["loop"]: Response(b"", status=302, headers={"Location": "/go/loop"}),
        "/go/loop": Response(b"", status=302, headers={"Location": arts["loop"].path}),
        path["away"]: Response(b"", status=302,
                               headers={"Location": "http://elsewhere.akhbar.test/landing"}),
        path["slow"]: Response(b"<html>" + b" " * 200 + b"</html>", drip=0.1),
        path["limited"]: Flaky(
            Response(b"slow down", "text/plain", status=429, headers={"Retry-After": "3"}),
            _page(arts["limited"], base, [])),
    }
    return pages, url


def many_articles_site(folder: Path, count: int) -> tuple[dict[str, Response], Path]:
    """(pages, seeds folder) of a plain site of `count` articles listed in one sitemap, crawled
    one request at a time."""
    base = "http://many.akhbar.test"
    when = datetime(2024, 5, 1, 9, 0, tzinfo=RIYADH)
    articles = [synthetic_article(700 + n, when + timedelta(minutes=n)) for n in range(count)]
    pages: dict[str, Response] = {"/robots.txt": Response(b"User-agent: *\n", "text/plain")}
    for article in articles:
        pages[unquote(article.path)] = _page(article, base, [])
    pages["/sitemap.xml"] = Response(_urlset([(base + a.path, a.published) for a in articles]),
                                     "application/xml")
    seeds = folder / "many-seeds"
    write_seed(seeds, "many", sitemaps=["/sitemap.xml"], extra="nightly_max_age_days = 36500",
               concurrent_requests=1)
    return pages, seeds


def write_seed(folder: Path, site_id: str, feeds: tuple[str, ...] | list[str] = (),
               sitemaps: tuple[str, ...] | list[str] = (), extra: str = "",
               concurrent_requests: int = 2) -> Path:
    """A seed for the loopback site `<site_id>.akhbar.test` (paths of its feeds and sitemaps),
    polite delays off; returns its folder."""
    base = f"http://{site_id}.akhbar.test"
    folder.mkdir(parents=True, exist_ok=True)
    (folder / f"{site_id}.toml").write_text(f"""
id = "{site_id}"
name = "{site_id}"
base_url = "{base}/"
domains = ["{site_id}.akhbar.test"]
verified = true
feeds = {[base + path for path in feeds]}
sitemaps = {[base + path for path in sitemaps]}
{extra}
article_patterns = ['^http://{site_id}\\.akhbar\\.test/article/']

[politeness]
concurrent_requests = {concurrent_requests}
download_delay = 0
autothrottle = false
""")
    return folder
