"""Typed settings, one environment variable each, validated at start-up."""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from pathlib import Path
from urllib.parse import urlsplit

# Development stand-ins for secrets. They are refused when SCREENLINE_ENV=production.
DEV_SECRET_KEY = "dev-only-secret-key-not-for-production"  # noqa: S105
DEV_ACCOUNT_SID = "AC00000000000000000000000000000000"
DEV_AUTH_TOKEN = "dev-only-auth-token"  # noqa: S105

STT_ENGINES = ("whisper", "sphinx", "google")
ENVIRONMENTS = ("development", "test", "production")
LOG_FORMATS = ("text", "json")


class ConfigError(RuntimeError):
    """A setting is missing or malformed; the process must not start."""


@dataclass(frozen=True)
class Settings:
    """Every setting Screenline reads, typed; `load_settings` fills it from the environment."""

    env: str = "development"
    database_url: str = ""
    redis_url: str = "redis://localhost:6379/0"
    media_dir: Path = Path("var/media")
    # SCREENLINE_STORAGE_URL: file:///path or s3://bucket/prefix; empty means media_dir.
    storage_url: str = ""
    s3_endpoint_url: str = ""  # an S3-compatible service (MinIO, Ceph, R2); empty: AWS
    secret_key: str = field(default=DEV_SECRET_KEY, repr=False)
    public_url: str = "http://127.0.0.1:5000"
    trust_proxy: bool = False
    twilio_account_sid: str = DEV_ACCOUNT_SID
    twilio_auth_token: str = field(default=DEV_AUTH_TOKEN, repr=False)
    twilio_api_url: str = "https://api.twilio.com"
    stt_engine: str = "whisper"
    whisper_model: str = "base"  # multilingual; voice/speech_models.py falls back to tiny.en
    whisper_compute_type: str = "int8"
    stt_threads: int = 0  # CTranslate2 threads per transcription process; 0: its cores
    # Per language (its first part, "es" for es-MX): which engine transcribes it, e.g.
    # (("es", "whisper:/srv/models/whisper-small"), ("fr", "google"), ("de", "none")).
    stt_languages: tuple[tuple[str, str], ...] = ()
    sweep_interval_seconds: int = 10  # how often workers rebuild the queues from the database
    practice_delete_delay: int = 120  # seconds before a practice recording is deleted
    log_level: str = "INFO"
    log_format: str = "text"  # SCREENLINE_LOG_FORMAT: text, or json (one object per line)
    # Prometheus samples of this machine's processes meet here (config/multiprocess.py).
    metrics_dir: Path = Path("var/metrics")
    metrics_token: str = field(default="", repr=False)  # if set, /metrics needs this bearer
    session_idle_minutes: int = 120  # a dashboard session unused this long must sign in again
    api_rate_limit: int = 600  # REST API requests per minute per key

    @property
    def is_production(self) -> bool:
        """SCREENLINE_ENV is production: real secrets and an https public URL are required."""
        return self.env == "production"

    @property
    def audio_store_url(self) -> str:
        """Where audio is kept: SCREENLINE_STORAGE_URL, else the folder SCREENLINE_MEDIA_DIR."""
        return self.storage_url or Path(self.media_dir).resolve().as_uri()

    def replace(self, **changes) -> Settings:
        """Return a copy with some settings changed (used by tests and the demo)."""
        return replace(self, **changes)

    def secrets(self) -> tuple[str, ...]:
        """Values that must never appear in logs."""
        return tuple(s for s in (self.secret_key, self.twilio_auth_token, self.metrics_token) if s)


def _text(env: Mapping[str, str], name: str, default: str) -> str:
    value = env.get(name, "").strip()
    return value or default


def _int(env: Mapping[str, str], name: str, default: int) -> int:
    raw = env.get(name, "").strip()
    if not raw:
        return default
    try:
        return int(raw)
    except ValueError:
        raise ConfigError(f"{name} must be a whole number, got {raw!r}") from None


def _bool(env: Mapping[str, str], name: str, default: bool) -> bool:
    raw = env.get(name, "").strip().lower()
    if not raw:
        return default
    if raw in ("1", "true", "yes", "on"):
        return True
    if raw in ("0", "false", "no", "off"):
        return False
    raise ConfigError(f"{name} must be true or false, got {raw!r}")


def _choice(env: Mapping[str, str], name: str, default: str, choices: tuple[str, ...]) -> str:
    value = _text(env, name, default).lower()
    if value not in choices:
        raise ConfigError(f"{name} must be one of {', '.join(choices)}; got {value!r}")
    return value


