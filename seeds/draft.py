"""A seed drafted from what a site publishes (`akhbar sites add`): pure functions over fetched
documents — feed links, sitemaps, the article URL shape, language, timezone — and the draft's
TOML text, which says what could not be decided."""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from urllib.parse import urljoin, urlsplit

import lxml.html
from akhbar.seeds import SITE_ID
from akhbar.seeds.scope import scope_parts

FEED_TYPES = ("application/rss+xml", "application/atom+xml", "application/rdf+xml",
              "application/feed+json", "text/xml", "application/xml")
COMMENT_FEED = re.compile(r"comment|تعليق", re.I)
COMMON_FEED_PATHS = ("feed/", "rss.xml", "rss", "feed.xml", "atom.xml", "rss/", "feeds/")
COMMON_SITEMAP_PATHS = ("sitemap.xml", "sitemap_index.xml", "news-sitemap.xml",
                        "sitemap-news.xml", "sitemap/news.xml", "sitemap.xml.gz")
ARABIC_LETTER = re.compile(r"[\u0621-\u064a]")
LATIN_LETTER = re.compile(r"[A-Za-z]")
# Where a country-code domain says the site is (the Arab world and the broadcasters' homes).
TLD_ZONES = {
    "sa": "Asia/Riyadh", "ae": "Asia/Dubai", "eg": "Africa/Cairo", "jo": "Asia/Amman",
    "lb": "Asia/Beirut", "kw": "Asia/Kuwait", "qa": "Asia/Qatar", "bh": "Asia/Bahrain",
    "om": "Asia/Muscat", "iq": "Asia/Baghdad", "sy": "Asia/Damascus", "ps": "Asia/Hebron",
    "ye": "Asia/Aden", "ma": "Africa/Casablanca", "dz": "Africa/Algiers", "tn": "Africa/Tunis",
    "ly": "Africa/Tripoli", "sd": "Africa/Khartoum", "mr": "Africa/Nouakchott",
    "so": "Africa/Mogadishu", "dj": "Africa/Djibouti", "km": "Indian/Comoro",
    "uk": "Europe/London", "fr": "Europe/Paris", "de": "Europe/Berlin", "tr": "Europe/Istanbul",
    "ru": "Europe/Moscow", "cn": "Asia/Shanghai", "ir": "Asia/Tehran",
}
# A zone for the UTC offset a site's own dates carry, when the domain says nothing.
OFFSET_ZONES = {"+00:00": "UTC", "+01:00": "Africa/Casablanca", "+02:00": "Africa/Cairo",
                "+03:00": "Asia/Riyadh", "+04:00": "Asia/Dubai"}
OFFSET = re.compile(r"([+-]\d{2}):?(\d{2})$")
PAGINATION = re.compile(r"^(page|p|tag|tags|category|categories|author|topics?|section)$", re.I)


@dataclass
class Draft:
    """What `sites add` decided about a site, and what it could not."""

    id: str
    name: str
    base_url: str
    scope: list[str]
    domains: list[str]
    language: str
    timezone: str
    feeds: list[str] = field(default_factory=list)
    sitemaps: list[str] = field(default_factory=list)
    archives: list[str] = field(default_factory=list)
    archive_index: str | None = None
    archive_link_selector: str | None = None
    article_patterns: list[tuple[str, str]] = field(default_factory=list)  # (regex, why)
    example_articles: list[str] = field(default_factory=list)
    undecided: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)


def site_id_for(url: str, scoped: bool) -> str:
    """A site id from the home page's address: its main host label (plus the path's first
    part for a site under a path, e.g. bbc-arabic)."""
    parts = urlsplit(url)
    labels = (parts.hostname or "site").removeprefix("www.").split(".")
    name = labels[0] if len(labels) < 3 or labels[-2] not in ("co", "com", "net", "org") \
        else labels[0]
    if scoped:
        first = next((p for p in parts.path.split("/") if p), "")
        if first:
            name = f"{name}-{first}"
    name = re.sub(r"[^a-z0-9_-]+", "-", name.lower()).strip("-_") or "site"
    return name if SITE_ID.match(name) else f"site-{name}"


def scope_of(url: str) -> list[str]:
    """The scope a home page's address implies: its path when the site lives under one."""
    parts = urlsplit(url)
    path = parts.path
    if path in ("", "/") or path.endswith((".html", ".htm", ".php", ".aspx")):
        return []
    host, prefix = scope_parts(f"{parts.netloc}{path}")
    return [host + prefix]


