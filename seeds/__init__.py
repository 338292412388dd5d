"""Site definitions: one TOML file per news site in this folder, validated into frozen models."""

from __future__ import annotations

import re
import tomllib
from datetime import date, datetime
from functools import lru_cache
from pathlib import Path
from typing import Annotated
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from akhbar.extract.html import css_xpath
from akhbar.extract.model import ExtractOptions
from akhbar.extract.urls import canonical_url, host_in
from cssselect import parse as parse_css
from pydantic import (
    AfterValidator,
    BaseModel,
    ConfigDict,
    Field,
    ValidationError,
    field_validator,
    model_validator,
)

SEEDS_DIR = Path(__file__).parent
SITE_ID = re.compile(r"^[a-z0-9][a-z0-9_-]*$")

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


class RuleSet(_Model):
    """Extraction rules for the pages a site served from `valid_from` on (after a redesign)."""

    valid_from: date
    content_selector: CssSelector | None = None
    drop_selectors: tuple[CssSelector, ...] = ()


class Extraction(_Model):
    """Per-site extraction overrides, handed to extract/ as options.

    A redesign adds a `[[extraction.rules]]` entry with the date it took effect instead of
    editing the rules above, so pages stored before it still extract as they did.
    """

    content_selector: CssSelector | None = None
    drop_selectors: tuple[CssSelector, ...] = ()
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
        selector, drops = self.rules_at(fetched_at)
        return ExtractOptions(content_selector=selector, drop_selectors=drops,
                              default_encoding=self.encoding, timezone=timezone,
                              expected_language=language)

    def rules_at(self, moment: datetime | None) -> tuple[str | None, tuple[str, ...]]:
        """(content selector, drop selectors) in force for a page fetched at `moment`."""
        selector, drops = self.content_selector, self.drop_selectors
        for rule in self.rules:
            if moment is None or rule.valid_from <= moment.date():
                selector, drops = rule.content_selector, rule.drop_selectors
        return selector, drops


class Seed(_Model):
    """One news site."""

    id: str = Field(pattern=SITE_ID.pattern)
    name: str = Field(min_length=1)
    base_url: HttpUrl
    domains: tuple[str, ...] = Field(min_length=1)
    language: str = "ar"
    country: str | None = None
    timezone: str = "UTC"
    enabled: bool = True
    verified: bool = Field(description="whether feeds and patterns were checked on the live site")
    notes: str | None = None
    feeds: tuple[HttpUrl, ...] = ()
    sitemaps: tuple[HttpUrl, ...] = ()
    archives: tuple[str, ...] = Field((), description="archive URL templates, {yyyy}/{mm}/{dd}")
    archive_days: int = Field(2, ge=0, le=31, description="recent days of archives read nightly")
    nightly_max_age_days: int = Field(
        3, ge=1, le=36500,
        description="nightly runs follow only articles dated this recently; older ones are "
                    "the backfill's job")
    nightly_max_undated: int = Field(
        200, ge=0, description="new undated sitemap URLs a nightly run follows at most")
    listings: tuple[Listing, ...] = ()
    host_aliases: dict[str, str] = Field({}, description="mobile/AMP host → canonical host")
    url_rewrites: tuple[tuple[str, str], ...] = Field((), description="(regex, replacement)")
    article_patterns: tuple[str, ...] = Field(min_length=1)
    deny_patterns: tuple[str, ...] = ()
    example_articles: tuple[HttpUrl, ...] = Field(
        (), description="article URLs of the site, checked against the patterns by the tests")
    politeness: Politeness = Politeness()
    extraction: Extraction = Extraction()
    health: Health = Health()

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
        if not (self.feeds or self.sitemaps or self.archives or self.listings):
            raise ValueError(
                "a site needs at least one of `feeds`, `sitemaps`, `archives` or `listings`")
        listed = (self.base_url, *self.feeds, *self.sitemaps, *(x.url for x in self.listings),
                  *(t.format(yyyy="2020", mm="01", dd="01") for t in self.archives))
        for url in listed:
            if not host_in(url, self.domains):
                raise ValueError(f"{url} is outside the site's domains {list(self.domains)} "
                                 "(a domain on another port is written host:port)")
        return self

    def extract_options(self, fetched_at: datetime | None = None) -> ExtractOptions:
        """Extraction options for a page of this site fetched at `fetched_at` (default: the
        newest rules)."""
        return self.extraction.options(self.timezone, self.language, fetched_at)

    def is_article_url(self, url: str) -> bool:
        """Whether a discovered URL is an article of this site."""
        allow, deny = _compiled(self.article_patterns), _compiled(self.deny_patterns)
        return any(p.search(url) for p in allow) and not any(p.search(url) for p in deny)

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


@lru_cache(maxsize=256)
def _compiled(patterns: tuple[str, ...]) -> tuple[re.Pattern, ...]:
    return tuple(re.compile(p) for p in patterns)


@lru_cache(maxsize=256)
def _compiled_rewrites(rewrites: tuple[tuple[str, str], ...]) -> tuple[tuple[re.Pattern, str], ...]:
    return tuple((re.compile(p), r) for p, r in rewrites)


def _describe(error: dict) -> str:
    field = ".".join(str(part) for part in error["loc"]) or "(file)"
    message = error["msg"]
    if error["type"] == "extra_forbidden":
        message = "unknown key (check its spelling against the seed format in the README)"
    elif error["type"] == "missing":
        message = "required field is missing"
    return f"field `{field}`: {message}"


def load_seed(path: Path) -> Seed:
    """Read and validate one seed file; errors name the file and the field."""
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except OSError as exc:
        raise SeedError(f"{path}: cannot read seed file: {exc.strerror}") from None
    except UnicodeDecodeError as exc:
        line = exc.object.count(b"\n", 0, exc.start) + 1
        raise SeedError(f"{path}: not UTF-8 text: byte {exc.object[exc.start]:#04x} on line "
                        f"{line} (save the file as UTF-8)") from None
    except tomllib.TOMLDecodeError as exc:
        raise SeedError(f"{path}: not valid TOML: {exc}") from None
    try:
        seed = Seed.model_validate(data)
    except ValidationError as exc:
        problems = "; ".join(_describe(e) for e in exc.errors())
        raise SeedError(f"{path}: {problems}") from None
    if seed.id != path.stem:
        raise SeedError(f"{path}: field `id`: {seed.id!r} must match the file name {path.stem!r}")
    return seed


def load_seeds(directory: Path = SEEDS_DIR, site_ids: list[str] | None = None) -> list[Seed]:
    """Every seed in a directory (or the named ones), all validated before any is used."""
    if not directory.is_dir():
        raise SeedError(f"{directory}: no such folder of seed files (check --seeds-dir)")
    paths = sorted(directory.glob("*.toml"))
    if not paths:
        raise SeedError(f"{directory}: no seed files (*.toml) in this folder (check --seeds-dir)")
    if site_ids:
        known = {p.stem: p for p in paths}
        missing = [s for s in site_ids if s not in known]
        if missing:
            raise SeedError(
                f"{directory}: no seed file for {', '.join(missing)} "
                f"(known sites: {', '.join(sorted(known)) or 'none'})"
            )
        paths = [known[s] for s in site_ids]
    errors, seeds = [], []
    for path in paths:
        try:
            seeds.append(load_seed(path))
        except SeedError as exc:
            errors.append(str(exc))
    if errors:
        raise SeedError("\n".join(errors))
    return seeds
