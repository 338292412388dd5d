"""Site definitions: one TOML file per news site in this folder, validated into frozen models."""

from __future__ import annotations

import re
from datetime import date, datetime
from pathlib import Path
from typing import Annotated
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from akhbar.extract.html import css_xpath
from akhbar.extract.model import ExtractOptions
from akhbar.extract.urls import canonical_url, host_in
from akhbar.seeds.scope import (
    _compiled,
    _compiled_rewrites,
    _normal_scope,
    scope_parts,
    scoped_path,
    split_patterns,
)
from cssselect import parse as parse_css
from pydantic import (
    AfterValidator,
    BaseModel,
    ConfigDict,
    Field,
    PrivateAttr,
    field_validator,
    model_validator,
)

# The packaged seeds: a read-only catalogue users copy from (`akhbar sites add --from-catalog`).
CATALOG_DIR = Path(__file__).parent
SEEDS_DIR = CATALOG_DIR  # the old name
SITE_ID = re.compile(r"^[a-z0-9][a-z0-9_-]*$")
__all__ = ["CATALOG_DIR", "SEEDS_DIR", "Checked", "Extraction", "Health", "Listing",
           "Politeness", "RuleSet", "Rules", "Seed", "SeedError", "catalog_paths",
           "is_seed_file", "load_seed", "load_seeds", "scoped_path", "seed_paths"]

HttpUrl = Annotated[str, Field(pattern=r"^https?://[^\s/]+(/\S*)?$")]


class SeedError(ValueError):
    """A seed file that cannot be used, with the file and field named."""


def _css(selector: str) -> str:
    """A CSS selector that compiles, as extraction and the spider will compile it."""
    css_xpath(selector)  # raises ValueError naming the selector
    return selector


CssSelector = Annotated[str, AfterValidator(_css)]


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Politeness(_Model):
    """Per-site crawl manners; defaults are polite."""

    concurrent_requests: int = Field(2, ge=1, le=16)
    download_delay: float = Field(0.5, ge=0)
    autothrottle: bool = True
    obey_robots_txt: bool = True
    max_articles: int | None = Field(None, ge=1, description="cap on article fetches per run")
    retry_after_max: float = Field(
        600, ge=0, description="most seconds of Retry-After waiting for one URL in a run")
    download_timeout: float = Field(30, ge=1, le=600,
                                    description="seconds a response may take, body included")


class Health(_Model):
    """When a site's run counts as degraded rather than completed."""

    max_error_share: float = Field(
        0.2, ge=0, le=1,
        description="share of failed requests above which the run is degraded")


class Listing(_Model):
    """A paginated section listing: its first page, and how far to follow "next"."""

    url: HttpUrl
    max_pages: int = Field(3, ge=1, le=1000)
    next_selector: CssSelector | None = Field(None, description="CSS for the next-page link")

    @field_validator("next_selector")
    @classmethod
    def _one_selector(cls, selector: str | None) -> str | None:
        if selector and "," in selector and len(parse_css(selector)) > 1:
            raise ValueError(f"{selector!r} must be one selector, not a list (the spider reads "
                             f"its ::attr(href))")
        return selector


class Rules(_Model):
    """Where a site's pages keep their parts, when the generic rules get them wrong."""

    content_selector: CssSelector | None = Field(
        None, description="CSS of the element(s) holding the article text")
    drop_selectors: tuple[CssSelector, ...] = Field(
        (), description="CSS of elements removed before the text is read")
    title_selector: CssSelector | None = Field(
        None, description="CSS of the headline; its first match's text is the title")
    date_selector: CssSelector | None = Field(
        None, description="CSS of the publication date: the element's datetime/content "
                          "attribute, else its text")
    date_format: str | None = Field(
        None, description="strptime format of the date_selector text, e.g. %d/%m/%Y "
                          "(default: any date akhbar reads)")
    author_selector: CssSelector | None = Field(
        None, description="CSS of the author names (every match is one author)")

    @field_validator("date_format")
    @classmethod
    def _strptime_format(cls, value: str | None) -> str | None:
        if value is not None and not re.search(r"%[dbBmyYj]", value):
            raise ValueError(f"{value!r} is not a strptime format with a day, month or year "
                             f"in it (e.g. %d/%m/%Y)")
        return value

    def option_fields(self) -> dict:
        """These rules as ExtractOptions fields."""
        return {"content_selector": self.content_selector,
                "drop_selectors": self.drop_selectors, "title_selector": self.title_selector,
                "date_selector": self.date_selector, "date_format": self.date_format,
                "author_selector": self.author_selector}


class RuleSet(Rules):
    """Extraction rules for the pages a site served from `valid_from` on (after a redesign)."""

    valid_from: date


