"""Site health: what is wrong with a site's run on its own, and against its trailing runs.

Pure functions over crawl_runs rows (`crawl_run_rows` and `recent_runs_of_source` count
articles the same way); the nightly flow publishes the result as the `nightly-summary` table
and the `site-health` markdown artifact of its flow run.
"""

from __future__ import annotations

from statistics import median

from akhbar.spiders.outcomes import Tally

YIELD_DROP = 0.5        # articles per fetched page fell by more than half
LENGTH_CHANGE = 0.5     # mean article length moved by more than half
REJECT_RISE = 0.25      # share of fetched pages rejected rose by more than 25 points
REASON_WIDTH = 60       # characters of a reason in the summary table (fits 1400 px)


def _ratios(run: dict) -> tuple[float | None, float | None, float | None]:
    """(articles per fetched page, mean words per article, rejected per fetched page)."""
    fetched, articles = run.get("fetched", 0), run.get("articles", 0)
    yield_ = articles / fetched if fetched else None
    mean_words = run.get("words_total", 0) / articles if articles else None
    reject_rate = run.get("rejected", 0) / fetched if fetched else None
    return yield_, mean_words, reject_rate


def problems(run: dict) -> list[str]:
    """What is wrong with a run on its own, history or not (first runs have none)."""
    if run.get("status") in ("failed", "aborted"):
        return [f"{run['status']}: {run.get('error') or 'see the run logs'}"]
    flags = []
    if run.get("status") == "degraded":
        flags.append(f"degraded: {run.get('error')}")
    tally = Tally.from_json(run.get("outcomes"))
    if tally.successes("discovery") and not run.get("discovered", 0) \
            and not tally.counts["discovery"]["not_modified"]:
        flags.append("discovery found no article URLs (article_patterns out of date?)")
    if run.get("fetched", 0) and not run.get("articles", 0):
        flags.append(f"zero articles from {run['fetched']} fetched pages")
    return flags


def drift(run: dict, history: list[dict]) -> list[str]:
    """Why this run of a site looks wrong, on its own and against its history."""
    flags = problems(run)
    if run.get("status") in ("failed", "aborted") or not history:
        return flags
    yield_, mean_words, reject_rate = _ratios(run)
    past = [_ratios(h) for h in history]
    past_yield = [y for y, _, _ in past if y is not None]
    past_words = [w for _, w, _ in past if w is not None]
    past_rejects = [r for _, _, r in past if r is not None]
    if yield_ and past_yield and median(past_yield) > 0 \
            and yield_ < (1 - YIELD_DROP) * median(past_yield):
        flags.append(f"yield down {1 - yield_ / median(past_yield):.0%} "
                     f"({yield_:.2f} articles per page, median {median(past_yield):.2f})")
    if mean_words is not None and past_words and median(past_words) > 0 \
            and abs(mean_words / median(past_words) - 1) > LENGTH_CHANGE:
        flags.append(f"mean length {mean_words:.0f} words, median {median(past_words):.0f}")
    if reject_rate is not None and past_rejects \
            and reject_rate - median(past_rejects) > REJECT_RISE:
        flags.append(f"reject rate up to {reject_rate:.0%} (median {median(past_rejects):.0%})")
    return flags


def _short(text: str | None, width: int = REASON_WIDTH) -> str:
    text = (text or "").replace("|", "/")
    return text if len(text) <= width else text[:width - 1] + "…"


def summary_rows(runs: list[dict], rejects: dict[int, dict[str, int]]) -> list[dict]:
    """The `nightly-summary` table: one row per site, numbers as numbers, one column per
    reject reason that occurred in this run."""
    reasons = sorted({reason for counts in rejects.values() for reason in counts})
    rows = []
    for run in runs:
        by_reason = rejects.get(run.get("crawl_run_id"), {})
        rows.append({
            "site": run["source_id"], "status": run.get("status", "failed"),
            "found": run.get("discovered", 0), "fetched": run.get("fetched", 0),
            "new": run.get("new_articles", 0), "updated": run.get("updated_articles", 0),
            "same": run.get("unchanged", 0), "dupes": run.get("duplicates", 0),
            "failed": run.get("errors", 0),
            **{f"rej {reason}": by_reason.get(reason, 0) for reason in reasons},
            "secs": round(run.get("duration") or 0, 1),
            "reason": _short(run.get("error")) or "—",
        })
    return rows


def health_markdown(sites: list[tuple[dict, list[dict], list[str]]]) -> str:
    """The `site-health` report: a table with one line per site, problems first, then each
    problem in full."""
    lines = ["# Site health", "",
             "Each site's run on its own (failed, degraded, nothing found, no articles) and "
             "against the median of its previous 7 nightly runs.", "",
             "| site | health | articles | fetched | words per article (median) |",
             "|---|---|---|---|---|"]
    ordered = sorted(sites, key=lambda s: (not s[2], s[0]["source_id"]))
    for run, history, flags in ordered:
        _, mean_words, _ = _ratios(run)
        past_words = [w for _, w, _ in map(_ratios, history) if w is not None]
        if run.get("status") in ("failed", "aborted"):
            health = f"**{run['status'].upper()}**"
        elif flags:
            health = "**" + ("degraded" if run.get("status") == "degraded" else "drift") + "**"
        else:
            health = "ok"
        words = f"{mean_words:.0f}" if mean_words else "—"
        if past_words:
            words += f" ({median(past_words):.0f})"
        lines.append(f"| {run['source_id']} | {health} | {run.get('articles', 0)} | "
                     f"{run.get('fetched', 0)} | {words} |")
    problems_found = [(run, flags) for run, _, flags in ordered if flags]
    if problems_found:
        lines += ["", "## Problems", ""]
        lines += [f"- **{run['source_id']}**: {'; '.join(flags)}" for run, flags in problems_found]
    return "\n".join(lines) + "\n"
