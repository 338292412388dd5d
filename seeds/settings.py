"""akhbar's settings: defaults here, overridden by `AKHBAR_*` environment variables.

Read once per process with `get_settings()` and passed down; nothing reads the environment at
import time (Prefect would bake such values into deployment parameter schemas).
"""

from __future__ import annotations

from functools import cache
from pathlib import Path
from typing import Annotated

from pydantic import Field, field_validator
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict

DEFAULT_CONTACT = "https://github.com/akhbar-news/akhbar"


class Settings(BaseSettings):
    """Every knob of akhbar that is not a property of one site."""

    model_config = SettingsConfigDict(env_prefix="AKHBAR_", extra="ignore", frozen=True)

    database_url: str | None = Field(None, description="PostgreSQL URL; unset: embedded server")
    data_dir: Path | None = Field(None, description="parent of the embedded server's pgdata")
    seeds_dir: Path | None = Field(
        None, description="folder of your sites' seed files; unset: `seeds` in your user "
                          "config folder (akhbar seeds prints it)")
    contact: str = Field(DEFAULT_CONTACT, description="URL or e-mail in the User-Agent")
    crawl_log_level: str = "INFO"
    proxy: str | None = Field(
        None, description="HTTP proxy for crawls and WARC downloads, credentials allowed (never "
                          "stored in Prefect)")
    parallel_sites: int = Field(2, ge=1, le=64, description="sites crawled at the same time")
    task_retries: int = Field(2, ge=0, le=10, description="retries of tasks that do I/O")
    retry_delays: Annotated[tuple[float, ...], NoDecode] = Field(
        (5.0, 30.0), description="seconds between retries, e.g. 5,30")
    crawl_timeout: float = Field(4 * 3600, gt=0, description="a crawl is killed after this")
    site_wait_seconds: float = Field(
        1800, ge=0, description="how long a crawl waits for another live crawl of its site")
    nightly_cron: str = "0 2 * * *"
    timezone: str = "UTC"
    prefect_port: int = Field(4200, ge=1, le=65535)
    extract_processes: int = Field(
        0, ge=0, le=256, description="processes extraction runs on; 0: one per usable core")

    @field_validator("retry_delays", mode="before")
    @classmethod
    def _comma_separated(cls, value: object) -> object:
        if isinstance(value, str):
            return tuple(float(part) for part in value.split(",") if part.strip())
        if isinstance(value, int | float):
            return (float(value),)
        return value

    def io_retries(self) -> dict:
        """Task options for tasks that do I/O: retried, never cached."""
        from prefect.cache_policies import NONE

        return {"retries": self.task_retries,
                "retry_delay_seconds": list(self.retry_delays) or 0, "cache_policy": NONE}


def default_seeds_dir(settings: Settings | None = None) -> Path:
    """The folder seed files are read from: $AKHBAR_SEEDS_DIR, else the user config folder's."""
    settings = settings or get_settings()
    if settings.seeds_dir:
        return settings.seeds_dir.expanduser()
    from platformdirs import user_config_dir

    return Path(user_config_dir("akhbar")) / "seeds"


@cache
def get_settings() -> Settings:
    """The settings of this process (environment read on first use)."""
    return Settings()