class Extraction(Rules):
    """Per-site extraction overrides, handed to extract/ as options.

    A redesign adds a `[[extraction.rules]]` entry with the date it took effect instead of
    editing the rules above, so pages stored before it still extract as they did.
    """

    encoding: str | None = Field(None, description="encoding to assume when a page declares none")
    rules: tuple[RuleSet, ...] = ()

    @field_validator("rules")
    @classmethod
    def _dated_in_order(cls, rules: tuple[RuleSet, ...]) -> tuple[RuleSet, ...]:
        dates = [r.valid_from for r in rules]
        if dates != sorted(set(dates)):
            raise ValueError("rule sets must be listed oldest first, one per date")
        return rules

    def options(self, timezone: str, language: str = "ar",
                fetched_at: datetime | None = None) -> ExtractOptions:
        """Extraction options for a page of a site in `timezone`, fetched at `fetched_at`
        (default: the newest rules)."""
        return ExtractOptions(**self.rules_at(fetched_at).option_fields(),
                              default_encoding=self.encoding, timezone=timezone,
                              expected_language=language)

    def rules_at(self, moment: datetime | None) -> Rules:
        """The rules in force for a page fetched at `moment` (None: the newest)."""
        rules: Rules = self
        for rule in self.rules:
            if moment is None or rule.valid_from <= moment.date():
                rules = rule
        return rules


class Checked(_Model):
    """What `akhbar sites check --record` found the last time it checked the seed."""

    on: date
    found: str = Field(description="one line: article URLs found, samples extracted, warnings")