def load_settings(environ: Mapping[str, str] | None = None, *, dotenv: bool = True) -> Settings:
    """Read settings from the environment (and a .env file in development); fail fast."""
    if environ is None:
        if dotenv:
            _load_dotenv()
        environ = os.environ
    env = _choice(environ, "SCREENLINE_ENV", "development", ENVIRONMENTS)
    production = env == "production"

    default_db = "sqlite:///" + str(Path("var/screenline.db").resolve())
    settings = Settings(
        env=env,
        database_url=_text(environ, "SCREENLINE_DATABASE_URL", default_db),
        redis_url=_text(environ, "SCREENLINE_REDIS_URL", "redis://localhost:6379/0"),
        media_dir=Path(_text(environ, "SCREENLINE_MEDIA_DIR", "var/media")).resolve(),
        storage_url=_storage_url(environ),
        s3_endpoint_url=_text(environ, "SCREENLINE_S3_ENDPOINT_URL", "").rstrip("/"),
        secret_key=_text(environ, "SCREENLINE_SECRET_KEY", "" if production else DEV_SECRET_KEY),
        public_url=_text(environ, "SCREENLINE_PUBLIC_URL", "http://127.0.0.1:5000").rstrip("/"),
        trust_proxy=_bool(environ, "SCREENLINE_TRUST_PROXY", False),
        twilio_account_sid=_text(
            environ, "TWILIO_ACCOUNT_SID", "" if production else DEV_ACCOUNT_SID
        ),
        twilio_auth_token=_text(environ, "TWILIO_AUTH_TOKEN", "" if production else DEV_AUTH_TOKEN),
        twilio_api_url=_text(environ, "SCREENLINE_TWILIO_API_URL", "https://api.twilio.com").rstrip(
            "/"
        ),
        stt_engine=_choice(environ, "SCREENLINE_STT_ENGINE", "whisper", STT_ENGINES),
        whisper_model=_text(environ, "SCREENLINE_WHISPER_MODEL", "base"),
        whisper_compute_type=_text(environ, "SCREENLINE_WHISPER_COMPUTE_TYPE", "int8"),
        stt_threads=_int(environ, "SCREENLINE_STT_THREADS", 0),
        stt_languages=_stt_languages(environ.get("SCREENLINE_STT_LANGUAGES", "")),
        sweep_interval_seconds=_int(environ, "SCREENLINE_SWEEP_INTERVAL", 10),
        practice_delete_delay=_int(environ, "SCREENLINE_PRACTICE_DELETE_DELAY", 120),
        log_level=_text(environ, "SCREENLINE_LOG_LEVEL", "INFO").upper(),
        log_format=_choice(environ, "SCREENLINE_LOG_FORMAT", "text", LOG_FORMATS),
        metrics_dir=Path(_text(environ, "SCREENLINE_METRICS_DIR", "var/metrics")).resolve(),
        metrics_token=_text(environ, "SCREENLINE_METRICS_TOKEN", ""),
        session_idle_minutes=_int(environ, "SCREENLINE_SESSION_IDLE_MINUTES", 120),
        api_rate_limit=_int(environ, "SCREENLINE_API_RATE_LIMIT", 600),
    )
    if settings.session_idle_minutes < 1:
        raise ConfigError("SCREENLINE_SESSION_IDLE_MINUTES must be at least 1")
    if settings.api_rate_limit < 1:
        raise ConfigError("SCREENLINE_API_RATE_LIMIT must be at least 1 (requests per minute)")
    if production:
        _check_production(settings)
    return settings


def _storage_url(env: Mapping[str, str]) -> str:
    """SCREENLINE_STORAGE_URL checked for its form: file:///absolute/path or s3://bucket[/prefix]."""
    url = _text(env, "SCREENLINE_STORAGE_URL", "")
    if not url:
        return ""
    parts = urlsplit(url)
    if parts.scheme == "file" and parts.netloc in ("", "localhost") and parts.path.startswith("/"):
        return url
    if parts.scheme == "s3" and parts.netloc and not parts.query and ".." not in parts.path:
        return url.rstrip("/")
    raise ConfigError(
        f"SCREENLINE_STORAGE_URL must be file:///absolute/path or s3://bucket/prefix; got {url!r}"
    )


def _stt_languages(raw: str) -> tuple[tuple[str, str], ...]:
    """Parse "es=whisper:/models/small,fr=google,de=none" into (language, engine) pairs."""
    pairs = []
    for item in filter(None, (part.strip() for part in raw.split(","))):
        language, _, engine = item.partition("=")
        language, engine = language.strip().lower(), engine.strip()
        name = engine.split(":", 1)[0].lower()
        if not language or name not in (*STT_ENGINES, "none"):
            raise ConfigError(
                "SCREENLINE_STT_LANGUAGES takes items like es=whisper:/path/to/model, "
                f"fr=google or de=none; got {item!r}"
            )
        pairs.append((language.split("-")[0], engine))
    return tuple(pairs)


def _check_production(settings: Settings) -> None:
    missing = [
        name
        for name, value in (
            ("SCREENLINE_SECRET_KEY", settings.secret_key),
            ("TWILIO_ACCOUNT_SID", settings.twilio_account_sid),
            ("TWILIO_AUTH_TOKEN", settings.twilio_auth_token),
            ("SCREENLINE_PUBLIC_URL", settings.public_url),
        )
        if not value
    ]
    if missing:
        raise ConfigError("SCREENLINE_ENV=production needs these settings: " + ", ".join(missing))
    if settings.secret_key == DEV_SECRET_KEY or settings.twilio_auth_token == DEV_AUTH_TOKEN:
        raise ConfigError("SCREENLINE_ENV=production refuses the development secrets")
    if len(settings.secret_key) < 32:
        raise ConfigError("SCREENLINE_SECRET_KEY must be at least 32 characters in production")
    if not settings.public_url.startswith("https://"):
        raise ConfigError("SCREENLINE_PUBLIC_URL must be an https:// URL in production")


def _load_dotenv() -> None:
    path = Path(".env")
    if path.is_file():
        from dotenv import load_dotenv

        load_dotenv(path, override=False)