def feed_links(html: bytes, base_url: str) -> list[str]:
    """The feeds a page announces (`<link rel=alternate>`), comment feeds left out."""
    try:
        tree = lxml.html.fromstring(html)
    except (ValueError, lxml.etree.ParserError):
        return []
    found = []
    for link in tree.iter("link"):
        rel = (link.get("rel") or "").lower().split()
        kind = (link.get("type") or "").lower()
        href = (link.get("href") or "").strip()
        if "alternate" not in rel or kind not in FEED_TYPES or not href:
            continue
        if COMMENT_FEED.search(href) or COMMENT_FEED.search(link.get("title") or ""):
            continue
        url = urljoin(base_url, href)
        if url not in found:
            found.append(url)
    return found


def robots_sitemaps(text: str) -> list[str]:
    """The `Sitemap:` lines of a robots.txt."""
    return [line.split(":", 1)[1].strip() for line in text.splitlines()
            if line.lower().startswith("sitemap:") and line.split(":", 1)[1].strip()]


def page_language(html: bytes) -> tuple[str | None, str]:
    """(language, how it was found) of a home page: `<html lang>`, else its letters."""
    try:
        tree = lxml.html.fromstring(html)
    except (ValueError, lxml.etree.ParserError):
        return None, "the home page could not be parsed"
    declared = (tree.get("lang") or tree.get("xml:lang") or "").strip().lower()
    if declared:
        return declared.split("-")[0], f'<html lang="{declared}">'
    text = tree.text_content()
    arabic, latin = len(ARABIC_LETTER.findall(text)), len(LATIN_LETTER.findall(text))
    if arabic > 2 * latin and arabic > 50:
        return "ar", f"no lang attribute; {arabic} Arabic letters against {latin} Latin"
    return None, "no lang attribute and too little Arabic text to tell"


def site_name(html: bytes, fallback: str) -> str:
    """The site's name as the home page gives it (og:site_name, else the <title>)."""
    try:
        tree = lxml.html.fromstring(html)
    except (ValueError, lxml.etree.ParserError):
        return fallback
    for meta in tree.iter("meta"):
        if meta.get("property") == "og:site_name" and (meta.get("content") or "").strip():
            return meta.get("content").strip()
    title = tree.findtext(".//title") or ""
    title = re.split(r"\s+[|\-–—:»]\s+", title.strip())[0].strip()
    return title or fallback


def timezone_guess(host: str, offsets: list[str]) -> tuple[str | None, str]:
    """(IANA zone or None, why) from the domain's country code, else the UTC offset most of
    the site's own dates carry."""
    tld = host.rsplit(".", 1)[-1].lower()
    if tld in TLD_ZONES:
        return TLD_ZONES[tld], f"the .{tld} domain"
    seen = Counter()
    for value in offsets:
        match = OFFSET.search(value.strip().replace("Z", "+00:00"))
        if match:
            seen[f"{match[1]}:{match[2]}"] += 1
    if seen:
        offset, count = seen.most_common(1)[0]
        if offset in OFFSET_ZONES:
            return OFFSET_ZONES[offset], (f"{count} of its dates carry {offset}; several "
                                          f"zones share that offset, so check it")
        return None, f"its dates carry {offset}, which names no zone akhbar can pick"
    return None, "neither the domain nor the site's dates tell"


def _segment_shape(values: list[str], literal: bool = True) -> tuple[str, str | None]:
    """(regex, kind) of one path position across URLs of one shape: kind is "date", "id"
    or None; the same word everywhere stays that word when `literal`."""
    if literal and len(set(values)) == 1 and not re.fullmatch(r"\d+", values[0]):
        return re.escape(values[0]), None
    if all(re.fullmatch(r"(19|20)\d\d", v) for v in values):
        return r"\d{4}", "date"
    if all(re.fullmatch(r"\d{1,2}", v) for v in values):
        return r"\d{1,2}", "date"
    if all(re.fullmatch(r"\d+", v) for v in values):
        return r"\d+", "id"
    numbered = {re.fullmatch(r"\d+(\.\w+)", v) and re.fullmatch(r"\d+(\.\w+)", v)[1]
                for v in values}
    if len(numbered) == 1 and None not in numbered:  # 2301.html, 2302.html
        return r"\d+" + re.escape(numbered.pop()), "id"
    if all(re.fullmatch(r"[a-z0-9]{6,}", v) and re.search(r"\d", v) for v in values):
        return r"[a-z0-9]+", "id"
    if all(re.search(r"\d{4,}", v) for v in values):
        return r"[^/]*\d{4,}[^/]*", "id"
    return r"[^/]+", None


def _first_shape(segment: str) -> str:
    if re.fullmatch(r"(19|20)\d\d", segment):
        return "<year>"
    return "<number>" if segment.isdigit() else segment