class Seed(_Model):
    """One news site."""

    id: str = Field(pattern=SITE_ID.pattern, description="the site's id: the file name, the "
                    "database's source id")
    name: str = Field(min_length=1, description="the site's name as it writes it")
    base_url: HttpUrl = Field(description="the site's home page")
    scope: tuple[str, ...] = Field(
        (), description="where the site's articles live, as host/path prefixes such as "
                        "bbc.com/arabic/ (subdomains included); empty: all of `domains`")
    domains: tuple[str, ...] = Field(
        (), description="hosts (host:port when not 80/443) every request stays on, "
                        "subdomains included; default: the hosts of `scope`")
    language: str = Field("ar", description="the language articles must be in")
    country: str | None = Field(None, description="ISO 3166 code, for people")
    timezone: str = Field("UTC", description="IANA zone of the times the site shows")
    enabled: bool = Field(True, description="whether `akhbar nightly` crawls it")
    verified: bool = Field(
        False, description="whether a person checked the seed against the live site "
                           "(`akhbar sites check`)")
    checked: Checked | None = Field(
        None, description="written by `akhbar sites check --record`: when and what it found")
    notes: str | None = Field(None, description="anything the next reader should know")
    feeds: tuple[HttpUrl, ...] = Field((), description="RSS/Atom feed URLs")
    sitemaps: tuple[HttpUrl, ...] = Field(
        (), description="sitemap or sitemap-index URLs (gzip and Google News sitemaps too)")
    archives: tuple[str, ...] = Field(
        (), description="day archive URL templates with {yyyy}, {mm}, {dd}")
    archive_index: str | None = Field(
        None, description="a page (template with {yyyy}/{mm} allowed) linking the day "
                          "archives that exist; only those days are requested")
    archive_link_selector: CssSelector | None = Field(
        None, description="CSS of the archive page's own list: only its links are dated "
                          "with the day (sidebars and menus are not)")
    archive_days: int = Field(2, ge=0, le=31, description="recent days of archives read nightly")
    nightly_max_age_days: int = Field(
        3, ge=1, le=36500,
        description="nightly runs follow only articles dated this recently; older ones are "
                    "the backfill's job")
    nightly_max_undated: int = Field(
        200, ge=0, description="new undated sitemap URLs a nightly run follows at most")
    listings: tuple[Listing, ...] = Field(
        (), description="section listings: [[listings]] url, max_pages, next_selector")
    host_aliases: dict[str, str] = Field({}, description="mobile/AMP host → canonical host")
    url_rewrites: tuple[tuple[str, str], ...] = Field((), description="(regex, replacement)")
    article_patterns: tuple[str, ...] = Field(
        min_length=1, description="regexes an article URL matches, before and after "
                                  "redirects; with :// in it a pattern reads the whole URL, "
                                  "else the path after the scope (e.g. ^articles/c\\w+$)")
    deny_patterns: tuple[str, ...] = Field(
        (), description="regexes (searched in the whole URL) of URLs never followed")
    example_articles: tuple[HttpUrl, ...] = Field(
        (), description="article URLs of the site; `akhbar sites check --offline` checks "
                        "they match the patterns")
    politeness: Politeness = Politeness()
    extraction: Extraction = Extraction()
    health: Health = Health()
    _file: Path | None = PrivateAttr(None)

    @property
    def file(self) -> Path | None:
        """The seed file it was read from."""
        return self._file

    @model_validator(mode="before")
    @classmethod
    def _domains_of_scope(cls, data: object) -> object:
        if isinstance(data, dict) and data.get("scope") and not data.get("domains"):
            scopes = data["scope"]
            if isinstance(scopes, list | tuple) and all(isinstance(s, str) for s in scopes):
                data = {**data, "domains": [scope_parts(s)[0] for s in scopes]}
        return data

    @field_validator("scope")
    @classmethod
    def _scope_prefixes(cls, scopes: tuple[str, ...]) -> tuple[str, ...]:
        return tuple(_normal_scope(scope) for scope in scopes)

    @field_validator("archive_index")
    @classmethod
    def _index_template(cls, template: str | None) -> str | None:
        if template is None:
            return None
        if not re.match(r"^https?://", template):
            raise ValueError(f"{template!r} must be an http(s) URL")
        try:
            template.format(yyyy="2020", mm="01")
        except (KeyError, IndexError, ValueError):
            raise ValueError(f"{template!r} may only use {{yyyy}} and {{mm}}") from None
        return template

    @field_validator("timezone")
    @classmethod
    def _known_timezone(cls, value: str) -> str:
        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError):
            raise ValueError(
                f"unknown timezone {value!r} (use an IANA name such as Asia/Kuwait)"
            ) from None
        return value

    @field_validator("archives")
    @classmethod
    def _archive_templates(cls, templates: tuple[str, ...]) -> tuple[str, ...]:
        for template in templates:
            if not re.match(r"^https?://", template) or "{yyyy}" not in template:
                raise ValueError(f"{template!r} must be an http(s) URL with {{yyyy}} in it")
            try:
                template.format(yyyy="2020", mm="01", dd="01")
            except (KeyError, IndexError, ValueError):
                raise ValueError(
                    f"{template!r} may only use {{yyyy}}, {{mm}} and {{dd}}") from None
        return templates

    @field_validator("article_patterns", "deny_patterns", "url_rewrites")
    @classmethod
    def _compilable(cls, patterns: tuple) -> tuple:
        for pattern in patterns:
            pattern = pattern[0] if isinstance(pattern, tuple) else pattern
            try:
                re.compile(pattern)
            except re.error as exc:
                raise ValueError(f"invalid regular expression {pattern!r}: {exc}") from None
        return patterns

    @model_validator(mode="after")
    def _discoverable(self) -> Seed:
        if not self.domains:
            raise ValueError("a site needs `domains` or `scope` (where its pages live)")
        if not (self.feeds or self.sitemaps or self.archives or self.listings):
            raise ValueError(
                "a site needs at least one of `feeds`, `sitemaps`, `archives` or `listings`")
        if self.archive_index and not self.archives:
            raise ValueError("`archive_index` needs `archives`: the day URL template its "
                             "links are read with")
        listed = (self.base_url, *self.feeds, *self.sitemaps, *(x.url for x in self.listings),
                  *(t.format(yyyy="2020", mm="01", dd="01") for t in self.archives),
                  *([self.archive_index.format(yyyy="2020", mm="01")]
                    if self.archive_index else []))
        for url in listed:
            if not host_in(url, self.domains):
                raise ValueError(f"{url} is outside the site's domains {list(self.domains)} "
                                 "(a domain on another port is written host:port)")
        for scope in self.scope:
            host = scope_parts(scope)[0]
            if not host_in(f"http://{host}/", self.domains) and not host_in(
                    f"https://{host}/", self.domains):
                raise ValueError(f"scope {scope!r} is outside the site's domains "
                                 f"{list(self.domains)}")
        for url in self.example_articles:
            if not self.is_article_url(url):
                raise ValueError(f"example article {url} is not an article URL by the seed's "
                                 f"scope and patterns")
        return self

    def extract_options(self, fetched_at: datetime | None = None) -> ExtractOptions:
        """Extraction options for a page of this site fetched at `fetched_at` (default: the
        newest rules)."""
        return self.extraction.options(self.timezone, self.language, fetched_at)

    def in_scope(self, url: str) -> bool:
        """Whether a URL lies where the site's articles live (its scope, else its domains)."""
        return self.scoped_path(url) is not None

    def scoped_path(self, url: str) -> str | None:
        """The URL's path and query after the scope prefix it falls in (no leading slash);
        None when it is outside the scope."""
        return scoped_path(url, self.scope, self.domains)

    def is_article_url(self, url: str) -> bool:
        """Whether a URL is an article of this site: in its scope, matched by an article
        pattern (a whole-URL one, or a relative one on the path after the scope) and by no
        deny pattern."""
        path = self.scoped_path(url)
        if path is None:
            return False
        absolute, relative = split_patterns(self.article_patterns)
        if not (any(p.search(url) for p in absolute) or any(p.search(path) for p in relative)):
            return False
        return not any(p.search(url) for p in _compiled(self.deny_patterns))

    def canonical_url(self, url: str) -> str:
        """The one URL of an article: tracking stripped, mobile/AMP variants mapped home."""
        url = canonical_url(url)
        parts = urlsplit(url)
        alias = self.host_aliases.get(parts.hostname or "")
        if alias:
            url = canonical_url(parts._replace(netloc=alias).geturl())
        for pattern, replacement in _compiled_rewrites(self.url_rewrites):
            url = pattern.sub(replacement, url)
        return url


# Reading seed files (files.py) needs Seed above; its functions are named here for the rest of
# akhbar.
from akhbar.seeds.files import (  # noqa: E402
    catalog_paths,
    is_seed_file,
    load_seed,
    load_seeds,
    seed_paths,
)
