"""Golden extraction fixtures (tests/fixtures/golden): load them, extract, compare."""

from __future__ import annotations

import tomllib
from pathlib import Path

from akhbar.extract import Article, extract_article
from akhbar.seeds import Extraction

GOLDEN_DIR = Path(__file__).parent / "fixtures" / "golden"


def golden_pages() -> dict[str, dict]:
    return tomllib.loads((GOLDEN_DIR / "pages.toml").read_text(encoding="utf-8"))


def extract_golden(name: str) -> dict:
    """The extraction of a golden page, as sorted JSON-ready data, with the options a seed
    would give (its `[extraction]` table, if the page has one, and its timezone)."""
    page = golden_pages()[name]
    html = (GOLDEN_DIR / page.get("file", f"{name}.html")).read_bytes()
    options = Extraction.model_validate(page.get("extraction", {})).options(page["timezone"])
    result = extract_article(html, page["url"], options)
    if isinstance(result, Article):
        return result.to_json()
    return {"rejected": result.reason, "detail": result.detail}


def expected_path(name: str) -> Path:
    return GOLDEN_DIR / f"{name}.json"