def infer_patterns(paths: list[str], from_feed: set[str]) -> list[tuple[str, list[str]]]:
    """Article URL patterns (relative to the scope) for the article-like shapes among
    scoped paths: (pattern, the paths it matches). A shape is article-like when it has a date
    or an id in it, or when feed entries have it; a shape seen once counts only from a feed."""
    groups: dict[tuple, list[str]] = {}
    for path in paths:
        segments = [s for s in path.split("/") if s]
        if "?" in path or not segments or (PAGINATION.match(segments[0]) and len(segments) <= 2):
            continue
        key = (len(segments), path.endswith("/"), _first_shape(segments[0]))
        groups.setdefault(key, []).append(path)
    shaped_groups: dict[tuple, list] = {}  # the shape after the first segment → groups
    for (_, slash, _first), members in groups.items():
        columns = list(zip(*[[s for s in p.split("/") if s] for p in members], strict=True))
        # A word repeated by several URLs is part of the shape; one URL's words are not.
        shaped = [_segment_shape(list(columns[0]))] + [
            _segment_shape(list(column), literal=len(members) > 1) for column in columns[1:]]
        kinds = {kind for _, kind in shaped}
        fed = sum(1 for p in members if p in from_feed)
        if not (kinds & {"date", "id"} or fed):
            continue
        rest = tuple(regex for regex, _ in shaped[1:])
        shaped_groups.setdefault((rest, slash), []).append((shaped[0][0], members))
    found = []
    for (rest, slash), heads in shaped_groups.items():
        firsts = sorted({head for head, _ in heads})
        # Sections in front ("politics/2024/..."): several names mean any name.
        head = firsts[0] if len(firsts) == 1 else r"[^/]+"
        pattern = "^" + "/".join((head, *rest)) + ("/$" if slash else "$")
        members = [p for _, group in heads for p in group]
        if len(members) < 2 and not any(p in from_feed for p in members):
            continue  # one URL of its shape: a one-off page, not a kind of article
        found.append((pattern, members))
    return sorted(found, key=lambda item: -len(item[1]))


def render(draft: Draft, source_url: str, today: date) -> str:
    """The seed file: every decided key, commented, and what could not be decided."""
    def toml_list(values: list[str]) -> str:
        if not values:
            return "[]"
        return "[\n" + "".join(f"    {_toml_string(v)},\n" for v in values) + "]"

    lines = [
        f"# {draft.name} — seed drafted by `akhbar sites add {source_url}` on {today}.",
        f"# Check it against the live site: akhbar sites check {draft.id}",
        "# then fix what it reports, and set verified = true once a person has looked.",
    ]
    if draft.undecided:
        lines.append("#")
        lines.append("# COULD NOT DECIDE (check these by hand):")
        lines += [f"#   - {line}" for line in draft.undecided]
    lines += ["", f"id = {_toml_string(draft.id)}", f"name = {_toml_string(draft.name)}",
              f"base_url = {_toml_string(draft.base_url)}"]
    if draft.scope:
        lines += ["# Articles live under this host/path prefix only (other paths of the host "
                  "are other sites).", f"scope = {toml_list(draft.scope)}"]
    else:
        lines.append(f"domains = {toml_list(draft.domains)}")
    lines += [f"language = {_toml_string(draft.language)}",
              f"timezone = {_toml_string(draft.timezone)}", "verified = false"]
    for note in draft.notes:
        lines.append(f"# {note}")
    lines.append(f"feeds = {toml_list(draft.feeds)}")
    lines.append(f"sitemaps = {toml_list(draft.sitemaps)}")
    if draft.archives:
        lines.append(f"archives = {toml_list(draft.archives)}")
    if draft.archive_index:
        lines.append("# The page that links the days that exist: only those are requested.")
        lines.append(f"archive_index = {_toml_string(draft.archive_index)}")
    if draft.archive_link_selector:
        lines.append("# The day's own list on an archive page (its other links, such as a "
                     "sidebar, are other days').")
        lines.append(f"archive_link_selector = {_toml_string(draft.archive_link_selector)}")
    lines.append("# Article URLs (paths after the scope, or after the host without one); "
                 "checked before and after redirects.")
    lines.append("article_patterns = [")
    for pattern, why in draft.article_patterns:
        lines.append(f"    {_toml_literal(pattern)},  # {why}")
    lines.append("]")
    lines.append(f"example_articles = {toml_list(draft.example_articles[:3])}")
    lines += ["", "[politeness]", "concurrent_requests = 2", "download_delay = 0.5", "",
              "# [extraction] title_selector / date_selector (+ date_format) / "
              "author_selector / content_selector",
              "# if `akhbar sites check` shows a wrong title, date, author or text.", ""]
    return "\n".join(lines)


