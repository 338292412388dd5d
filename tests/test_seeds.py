"""Seed files: the bundled ones load; bad ones fail naming the file and field."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
from akhbar.flows.demo.run import DEMO_SEEDS_DIR
from akhbar.seeds import SEEDS_DIR, SeedError, load_seed, load_seeds

GOOD = """
id = "{id}"
name = "موقع"
base_url = "https://news.example/"
domains = ["news.example"]
verified = false
feeds = ["https://news.example/feed/"]
article_patterns = ['/\\d+/']
"""


def write(directory: Path, site_id: str, text: str) -> Path:
    path = directory / f"{site_id}.toml"
    path.write_text(text, encoding="utf-8")
    return path


def test_bundled_seeds_are_valid():
    seeds = load_seeds(SEEDS_DIR) + load_seeds(DEMO_SEEDS_DIR)
    assert {s.id for s in seeds} >= {"alseyassah", "demo"}
    alseyassah = next(s for s in seeds if s.id == "alseyassah")
    assert alseyassah.is_article_url("https://alseyassah.com/article/12345/some-title/")
    assert not alseyassah.is_article_url("https://alseyassah.com/category/politics/")


def test_good_seed(tmp_path):
    seed = load_seed(write(tmp_path, "news", GOOD.format(id="news")))
    assert seed.politeness.concurrent_requests == 2
    assert seed.politeness.obey_robots_txt


@pytest.mark.parametrize("edit, field, message", [
    (lambda t: t.replace('name = "موقع"\n', ""), "name", "required field is missing"),
    (lambda t: t + "enabled = \"sometimes\"\n", "enabled", "boolean"),
    (lambda t: t + "feeeds = []\n", "feeeds", "unknown key"),
    (lambda t: t + "[politeness]\nconcurrent_requests = 0\n", "politeness.concurrent_requests",
     "greater than or equal to 1"),
    (lambda t: t + 'timezone = "Mars/Olympus"\n', "timezone", "unknown timezone"),
    (lambda t: t.replace("['/\\d+/']", "['(']"), "article_patterns", "invalid regular expression"),
])
def test_bad_seed_names_file_and_field(tmp_path, edit, field, message):
    path = write(tmp_path, "news", edit(GOOD.format(id="news")))
    with pytest.raises(SeedError) as error:
        load_seed(path)
    text = str(error.value)
    assert str(path) in text
    assert f"field `{field}`" in text
    assert message in text


@pytest.mark.parametrize("extra, field, selector", [
    ('[extraction]\ncontent_selector = "div.entry["\n', "extraction.content_selector",
     "div.entry["),
    ('[extraction]\ndrop_selectors = ["aside", "p:nth-child(x"]\n',
     "extraction.drop_selectors.1", "p:nth-child(x"),
    ('[[extraction.rules]]\nvalid_from = 2023-06-01\ncontent_selector = "article::text"\n',
     "extraction.rules.0.content_selector", "article::text"),
    ('[[extraction.rules]]\nvalid_from = 2023-06-01\ndrop_selectors = [">>"]\n',
     "extraction.rules.0.drop_selectors.0", ">>"),
    ('[[listings]]\nurl = "https://news.example/latest/"\nnext_selector = "a.next::attr(href)"\n',
     "listings.0.next_selector", "a.next::attr(href)"),
])
def test_css_selectors_that_do_not_compile_are_named(tmp_path, extra, field, selector):
    path = write(tmp_path, "news", GOOD.format(id="news") + extra)
    with pytest.raises(SeedError) as error:
        load_seed(path)
    assert f"{path}: field `{field}`: " in str(error.value)
    assert f"invalid CSS selector {selector!r}" in str(error.value)


def test_next_selector_is_one_selector(tmp_path):
    listing = '[[listings]]\nurl = "https://news.example/latest/"\nnext_selector = "{}"\n'
    seed = load_seed(write(tmp_path, "news", GOOD.format(id="news") + listing.format("a.next")))
    assert seed.listings[0].next_selector == "a.next"
    with pytest.raises(SeedError, match=r"field `listings.0.next_selector`: .*one selector"):
        load_seed(write(tmp_path, "news", GOOD.format(id="news")
                        + listing.format("a[rel=next], a.next")))


def test_seed_file_that_is_not_utf8_is_named(tmp_path):
    path = tmp_path / "news.toml"
    path.write_bytes(GOOD.format(id="news").encode("cp1256"))
    with pytest.raises(SeedError) as error:
        load_seed(path)
    assert re.match(rf"{re.escape(str(path))}: not UTF-8 text: byte 0x[0-9a-f]{{2}} on line 3",
                    str(error.value))


def test_missing_or_empty_seeds_folder_is_named(tmp_path):
    with pytest.raises(SeedError, match=f"^{re.escape(str(tmp_path / 'nope'))}: no such folder"):
        load_seeds(tmp_path / "nope")
    (tmp_path / "notes.txt").write_text("not a seed")
    for site_ids in (None, ["news"]):
        with pytest.raises(SeedError, match=rf"^{re.escape(str(tmp_path))}: no seed files \("):
            load_seeds(tmp_path, site_ids)


@pytest.mark.parametrize("case", ["missing folder", "empty folder", "not UTF-8", "bad selector"])
def test_nightly_refuses_bad_seeds_naming_them(tmp_path, case):
    folder = tmp_path / "seeds"
    if case != "missing folder":
        folder.mkdir()
    named = folder
    if case == "not UTF-8":
        named = folder / "news.toml"
        named.write_bytes(GOOD.format(id="news").encode("cp1256"))
    elif case == "bad selector":
        named = write(folder, "news", GOOD.format(id="news")
                      + '[extraction]\ncontent_selector = "div["\n')
    # Nothing may be reached should the seeds pass: no database, no Prefect server.
    env = dict(os.environ, AKHBAR_DATABASE_URL="postgresql://akhbar@127.0.0.1:9/none",
               PREFECT_API_URL="http://127.0.0.1:9/api")
    result = subprocess.run([sys.executable, "-m", "akhbar.flows.cli", "nightly",
                             "--seeds-dir", str(folder)],
                            capture_output=True, text=True, env=env, timeout=300)
    assert result.returncode == 2
    assert result.stderr.startswith(f"akhbar: error: {named}: "), result.stderr
    assert "Traceback" not in result.stderr


def test_file_name_must_match_id(tmp_path):
    with pytest.raises(SeedError, match=r"other\.toml: field `id`"):
        load_seed(write(tmp_path, "other", GOOD.format(id="news")))


def test_invalid_toml_names_the_file(tmp_path):
    with pytest.raises(SeedError, match=r"broken\.toml: not valid TOML"):
        load_seed(write(tmp_path, "broken", "id = \n"))


def test_one_bad_seed_stops_loading_all(tmp_path):
    write(tmp_path, "good", GOOD.format(id="good"))
    write(tmp_path, "bad", GOOD.format(id="bad") + "colour = 1\n")
    with pytest.raises(SeedError, match=r"bad\.toml: field `colour`"):
        load_seeds(tmp_path)


def test_unknown_site_is_named(tmp_path):
    write(tmp_path, "good", GOOD.format(id="good"))
    with pytest.raises(SeedError, match="no seed file for nope"):
        load_seeds(tmp_path, ["nope"])


REAL_SEEDS = load_seeds(SEEDS_DIR)


def test_real_sites_cover_several_countries():
    assert len(REAL_SEEDS) >= 12
    assert len({s.country for s in REAL_SEEDS}) >= 6


@pytest.mark.parametrize("seed", REAL_SEEDS, ids=lambda s: s.id)
def test_real_seed_patterns_match_its_example_articles(seed):
    assert seed.example_articles, f"{seed.id} lists no example article URLs"
    for url in seed.example_articles:
        assert seed.is_article_url(url), url
        assert seed.canonical_url(url) == url
    assert not seed.is_article_url(seed.base_url)
    from akhbar.flows.sites_check import offline_problems

    assert offline_problems(seed) == []
    # A seed may be verified, but only with the record of the check that verified it.
    assert not seed.verified or seed.checked is not None


def test_extraction_rules_are_versioned_by_date(tmp_path):
    from datetime import UTC, datetime

    text = GOOD.format(id="news") + """
