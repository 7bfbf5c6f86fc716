"""Conditional PDF downloads: a repeat request for a PDF whose content has not changed is
answered 304 Not Modified without rendering it again.

The entity tag is a hash of what determines the PDF's content (given by the caller: a
certificate's code and what its page prints, a transcript's fingerprint), the language,
the public address printed in it, and the PDF templates' source plus LAYOUT_VERSION, so a
new layout or another language is a new tag. Responses are `private`: they hold personal
data, so no shared cache may keep them; `no-cache` makes the browser ask each time.
"""

from __future__ import annotations

import functools
import hashlib
from collections.abc import Callable, Iterable

from flask import Response, current_app, request
from flask_babel import get_locale

# Bump when the way PDFs are drawn changes outside their templates (stamping, fonts, QR).
LAYOUT_VERSION = "1"


@functools.lru_cache(maxsize=32)
def _templates_digest(loader_id: int, names: tuple[str, ...]) -> str:
    env = current_app.jinja_env
    sources = (env.loader.get_source(env, name)[0] for name in names)  # type: ignore[union-attr]
    return hashlib.sha256("\0".join(sources).encode()).hexdigest()


def pdf_etag(templates: Iterable[str], parts: Iterable[object]) -> str:
    """The entity tag of a PDF made from `templates` whose content `parts` determine."""
    names = tuple(templates)
    facts = (
        LAYOUT_VERSION,
        _templates_digest(id(current_app.jinja_env.loader), names),
        str(get_locale()),
        current_app.config["PUBLIC_BASE_URL"],
        *(str(part) for part in parts),
    )
    return hashlib.sha256("\x1f".join(facts).encode()).hexdigest()[:40]


def pdf_download(etag: str, render: Callable[[], bytes], filename: str) -> Response:
    """The PDF as an attachment, or 304 when the browser already holds this very one."""
    if request.if_none_match.contains_weak(etag):
        response = Response(status=304)
    else:
        response = Response(
            render(),
            mimetype="application/pdf",
            headers={"Content-Disposition": f'attachment; filename="{filename}"'},
        )
    private(response, etag)
    return response


def private(response: Response, etag: str | None = None) -> Response:
    """Kept by the browser alone, and checked with the server before each use."""
    if etag is not None:
        response.set_etag(etag)
    response.cache_control.private = True
    response.cache_control.no_cache = True
    response.cache_control.public = False
    return response
