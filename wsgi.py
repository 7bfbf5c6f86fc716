"""Entry point for gunicorn: `gunicorn wsgi:app`."""

from esp_registry import create_app

app = create_app()