[extraction]
content_selector = "div.old-body"
drop_selectors = ["div.old-ad"]

[[extraction.rules]]
valid_from = 2023-06-01
content_selector = "article .story"
drop_selectors = ["aside.promo"]
"""
    seed = load_seed(write(tmp_path, "news", text))
    before = seed.extract_options(datetime(2023, 5, 31, tzinfo=UTC))
    after = seed.extract_options(datetime(2023, 6, 1, 12, tzinfo=UTC))
    assert (before.content_selector, before.drop_selectors) == ("div.old-body", ("div.old-ad",))
    assert (after.content_selector, after.drop_selectors) == ("article .story", ("aside.promo",))
    assert seed.extract_options().content_selector == "article .story"


def test_rule_sets_must_be_in_date_order(tmp_path):
    text = GOOD.format(id="news") + """
[[extraction.rules]]
valid_from = 2024-01-01
[[extraction.rules]]
valid_from = 2023-01-01
"""
    with pytest.raises(SeedError, match="field `extraction.rules`: .*oldest first"):
        load_seed(write(tmp_path, "news", text))


README = Path(__file__).parent.parent / "README.md"


def test_readme_documents_every_seed_key_and_its_example_loads(tmp_path):
    from akhbar.seeds import Checked, Extraction, Health, Listing, Politeness, RuleSet, Seed

    text = README.read_text(encoding="utf-8")
    table = text.split("<!-- seed-keys -->")[1].split("<!-- /seed-keys -->")[0]
    documented = set(re.findall(r"^\| `([^`]+)` \|", table, re.M))
    nested = {"politeness": Politeness, "health": Health, "extraction": Extraction,
              "listings[]": Listing, "checked": Checked}
    wanted = {name for name in Seed.model_fields if name not in nested and
              name.removesuffix("s") + "s[]" not in nested}
    wanted |= {f"{prefix}.{name}" for prefix, model in nested.items()
               for name in model.model_fields}
    wanted |= {f"extraction.rules[].{name}" for name in RuleSet.model_fields
               if name not in Extraction.model_fields}
    assert wanted - documented == set()
    example = text.split("A full seed, with every key:\n\n```toml\n")[1].split("```")[0]
    (tmp_path / "alseyassah.toml").write_text(example, encoding="utf-8")
    seed = load_seed(tmp_path / "alseyassah.toml")
    assert seed.is_article_url("https://alseyassah.com/article/123456/slug/")