def _toml_string(value: str) -> str:
    return '"' + value.replace("\\", "\\\\").replace('"', '\\"') + '"'


def _toml_literal(value: str) -> str:
    return f"'{value}'" if "'" not in value else _toml_string(value)


ARCHIVE_WORDS = re.compile(r"archive|أرشيف|الأرشيف|ارشيف", re.I)
DAY_IN_PATH = re.compile(r"(?P<yyyy>(?:19|20)\d\d)(?P<sep>[/_-]?)(?P<mm>[01]?\d)(?P=sep)"
                         r"(?P<dd>[0-3]?\d)(?!\d)")


def page_links(html: bytes, base_url: str) -> list[tuple[str, str]]:
    """(absolute URL, anchor text) of a page's links."""
    try:
        tree = lxml.html.fromstring(html)
    except (ValueError, lxml.etree.ParserError):
        return []
    return [(urljoin(base_url, a.get("href").strip()), " ".join(a.text_content().split()))
            for a in tree.iter("a") if a.get("href") and a.get("href").strip()]


def archive_pages(links: list[tuple[str, str]]) -> list[str]:
    """Links that say they lead to the site's archive."""
    return list(dict.fromkeys(url for url, text in links
                              if ARCHIVE_WORDS.search(text) or ARCHIVE_WORDS.search(url)))


def day_template(urls: list[str]) -> tuple[str | None, dict[str, date]]:
    """The day-archive URL template that most of `urls` follow ({yyyy}/{mm}/{dd} in place of
    the date in their path), with the day of each URL that follows it."""
    shapes: dict[str, dict[str, date]] = {}
    for url in urls:
        parts = urlsplit(url)
        match = DAY_IN_PATH.search(parts.path)
        if not match:
            continue
        try:
            day = date(int(match["yyyy"]), int(match["mm"]), int(match["dd"]))
        except ValueError:
            continue
        sep = match["sep"]
        template = (f"{parts.scheme}://{parts.netloc}{parts.path[:match.start()]}"
                    f"{{yyyy}}{sep}{{mm}}{sep}{{dd}}{parts.path[match.end():]}")
        if len(match["mm"]) == 1 or len(match["dd"]) == 1:
            continue  # unpadded days cannot be written with {mm}/{dd}
        shapes.setdefault(template, {})[url] = day
    if not shapes:
        return None, {}
    template, days = max(shapes.items(), key=lambda item: len(item[1]))
    return template, days


def own_list_selector(pages: list[list[tuple[str, list[str]]]]) -> str | None:
    """The CSS selector of the part of day-archive pages that lists only that day's articles:
    given, per page, (selector, article links under it) for its class-named elements, the
    selector present on every page under which no link is listed on two pages, holding the
    most links. None when no link is on two pages at all (all of a day page is that day's)."""
    anywhere: dict[str, set[int]] = {}
    under: dict[tuple[str, str], set[int]] = {}
    for number, page in enumerate(pages):
        for selector, links in page:
            for link in links:
                anywhere.setdefault(link, set()).add(number)
                under.setdefault((selector, link), set()).add(number)
    if all(len(on) == 1 for on in anywhere.values()):
        return None
    scores: dict[str, int] = {}
    present: dict[str, int] = {}
    for page in pages:
        for selector, links in page:
            present[selector] = present.get(selector, 0) + (1 if links else 0)
            if any(len(under[selector, link]) > 1 for link in links):
                scores[selector] = -1
            elif scores.get(selector, 0) >= 0:
                scores[selector] = scores.get(selector, 0) + len(links)
    candidates = [s for s, score in scores.items() if score > 0 and present[s] == len(pages)]
    return max(candidates, key=lambda s: scores[s]) if candidates else None


def class_selectors(html: bytes, base_url: str,
                    is_article: Callable[[str], bool]) -> list[tuple[str, list[str]]]:
    """(tag.class selector, article links under it) of a page's class-named elements."""
    try:
        tree = lxml.html.fromstring(html)
    except (ValueError, lxml.etree.ParserError):
        return []
    found: dict[str, list[str]] = {}
    for element in tree.iter():
        if not isinstance(element.tag, str) or not (element.get("class") or "").strip():
            continue
        selector = f"{element.tag}.{element.get('class').split()[0]}"
        links = [urljoin(base_url, a.get("href").strip()) for a in element.iter("a")
                 if a.get("href") and a.get("href").strip()]
        found.setdefault(selector, []).extend(u for u in links if is_article(u))
    return list(found.items())
