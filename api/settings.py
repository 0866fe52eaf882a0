"""Settings of the HTTP front door, read from the environment with the ``CUSTOMS_API_`` prefix."""

from __future__ import annotations

from typing import Literal

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict


class ApiSettings(BaseSettings):
    """How the API serves: limits per subject and on request sizes."""

    model_config = SettingsConfigDict(env_prefix="CUSTOMS_API_", extra="ignore")

    rate_per_second: float = Field(
        default=50.0,
        gt=0,
        description="Requests per second each subject may make on average (token bucket).",
    )
    rate_burst: int = Field(
        default=100, ge=1, description="Requests a subject may make at once before waiting."
    )
    max_body_bytes: int = Field(
        default=10 * 1024 * 1024,
        ge=1024,
        description="Largest interchange accepted by POST /v1/submissions (413 above it).",
    )

    intake: Literal["queue", "inline"] = Field(
        default="queue",
        description=(
            "How POST /v1/submissions processes on PostgreSQL: `queue` stores the bytes, "
            "queues one job for the workers and waits up to submit_wait_seconds for the "
            "answer; `inline` processes in the API process. SQLite always processes at once."
        ),
    )
    submit_wait_seconds: float = Field(
        default=10.0,
        ge=0,
        description=(
            "How long a queued submission waits for a worker before it is answered 202 "
            "`queued` (follow it at its Location)."
        ),
    )
    threads: int | None = Field(
        default=None,
        ge=1,
        description=(
            "Use cases the process runs at once (its thread pool's limit). Default: as many as "
            "the store's connection pool holds when the API does the work itself (SQLite, "
            "`inline`); the thread pool's own 40 when submissions wait for the workers."
        ),
    )


def load_api_settings() -> ApiSettings:
    """Read the API settings from the environment."""
    return ApiSettings()
