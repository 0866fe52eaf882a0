"""Typed settings, read from the environment with the ``CUSTOMS_`` prefix."""

from __future__ import annotations

import json
from decimal import Decimal
from pathlib import Path
from typing import Annotated

from pydantic import Field, SecretStr, field_validator
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict


class Settings(BaseSettings):
    """Installation settings.

    ``CUSTOMS_DATABASE_URL`` selects the store: a SQLite file in the working directory by
    default, PostgreSQL (``postgresql+psycopg://...``) in production.
    """

    model_config = SettingsConfigDict(env_prefix="CUSTOMS_", extra="ignore")

    database_url: str = Field(
        default_factory=lambda: f"sqlite:///{Path.cwd() / 'customs.db'}",
        description="SQLAlchemy URL of the store.",
    )
    office: str = Field(
        default="2201",
        pattern=r"^\d{4}$",
        description="Default 4-digit customs office (关区代码) used in declaration numbers "
        "when a declaration names none.",
    )
    receiver_id: str = Field(
        default="CNCUSTOMS",
        description="Our party identification in interchange headers (UNB recipient).",
    )
    served_recipients: list[str] = Field(
        default_factory=list,
        description="Routing table: further interchange recipient ids (UNB S003) we answer "
        "for besides receiver_id, as a JSON list. An EDIFACT interchange addressed to anyone "
        "else is refused with CONTRL 0085 code 7 (recipient not actual recipient).",
    )
    edifact_profile: str = Field(
        default="default",
        description="The default CUSDEC mapping profile: a name (shipped, or of a file in "
        "edifact_profiles) for senders without a trading partner agreement.",
    )
    edifact_profiles: list[str] = Field(
        default_factory=list,
        description="Profiles of one's own: files or folders of *.json, as a JSON list "
        "(CUSTOMS_EDIFACT_PROFILES='[\"/etc/customs/profiles\"]').",
    )
    partners: str | None = Field(
        default=None,
        description="Trading partner agreements: a JSON or TOML file mapping sender id -> "
        "profile (and default_profile); see docs/edifact-profile.md.",
    )
    regime: str | None = Field(
        default=None,
        description="Regime profile for assessment (cn, eu); unset: chosen by declaring office.",
    )
    timezone: str = Field(
        default="Asia/Shanghai",
        description="Time zone of the administration: the acceptance date of a declaration "
        "(申报日期) is the local calendar date.",
    )
    manifest_tolerance_percent: Decimal = Field(
        default=Decimal("5"),
        ge=0,
        description="Manifest reconciliation (舱单核销): how far, in percent of the manifest's "
        "figure, a declaration's packages and gross mass may differ from its bill of lading.",
    )
    risk_seed: str = Field(
        default="golden-customs",
        description="Seed of the risk ruleset's random selections (keep it secret in "
        "production): the same declaration, ruleset and seed always give the same lane.",
    )
    echo_sql: bool = False
    document_max_bytes: int = Field(
        default=10 * 1024 * 1024,
        ge=1,
        description="Largest file a trader may present in answer to an officer's request for "
        "documents (CUSTOMS_DOCUMENT_MAX_BYTES), in bytes.",
    )

    # Identity (issue 12): tokens from the organisation's identity provider (JWT/OIDC).
    jwks: str | None = Field(
        default=None,
        description="Where the identity provider's signing keys are: a JWKS file path or an "
        "https URL. Unset: no token is accepted (API keys and passwords still are).",
    )
    jwt_issuer: str | None = Field(
        default=None, description="The `iss` every accepted token must carry (required with jwks)."
    )
    jwt_audience: str | None = Field(
        default=None, description="The `aud` every accepted token must carry (required with jwks)."
    )
    jwt_subject_claim: str = Field(
        default="sub",
        description="The token claim naming the subject (its id in `customs subjects`).",
    )

    # Intake robustness (issue 15): how long a message may stay ``received`` before it is
    # listed as stuck and may be retried, and the largest file each channel accepts.
    stuck_after_seconds: int = Field(
        default=300,
        ge=0,
        description="A message still `received` this many seconds after it arrived is stuck "
        "(its processing died, e.g. kill -9): `customs messages stuck` lists it and "
        "`customs messages retry` takes it.",
    )
    max_edifact_bytes: int = Field(
        default=256 * 1024 * 1024,
        gt=0,
        description="Largest EDIFACT interchange accepted, in bytes; larger ones are rejected.",
    )
    max_x12_bytes: int = Field(
        default=64 * 1024 * 1024,
        gt=0,
        description="Largest X12 interchange accepted, in bytes; larger ones are rejected.",
    )
    max_xml_bytes: int = Field(
        default=16 * 1024 * 1024,
        gt=0,
        description="Largest XML declaration accepted, in bytes (the XML reader's own hard "
        "limit, 16 MiB, stays in force above it).",
    )
    max_json_bytes: int = Field(
        default=4 * 1024 * 1024,
        gt=0,
        description="Largest JSON request accepted, in bytes; larger ones are rejected.",
    )

    # The job queue and its workers (docs/operations.md).
    queue_retries: int = Field(
        default=4,
        ge=0,
        description="Further attempts of a failing job (back-off 2, 4, 8 … s) before it is "
        "left a dead letter (`customs messages dead`).",
    )
    worker_heartbeat_seconds: float = Field(
        default=10.0,
        gt=0,
        description="How often a worker says it is alive, and sweeps for work a dead one left.",
    )
    queue_stalled_after_seconds: float = Field(
        default=30.0,
        gt=0,
        description="A worker silent this long is taken as dead: its running jobs are queued "
        "again (processing is guarded, so a job run twice registers once).",
    )
    log_level: str = Field(default="INFO", description="Level of the long-running processes' logs.")
    log_json: bool = Field(
        default=True,
        description="Worker, scheduler and server log one JSON object per line (false: "
        "key=value lines for people).",
    )
    gc_freeze: bool = Field(
        default=True,
        description="The long-running processes (serve, worker, scheduler) freeze what they "
        "hold after start-up, and what their first interchange and each new reference version "
        "leave alive, out of the garbage collector's full passes (core/runtime.py, "
        "clearance/intake/collector.py); false: the interpreter's defaults.",
    )
    gc_gen0_threshold: int | None = Field(
        default=None,
        gt=0,
        description="With gc_freeze: the collector's young-generation threshold (unset: "
        "the interpreter's, 700).",
    )
    calendars_dir: Path | None = Field(
        default=None,
        description="Folder of working-day calendars of one's own (<name>.json, as "
        "rules/calendars/cn.json): each year a file lists replaces or adds that year of the "
        "shipped calendar, e.g. the next year's State Council holiday notice.",
    )
    mailbox_root: Path | None = Field(
        default=None,
        description="Root of the partners' mailbox folders: <root>/<sender>/in (files to "
        "take), done and failed (taken files, with the acknowledgement beside them), out "
        "(answers delivered by the outbox). Unset: no mailbox intake or folder delivery.",
    )
    mailbox_batch: int = Field(
        default=10,
        ge=1,
        description="Up to this many consecutive small files of one sender's folder are "
        "processed in one unit of work (group commit; each still received on its own and "
        "answered on its own; a batch that fails is run again file by file). 1: one unit "
        "per file.",
    )
    mailbox_settle_seconds: float = Field(
        default=2.0,
        ge=0,
        description="A file in a partner's in/ folder is taken only once it has not changed for "
        "this long (its modification time): a file still being written is left for the next "
        "look. Partners should still write under a name starting with '.' (or ending in .tmp, "
        ".part, .filepart) and rename when complete; such names are never taken.",
    )
    schedule_mailbox_seconds: float = Field(
        default=10.0, gt=0, description="How often the scheduler looks into the inbound folders."
    )
    schedule_outbox_seconds: float = Field(
        default=10.0, gt=0, description="How often the scheduler delivers new answers."
    )
    scheduler_poll_seconds: float = Field(
        default=1.0,
        gt=0,
        description="How often a waiting scheduler tries to become the leader (and the "
        "leader checks it still is): a dead leader is replaced within about this long.",
    )
    queue_orphan_after_seconds: float = Field(
        default=600.0,
        gt=0,
        description="A message still `received` this long after arrival with no job is "
        "queued by the workers' sweep (a submitter that died before queueing it).",
    )
    console_secret: str | None = Field(
        default=None,
        description="Signs the console's session cookies (keep it secret; the same in every "
        "process serving the console). Unset: a random secret per process, sessions end "
        "when it stops.",
    )
    # --- webhooks (issues 12 and 15) -------------------------------------------------------
    webhook_secret_key: SecretStr | None = Field(
        default=None,
        description="Encrypts the webhook endpoints' signing secrets at rest (AES-256-GCM): 32 "
        "bytes, base64. The same in every process; losing it makes every endpoint's secret "
        "unreadable (rotate them). Unset: registering a webhook is refused.",
    )
    webhook_allowed_networks: Annotated[list[str], NoDecode] = Field(
        default_factory=list,
        description="Networks a webhook may target although private, loopback or link-local "
        "(CUSTOMS_WEBHOOK_ALLOWED_NETWORKS=10.20.0.0/16,10.30.0.0/16, or a JSON list). "
        "Empty: public addresses only.",
    )

    @field_validator("webhook_allowed_networks", mode="before")
    @classmethod
    def _networks_from_text(cls, value: object) -> object:
        """A comma-separated list as operators write it in an env file, or a JSON list."""
        if isinstance(value, str):
            text = value.strip()
            if text.startswith("["):
                return json.loads(text)
            return [part.strip() for part in text.split(",") if part.strip()]
        return value

    webhook_allow_http: bool = Field(
        default=False,
        description="Allow plain http:// webhook URLs (tests, a receiver on loopback); https "
        "only otherwise.",
    )
    webhook_timeout_seconds: float = Field(
        default=10.0,
        gt=0,
        le=60,
        description="How long one webhook delivery may take (connect, send, answer) before "
        "it counts as failed and is retried.",
    )
    webhook_batch: int = Field(
        default=200,
        ge=1,
        le=10_000,
        description="How many due webhook deliveries one delivery run posts at most.",
    )
    schedule_webhook_seconds: float = Field(
        default=5.0,
        gt=0,
        description="How often the scheduler fans new events out to webhook endpoints and "
        "posts the deliveries that are due.",
    )

    # Scheduled housekeeping (issue 15, docs/operations.md "The schedule"): daily jobs run at
    # a local time of day in `timezone`; the statistics refresh runs on an interval.
    schedule_statistics_seconds: float = Field(
        default=30.0,
        gt=0,
        description="How often the scheduler brings released items into the statistics "
        "(a release is visible in the cross-tabs within about this long).",
    )
    schedule_quota_rollover_at: str = Field(
        default="00:05",
        pattern=r"^([01]\d|2[0-3]):[0-5]\d$",
        description="Local time (HH:MM, in `timezone`) of the daily tariff-quota roll-over.",
    )
    schedule_expiry_sweep_at: str = Field(
        default="00:15",
        pattern=r"^([01]\d|2[0-3]):[0-5]\d$",
        description="Local time of the daily licence and certificate expiry sweep.",
    )
    schedule_rebate_batch_at: str = Field(
        default="01:00",
        pattern=r"^([01]\d|2[0-3]):[0-5]\d$",
        description="Local time of the daily rebate batch (records exported up to yesterday).",
    )
    schedule_fx_indicators_at: str = Field(
        default="02:00",
        pattern=r"^([01]\d|2[0-3]):[0-5]\d$",
        description="Local time of the daily FX indicators and classification.",
    )
    schedule_raw_retention_at: str = Field(
        default="03:00",
        pattern=r"^([01]\d|2[0-3]):[0-5]\d$",
        description="Local time of the daily move of old raw messages into archives.",
    )
    expiry_warning_days: int = Field(
        default=30,
        ge=0,
        description="A licence or certificate ending within this many days gets one "
        "`licence_expiring` / `certificate_expiring` event.",
    )
    rebate_batch_dir: Path | None = Field(
        default=None,
        description="Folder the daily rebate batch writes its CSV and XML into (for the tax "
        "authority's pick-up). Unset: the scheduled rebate batch does nothing.",
    )
    raw_retention_years: int = Field(
        default=3,
        ge=1,
        description="Raw messages received more than this many years ago are moved into "
        "archives (policy: 3 years, the keeping period of declaration records under the "
        "customs audit regulations; verify for your administration).",
    )
    archive_root: Path | None = Field(
        default=None,
        description="Root of the raw-message archives (zip files). Unset: nothing is archived.",
    )
    retention_batch: int = Field(
        default=1000,
        ge=1,
        le=100_000,
        description="Raw messages per archive file (one zip, one unit of work each).",
    )
    key_cache_seconds: float = Field(
        default=5.0,
        ge=0,
        description="How long a server process believes an API key it has verified before "
        "looking it up again (0: every request). A revocation made through the same process "
        "takes effect at once; one made elsewhere (the CLI, another server) within this long.",
    )


def load_settings() -> Settings:
    """Read the settings from the environment."""
    return Settings()
