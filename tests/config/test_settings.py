"""Settings: typed, defaulted for local use, strict in production."""

from __future__ import annotations

import logging

import pytest

from config.logging import REDACTED, RedactSecrets
from config.settings import DEV_AUTH_TOKEN, ConfigError, load_settings

PRODUCTION = {
    "SCREENLINE_ENV": "production",
    "SCREENLINE_SECRET_KEY": "s" * 40,
    "TWILIO_ACCOUNT_SID": "AC" + "a" * 32,
    "TWILIO_AUTH_TOKEN": "real-token-value-123",
    "SCREENLINE_PUBLIC_URL": "https://calls.example.com/",
}


def test_defaults_suit_the_embedded_setup():
    """With nothing set, the database is a SQLite file and media a folder under var/."""
    settings = load_settings({})
    assert settings.database_url.startswith("sqlite:///") and "var" in settings.database_url
    assert settings.media_dir.parts[-2:] == ("var", "media")
    assert settings.redis_url == "redis://localhost:6379/0"
    assert settings.stt_engine == "whisper" and settings.whisper_model == "base"
    assert settings.twilio_auth_token == DEV_AUTH_TOKEN


def test_every_variable_is_read():
    """Each documented variable sets its field."""
    settings = load_settings(
        {
            "SCREENLINE_DATABASE_URL": "postgresql+psycopg://u@h/db",
            "SCREENLINE_REDIS_URL": "redis://r:6379/3",
            "SCREENLINE_MEDIA_DIR": "/srv/media",
            "SCREENLINE_SECRET_KEY": "k" * 40,
            "SCREENLINE_PUBLIC_URL": "https://x.example/",
            "TWILIO_ACCOUNT_SID": "AC" + "b" * 32,
            "TWILIO_AUTH_TOKEN": "tok",
            "SCREENLINE_TWILIO_API_URL": "http://127.0.0.1:8765/",
            "SCREENLINE_STT_ENGINE": "Sphinx",
            "SCREENLINE_WHISPER_MODEL": "/models/small",
        }
    )
    assert settings.database_url == "postgresql+psycopg://u@h/db"
    assert settings.redis_url == "redis://r:6379/3"
    assert str(settings.media_dir) == "/srv/media"
    assert settings.public_url == "https://x.example"
    assert settings.twilio_api_url == "http://127.0.0.1:8765"
    assert settings.stt_engine == "sphinx"
    assert settings.whisper_model == "/models/small"


def test_production_settings_load_when_complete():
    """A complete production environment is accepted."""
    assert load_settings(PRODUCTION).is_production


@pytest.mark.parametrize(
    "missing", ["SCREENLINE_SECRET_KEY", "TWILIO_AUTH_TOKEN", "TWILIO_ACCOUNT_SID"]
)
def test_production_refuses_to_start_without_a_secret(missing):
    """SCREENLINE_ENV=production without a secret stops start-up and names the variable."""
    env = {k: v for k, v in PRODUCTION.items() if k != missing}
    with pytest.raises(ConfigError, match=missing):
        load_settings(env)


def test_production_refuses_development_secrets_and_plain_http():
    """Production will not run on the development token or an http:// public URL."""
    with pytest.raises(ConfigError, match="development secrets"):
        load_settings(PRODUCTION | {"TWILIO_AUTH_TOKEN": DEV_AUTH_TOKEN})
    with pytest.raises(ConfigError, match="https"):
        load_settings(PRODUCTION | {"SCREENLINE_PUBLIC_URL": "http://calls.example.com"})


@pytest.mark.parametrize(
    ("name", "value"),
    [
        ("SCREENLINE_STT_ENGINE", "siri"),
        ("SCREENLINE_ENV", "staging"),
        ("SCREENLINE_SWEEP_INTERVAL", "soon"),
    ],
)
def test_malformed_values_are_named(name, value):
    """A bad value fails with a message naming the variable."""
    with pytest.raises(ConfigError, match=name):
        load_settings({name: value})


def test_settings_repr_hides_the_auth_token():
    """Printing settings never shows the Twilio auth token."""
    assert "real-token-value-123" not in repr(load_settings(PRODUCTION))


def test_log_filter_redacts_secrets():
    """A log line that contains a secret is written with the secret replaced."""
    record = logging.LogRecord(
        "x", logging.INFO, __file__, 1, "token=%s ok", ("real-token-value-123",), None
    )
    RedactSecrets(["real-token-value-123"]).filter(record)
    assert record.getMessage() == f"token={REDACTED} ok"


def test_storage_defaults_to_the_media_folder_and_reads_an_s3_url():
    """No SCREENLINE_STORAGE_URL means the media folder; an s3:// URL and endpoint are kept."""
    assert load_settings({"SCREENLINE_MEDIA_DIR": "/srv/media"}).audio_store_url == (
        "file:///srv/media"
    )
    settings = load_settings(
        {
            "SCREENLINE_STORAGE_URL": "s3://screenline-audio/prod/",
            "SCREENLINE_S3_ENDPOINT_URL": "http://minio.internal:9000/",
        }
    )
    assert settings.audio_store_url == "s3://screenline-audio/prod"
    assert settings.s3_endpoint_url == "http://minio.internal:9000"


@pytest.mark.parametrize(
    "url", ["ftp://host/x", "s3://", "file://relative/x", "var/media", "s3://b/../x"]
)
def test_a_malformed_storage_url_stops_start_up(url):
    """A storage URL that is neither file:///absolute/path nor s3://bucket/prefix is refused."""
    with pytest.raises(ConfigError, match="SCREENLINE_STORAGE_URL"):
        load_settings({"SCREENLINE_STORAGE_URL": url})
