"""Where uploaded files live: one fsspec URL (UPLOAD_STORAGE_URL). By default a directory
on this server's disk (instance/uploads); `s3://bucket/prefix` puts them in S3-compatible
object storage (with s3fs installed) so several app servers share them; `memory://` keeps
them in this process (tests).

Files are named by a random key, never by what the person called them, and never read
with a path a request chose: the key comes from our own database row."""

from __future__ import annotations

import contextlib
import re
import secrets
from typing import Any

import fsspec
from flask import current_app

KEY = re.compile(r"[0-9a-f]{32}\.(pdf|jpg|png)")
EXTENSIONS = {"application/pdf": "pdf", "image/jpeg": "jpg", "image/png": "png"}


class MissingFile(LookupError):
    """A key our database names but the storage no longer has."""


def _filesystem() -> tuple[Any, str]:
    fs, root = fsspec.core.url_to_fs(current_app.config["UPLOAD_STORAGE_URL"])
    return fs, root.rstrip("/")


def _path(root: str, key: str) -> str:
    if not KEY.fullmatch(key):  # a key is ours or nothing: no "../" ever reaches the storage
        raise MissingFile(key)
    return f"{root}/{key[:2]}/{key}"


def store(data: bytes, content_type: str) -> str:
    """Keep `data` (already checked, of this detected content type); its new key."""
    key = f"{secrets.token_hex(16)}.{EXTENSIONS[content_type]}"
    fs, root = _filesystem()
    path = _path(root, key)
    fs.makedirs(path.rsplit("/", 1)[0], exist_ok=True)
    fs.pipe_file(path, data)
    return key


def open_file(key: str) -> bytes:
    """The bytes stored under `key` (MissingFile if they are gone)."""
    fs, root = _filesystem()
    try:
        return bytes(fs.cat_file(_path(root, key)))
    except FileNotFoundError as error:
        raise MissingFile(key) from error


def delete(key: str) -> None:
    """Remove the file under `key`; one already gone is no error."""
    fs, root = _filesystem()
    with contextlib.suppress(FileNotFoundError):
        fs.rm_file(_path(root, key))


def exists(key: str) -> bool:
    fs, root = _filesystem()
    return bool(fs.exists(_path(root, key)))
