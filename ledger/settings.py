"""Settings, read from the environment once at a process edge and passed down explicitly."""

from __future__ import annotations

import base64
import binascii
import os
from dataclasses import dataclass
from decimal import Decimal
from typing import Mapping
from urllib.parse import unquote, urlsplit

from ledger.errors import Invalid


@dataclass(frozen=True)
class Settings:
    """Everything a process needs to build the ledger; see README's configuration table."""

    db_path: str = "./ledger.sqlite"
    database_url: str = ""
    pool_size: int = 5
    max_overflow: int = 10
    lock_timeout_s: int = 5
    create_tables: bool = True
    max_body_bytes: int = 1_048_576
    max_import_bytes: int = 33_554_432
    environment: str = "development"
    master_key: str = ""
    rate_limit: str = "1200 per minute"
    base_currency: str = "CNY"
    rebuild_cron: str = "30 3 * * *"
    projection_batch: int = 5000
    job_cron_overrides: str = ""
    webhook_urls: str = ""
    webhook_secret: str = ""
    contract_reminder_days: int = 30
    lagging_group_periods: int = 2
    review_bottom_share: Decimal = Decimal("0.1")
    review_consecutive: int = 2
    review_min_team_size: int = 4
    signing_key_file: str = ""
    verify_key_files: str = ""
    console_cookie_secure: str = "auto"

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None) -> Settings:
        env = os.environ if environ is None else environ
        return cls(
            db_path=env.get("LEDGER_DB", cls.db_path),
            database_url=env.get("LEDGER_DATABASE_URL", ""),
            pool_size=int(env.get("LEDGER_DB_POOL_SIZE", cls.pool_size)),
            max_overflow=int(env.get("LEDGER_DB_MAX_OVERFLOW", cls.max_overflow)),
            lock_timeout_s=int(env.get("LEDGER_DB_LOCK_TIMEOUT", cls.lock_timeout_s)),
            create_tables=env.get("LEDGER_CREATE_TABLES", "yes").lower() in ("1", "y", "yes", "true"),
            max_body_bytes=int(env.get("LEDGER_MAX_BODY_BYTES", cls.max_body_bytes)),
            max_import_bytes=int(env.get("LEDGER_MAX_IMPORT_BYTES", cls.max_import_bytes)),
            environment=env.get("LEDGER_ENV", cls.environment),
            master_key=env.get("LEDGER_MASTER_KEY", ""),
            rate_limit=env.get("LEDGER_RATE_LIMIT", cls.rate_limit),
            base_currency=env.get("LEDGER_BASE_CURRENCY", cls.base_currency),
            rebuild_cron=env.get("LEDGER_REBUILD_CRON", cls.rebuild_cron),
            projection_batch=int(env.get("LEDGER_PROJECTION_BATCH", cls.projection_batch)),
            job_cron_overrides=env.get("LEDGER_JOB_CRONS", ""),
            webhook_urls=env.get("LEDGER_WEBHOOK_URLS", ""),
            webhook_secret=env.get("LEDGER_WEBHOOK_SECRET", ""),
            contract_reminder_days=int(env.get("LEDGER_CONTRACT_REMINDER_DAYS", cls.contract_reminder_days)),
            lagging_group_periods=int(env.get("LEDGER_LAGGING_GROUP_PERIODS", cls.lagging_group_periods)),
            review_bottom_share=Decimal(env.get("LEDGER_REVIEW_BOTTOM_SHARE", str(cls.review_bottom_share))),
            review_consecutive=int(env.get("LEDGER_REVIEW_CONSECUTIVE", cls.review_consecutive)),
            review_min_team_size=int(env.get("LEDGER_REVIEW_MIN_TEAM_SIZE", cls.review_min_team_size)),
            signing_key_file=env.get("LEDGER_SIGNING_KEY_FILE", ""),
            verify_key_files=env.get("LEDGER_VERIFY_KEY_FILES", ""),
            console_cookie_secure=env.get("LEDGER_CONSOLE_COOKIE_SECURE", cls.console_cookie_secure).lower(),
        )

    def job_crons(self) -> dict[str, str]:
        """Per-job schedules from `LEDGER_JOB_CRONS` (`recycle=0 2 * * *;expiry-reminders=0 * * * *`)."""
        pairs = [item.split("=", 1) for item in self.job_cron_overrides.split(";") if "=" in item]
        return {name.strip(): cron.strip() for name, cron in pairs}

    def webhooks(self) -> list[str]:
        return [url.strip() for url in self.webhook_urls.split(",") if url.strip()]

    @property
    def production(self) -> bool:
        return self.environment == "production"

    def check(self) -> Settings:
        """Refuse configurations that must never serve real data."""
        if self.environment not in ("development", "production"):
            raise Invalid("LEDGER_ENV must be development or production")
        if self.production and not self.master_key:
            raise Invalid("LEDGER_MASTER_KEY is required when LEDGER_ENV=production")
        if self.backend == "postgresql" and not self.master_key:
            raise Invalid("LEDGER_MASTER_KEY is required with PostgreSQL (a development key file is kept "
                          "beside a SQLite database only)")
        if not (0 < self.review_bottom_share <= 1 and self.review_consecutive >= 1 and self.lagging_group_periods >= 1):
            raise Invalid("LEDGER_REVIEW_BOTTOM_SHARE must lie in (0, 1]; LEDGER_REVIEW_CONSECUTIVE and "
                          "LEDGER_LAGGING_GROUP_PERIODS must be at least 1")
        self.master_key_bytes()
        self.eventsourcing_env()
        return self

    def master_key_bytes(self) -> bytes | None:
        """The 32-byte master key that wraps every person's data key; None when not configured."""
        if not self.master_key:
            return None
        try:
            key = base64.b64decode(self.master_key.strip(), validate=True)
        except (binascii.Error, ValueError):
            key = b""
        if len(key) != 32:
            raise Invalid("LEDGER_MASTER_KEY must be base64 of 32 random bytes (e.g. `openssl rand -base64 32`)")
        return key

    @property
    def backend(self) -> str:
        return "postgresql" if self.database_url else "sqlite"

    def eventsourcing_env(self) -> dict[str, str]:
        """The `eventsourcing` library's own settings for the chosen store."""
        common = {"CREATE_TABLE": "y" if self.create_tables else "n",
                  "TRANSCODER_TOPIC": "ledger.transcoder:OrjsonTranscoder"}
        if not self.database_url:
            return {**common, "PERSISTENCE_MODULE": "eventsourcing.sqlite",
                    "SQLITE_DBNAME": self.db_path, "SQLITE_LOCK_TIMEOUT": str(self.lock_timeout_s)}
        url = urlsplit(self.database_url)
        if url.scheme not in ("postgresql", "postgres") or not url.path.strip("/"):
            raise Invalid("LEDGER_DATABASE_URL must look like postgresql://user:pass@host:port/dbname")
        return {
            **common,
            "PERSISTENCE_MODULE": "eventsourcing.postgres",
            "POSTGRES_DBNAME": unquote(url.path.lstrip("/")),
            "POSTGRES_HOST": url.hostname or "localhost",
            "POSTGRES_PORT": str(url.port or 5432),
            "POSTGRES_USER": unquote(url.username or ""),
            "POSTGRES_PASSWORD": unquote(url.password or ""),
            "POSTGRES_POOL_SIZE": str(self.pool_size),
            "POSTGRES_MAX_OVERFLOW": str(self.max_overflow),
            # Never wait forever for the table lock that keeps readers from skipping events.
            "POSTGRES_LOCK_TIMEOUT": str(self.lock_timeout_s),
            # The pool's wait for a connection (not libpq's): with bounded retries an unreachable
            # database answers 503 within about 4 s (ledger/pgrecorder.py).
            "POSTGRES_CONNECT_TIMEOUT": "2",
            "POSTGRES_PRE_PING": "y",
            "APPLICATION_RECORDER_TOPIC": "ledger.pgrecorder:BoundedRetryRecorder",
        }
