"""Serving an uploaded file back: as the type its content was found to be, never sniffed,
never run, never cached by a shared cache. A photo opens in the browser; a PDF is
downloaded, to open in the reader's own viewer."""

from __future__ import annotations

from flask import Response, abort, request

from esp_registry.files import storage

# A file is shown as a document of its own that may run nothing and reach nothing.
FILE_CSP = "sandbox; default-src 'none'; img-src 'self'; style-src 'unsafe-inline'"


def stored_file(key: str | None, content_type: str, name: str) -> Response:
    """The file under `key` as a response named `name`.<extension>; 404 when there is none."""
    if not key:
        abort(404)
    try:
        data = storage.open_file(key)
    except storage.MissingFile:
        abort(404)
    extension = storage.EXTENSIONS.get(content_type, "bin")
    inline = content_type.startswith("image/") and request.args.get("download") != "1"
    response = Response(data, mimetype=content_type or "application/octet-stream")
    response.headers["Content-Disposition"] = (
        f'{"inline" if inline else "attachment"}; filename="{name}.{extension}"'
    )
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["Content-Security-Policy"] = FILE_CSP
    response.headers["Cache-Control"] = "private, no-store"
    response.headers["Cross-Origin-Resource-Policy"] = "same-origin"
    return response
