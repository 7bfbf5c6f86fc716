"""What an uploaded file really is, read from its content (never its name or the type the
browser claims): a PDF without scripts, or a JPEG/PNG photo of sane size. Anything else is
refused with a message that says what to send instead."""

from __future__ import annotations

import io
import re
import warnings
from dataclasses import dataclass
from typing import Any

from flask_babel import lazy_gettext as _l
from PIL import Image, UnidentifiedImageError
from pypdf import PdfReader
from pypdf.generic import ArrayObject, DictionaryObject, IndirectObject, NameObject

MAX_BYTES = 10 * 1024 * 1024  # 10 MB (PRODUCT §13)
# A 48-megapixel phone photo passes; a PNG that unpacks to gigabytes does not.
MAX_PIXELS = 60_000_000
IMAGE_TYPES = {"JPEG": "image/jpeg", "PNG": "image/png"}
# Names that make a PDF run something when opened or clicked.
SCRIPT_NAMES = {"/JS", "/JavaScript"}
RUNNING_ACTIONS = {"/JavaScript", "/Launch", "/ImportData", "/SubmitForm", "/Rendition"}
# A quick look at the raw bytes before the parse: long enough never to occur by chance in
# the compressed image data of a scan (a bare "/JS" would, about once in 40 MB).
SCRIPT_BYTES = re.compile(rb"/JavaScript(?![A-Za-z0-9#])|/JS\s*[(<]")
MAX_PDF_OBJECTS = 200_000  # more objects than any scanned certificate has: refuse, not hang

EMPTY = _l("The file is empty. Choose the PDF or photo of your certificate again.")
TOO_BIG = _l("The file is larger than 10 MB. Send a smaller PDF or photo.")
WRONG_TYPE = _l("This file is not a PDF or a JPEG or PNG photo. Send a PDF, or a photo.")
PDF_SCRIPT = _l(
    "This PDF contains JavaScript, which we do not accept. Save or print it as a plain PDF "
    "and try again."
)
PDF_LOCKED = _l("This PDF is password-protected. Send a copy without a password.")
PDF_BROKEN = _l("This PDF could not be read. Save it again, or send a photo of the certificate.")
IMAGE_BROKEN = _l("This photo could not be read. Take the photo again, or send a PDF.")
TOO_MANY_PIXELS = _l("This image is too large to open (over 60 megapixels). Send a smaller photo.")


@dataclass(frozen=True)
class Checked:
    """A file we accept, and what it is."""

    ok: bool
    content_type: str = ""
    message: str = ""


def refused(message: Any) -> Checked:
    return Checked(False, message=str(message))


def check_proof(data: bytes) -> Checked:
    """A proof of training: a PDF (by its header and a full parse, without JavaScript, not
    encrypted) or a JPEG/PNG photo (verified, at most MAX_PIXELS), at most 10 MB."""
    if not data:
        return refused(EMPTY)
    if len(data) > MAX_BYTES:
        return refused(TOO_BIG)
    if data[:1024].lstrip(b"\r\n\t \x00").startswith(b"%PDF-"):
        return check_pdf(data)
    return check_image(data)


def check_image(data: bytes) -> Checked:
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            with Image.open(io.BytesIO(data), formats=list(IMAGE_TYPES)) as image:
                kind = image.format or ""
                width, height = image.size
                if width * height > MAX_PIXELS:
                    return refused(TOO_MANY_PIXELS)
                image.verify()
            with Image.open(io.BytesIO(data), formats=list(IMAGE_TYPES)) as image:
                image.load()  # verify() skips the pixels: a truncated photo fails here
    except (Image.DecompressionBombError, Image.DecompressionBombWarning):
        return refused(TOO_MANY_PIXELS)
    except UnidentifiedImageError:
        return refused(WRONG_TYPE)
    except Exception:  # Pillow raises many kinds for a damaged file: all are "unreadable"
        return refused(IMAGE_BROKEN)
    if kind not in IMAGE_TYPES:
        return refused(WRONG_TYPE)
    return Checked(True, IMAGE_TYPES[kind])


def check_pdf(data: bytes) -> Checked:
    if SCRIPT_BYTES.search(data):
        return refused(PDF_SCRIPT)
    try:
        reader = PdfReader(io.BytesIO(data), strict=False)
        if reader.is_encrypted:
            return refused(PDF_LOCKED)
        if len(reader.pages) < 1:
            return refused(PDF_BROKEN)
        runs_something = _runs_something(reader.trailer)
    except Exception:  # pypdf raises many kinds for a damaged file: all are "unreadable"
        return refused(PDF_BROKEN)
    if runs_something is None:
        return refused(PDF_BROKEN)
    if runs_something:
        return refused(PDF_SCRIPT)
    return Checked(True, "application/pdf")


def _runs_something(trailer: Any) -> bool | None:
    """Whether any object reachable from the trailer is or names a script, or an action
    that runs one (also inside compressed object streams, where the raw bytes hide it);
    None when the document has too many objects to walk."""
    seen: set[tuple[int, int]] = set()
    stack: list[Any] = [trailer]
    visited = 0
    while stack:
        node = stack.pop()
        if isinstance(node, IndirectObject):
            ref = (node.idnum, node.generation)
            if ref in seen:
                continue
            seen.add(ref)
            node = node.get_object()
        visited += 1
        if visited > MAX_PDF_OBJECTS:
            return None
        if isinstance(node, DictionaryObject):
            if any(str(key) in SCRIPT_NAMES for key in node):
                return True
            kind = node.get("/S")
            if isinstance(kind, NameObject) and str(kind) in RUNNING_ACTIONS:
                return True
            stack.extend(value for key, value in node.items() if key != "/Parent")
        elif isinstance(node, ArrayObject):
            stack.extend(node)
    return False
