"""Site health: this run's figures against the site's trailing runs, and what drifted.

Pure functions; the nightly flow feeds them from crawl_runs and publishes the result as the
`nightly-summary` table and `site-health` markdown artifacts.
"""

from __future__ import annotations

from statistics import median

YIELD_DROP = 0.5        # articles per fetched page fell by more than half
LENGTH_CHANGE = 0.5     # mean article length moved by more than half
REJECT_RISE = 0.25      # share of fetched pages rejected rose by more than 25 points


def articles_of(run: dict) -> int:
    return (run.get("new_articles", 0) + run.get("updated_articles", 0)
            + run.get("unchanged", 0) + run.get("duplicates", 0)) if "new_articles" in run \
        else run.get("articles", 0)


def _ratios(run: dict) -> tuple[float | None, float | None, float | None]:
    """(articles per fetched page, mean words per article, rejected per fetched page)."""
    fetched, articles = run.get("fetched", 0), articles_of(run)
    yield_ = articles / fetched if fetched else None
    mean_words = run.get("words_total", 0) / articles if articles else None
    reject_rate = run.get("rejected", 0) / fetched if fetched else None
    return yield_, mean_words, reject_rate


def drift(current: dict, history: list[dict]) -> list[str]:
    """Why this run of a site looks wrong against its history (empty when healthy)."""
    if current.get("status") == "failed":
        return [f"run failed: {current.get('error') or 'see the run logs'}"]
    flags = []
    yield_, mean_words, reject_rate = _ratios(current)
    if current.get("fetched", 0) and not articles_of(current):
        flags.append(f"zero articles from {current['fetched']} fetched pages")
    past = [_ratios(run) for run in history]
    past_yield = [y for y, _, _ in past if y is not None]
    past_words = [w for _, w, _ in past if w is not None]
    past_rejects = [r for _, _, r in past if r is not None]
    if yield_ is not None and past_yield and median(past_yield) > 0 \
            and yield_ < (1 - YIELD_DROP) * median(past_yield) and articles_of(current):
        flags.append(f"yield down {1 - yield_ / median(past_yield):.0%} "
                     f"({yield_:.2f} articles per page, median {median(past_yield):.2f})")
    if mean_words is not None and past_words and median(past_words) > 0 \
            and abs(mean_words / median(past_words) - 1) > LENGTH_CHANGE:
        flags.append(f"mean length {mean_words:.0f} words, median {median(past_words):.0f}")
    if reject_rate is not None and past_rejects \
            and reject_rate - median(past_rejects) > REJECT_RISE:
        flags.append(f"reject rate up to {reject_rate:.0%} (median {median(past_rejects):.0%})")
    return flags


def summary_row(run: dict, rejects: dict[str, int]) -> dict:
    """One row of the `nightly-summary` table."""
    return {
        "site": run["source_id"], "status": run.get("status", "failed"),
        "discovered": run.get("discovered", 0), "fetched": run.get("fetched", 0),
        "new": run.get("new_articles", 0), "updated": run.get("updated_articles", 0),
        "unchanged": run.get("unchanged", 0), "duplicates": run.get("duplicates", 0),
        "rejected": ", ".join(f"{reason} {n}" for reason, n in sorted(rejects.items())) or "0",
        "errors": run.get("errors", 0) + (1 if run.get("status") == "failed" else 0),
        "duration_s": round(run.get("duration") or 0, 1),
    }


def health_markdown(sites: list[tuple[dict, list[dict], list[str]]]) -> str:
    """The `site-health` report: one line per site, drift first."""
    lines = ["# Site health", "",
             "Each site's run against the median of its previous 7 nightly runs.", "",
             "| site | health | articles | fetched | mean words | median mean words | flags |",
             "|---|---|---|---|---|---|---|"]
    for run, history, flags in sorted(sites, key=lambda s: (not s[2], s[0]["source_id"])):
        _, mean_words, _ = _ratios(run)
        past_words = [w for _, w, _ in map(_ratios, history) if w is not None]
        lines.append(
            f"| {run['source_id']} | {'⚠️ drift' if flags else '✅ ok'} | {articles_of(run)} | "
            f"{run.get('fetched', 0)} | {f'{mean_words:.0f}' if mean_words else '—'} | "
            f"{f'{median(past_words):.0f}' if past_words else '—'} | "
            f"{'; '.join(flags) or '—'} |")
    return "\n".join(lines) + "\n"
