"""gunicorn reads this file by itself when started from the checkout (./gunicorn.conf.py)."""

from __future__ import annotations

from typing import Any

from esp_registry.config import rate_limit_storage


def on_starting(server: Any) -> None:
    # Sign-in throttling counts in memory unless told otherwise; with several workers each
    # would keep its own count and an attacker gets the limit times the workers.
    if server.cfg.workers > 1 and rate_limit_storage().startswith("memory://"):
        raise SystemExit(
            f"ESP Registry: {server.cfg.workers} workers need a shared store for sign-in "
            "throttling. Set REDIS_URL (or RATELIMIT_STORAGE_URI=redis://…), or run one worker."
        )
