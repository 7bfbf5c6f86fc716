"""Settings read from the environment (esp_registry/config.py)."""

from __future__ import annotations

from pathlib import Path

import pytest

from esp_registry.config import from_environment


def test_certificate_prints_are_kept_7_days_unless_the_environment_says(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setenv("SECRET_KEY", "test")
    monkeypatch.delenv("CERTIFICATE_PRINTS_KEEP_DAYS", raising=False)
    assert from_environment(str(tmp_path))["CERTIFICATE_PRINTS_KEEP_DAYS"] == 7
    monkeypatch.setenv("CERTIFICATE_PRINTS_KEEP_DAYS", "30")
    assert from_environment(str(tmp_path))["CERTIFICATE_PRINTS_KEEP_DAYS"] == 30
    # A slip like -1 must not make the daily clean-up delete every finished print.
    monkeypatch.setenv("CERTIFICATE_PRINTS_KEEP_DAYS", "-1")
    assert from_environment(str(tmp_path))["CERTIFICATE_PRINTS_KEEP_DAYS"] == 1
