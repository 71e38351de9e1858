"""Which engine transcribes which language is explicit in settings."""

from __future__ import annotations

import pytest

from config.settings import ConfigError, load_settings
from voice.stt import UnsupportedLanguage, engine_choice, engine_for


def test_languages_map_to_engines_and_others_use_the_default():
    """Each listed language gets its engine and model; the rest use SCREENLINE_STT_ENGINE."""
    settings = load_settings(
        {"SCREENLINE_STT_LANGUAGES": "es=whisper:/models/small, fr=google, de=none"}
    )
    assert engine_choice(settings, "es-MX") == ("whisper", "/models/small")
    assert engine_choice(settings, "fr-CA") == ("google", "base")
    assert engine_choice(settings, "en-US") == ("whisper", "base")
    with pytest.raises(UnsupportedLanguage, match="de-DE is turned off"):
        engine_choice(settings, "de-DE")


def test_one_engine_object_per_choice():
    """Languages sharing an engine and model share one loaded engine."""
    settings = load_settings({"SCREENLINE_STT_LANGUAGES": "es=sphinx"})
    assert engine_for(settings, "es-MX") is engine_for(settings, "es-ES")
    assert engine_for(settings, "en-US") is engine_for(settings)
    assert engine_for(settings, "es-MX").name != engine_for(settings).name


def test_malformed_language_setting_is_refused():
    """A bad SCREENLINE_STT_LANGUAGES entry stops start-up with an example of the format."""
    with pytest.raises(ConfigError, match="es=whisper"):
        load_settings({"SCREENLINE_STT_LANGUAGES": "es:whisper"})
