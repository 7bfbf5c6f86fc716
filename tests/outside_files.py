"""Files for the outside-training tests: real PDFs and photos, and the bad ones a proof
upload must refuse (made in code, small, the same every run)."""

from __future__ import annotations

import functools
import io
import struct
import zlib

from PIL import Image
from pypdf import PdfWriter
from pypdf.generic import ArrayObject, DictionaryObject, NameObject, TextStringObject


def pdf(pages: int = 1) -> bytes:
    writer = PdfWriter()
    for _ in range(pages):
        writer.add_blank_page(width=200, height=100)
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def pdf_with_javascript() -> bytes:
    """A document-level script (/Names /JavaScript), as a "fill me in" form carries."""
    writer = PdfWriter()
    writer.add_blank_page(width=200, height=100)
    script = DictionaryObject(
        {
            NameObject("/S"): NameObject("/JavaScript"),
            NameObject("/JS"): TextStringObject("app.alert('hello');"),
        }
    )
    names = ArrayObject([TextStringObject("hello"), writer._add_object(script)])
    writer._root_object[NameObject("/Names")] = DictionaryObject(
        {NameObject("/JavaScript"): DictionaryObject({NameObject("/Names"): names})}
    )
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def pdf_with_hidden_open_action() -> bytes:
    """An /OpenAction that runs a script, its names written with #-escapes (/J#61vaScript,
    /J#53) so no plain "/JavaScript" or "/JS" is in the bytes: the parse must find it."""
    writer = PdfWriter()
    writer.add_blank_page(width=200, height=100)
    action = DictionaryObject(
        {
            NameObject("/S"): NameObject("/JavaScript"),
            NameObject("/JS"): TextStringObject("app.alert(1)"),
        }
    )
    writer._root_object[NameObject("/OpenAction")] = writer._add_object(action)
    out = io.BytesIO()
    writer.write(out)
    data = out.getvalue()
    hidden = data.replace(b"/JavaScript", b"/J#61vaScript").replace(b"/JS ", b"/J#53 ")
    assert b"/JavaScript" not in hidden and b"/JS " not in hidden
    return hidden


def encrypted_pdf() -> bytes:
    writer = PdfWriter()
    writer.add_blank_page(width=200, height=100)
    writer.encrypt("secret", algorithm="RC4-128")
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def image(kind: str = "JPEG", size: tuple[int, int] = (64, 48)) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", size, (30, 90, 160)).save(out, kind)
    return out.getvalue()


@functools.cache
def png_bomb(side: int = 12_000) -> bytes:
    """A valid 1-bit PNG of side by side pixels (144 megapixels) that is a few KB on disk."""
    row = b"\x00" + b"\x00" * (side // 8)
    body = zlib.compress(row * side, 9)

    def chunk(kind: bytes, data: bytes) -> bytes:
        return (
            struct.pack(">I", len(data))
            + kind
            + data
            + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)
        )

    header = struct.pack(">IIBBBBB", side, side, 1, 0, 0, 0, 0)
    signature = b"\x89PNG\r\n\x1a\n"
    return signature + chunk(b"IHDR", header) + chunk(b"IDAT", body) + chunk(b"IEND", b"")


def exe() -> bytes:
    """The start of a Windows program (what a renamed "certificate.pdf.exe" really is)."""
    return b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff" + b"\x00" * 200 + b"PE\x00\x00"
