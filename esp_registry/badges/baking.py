"""Baking per Open Badges 3.0 (§ "Badge baking"). SVG: the signed credential goes in an
<openbadges:credential> element right after the opening <svg> tag, in the namespace
https://purl.imsglobal.org/ob/v3p0, its text the compact VC-JWT. Unbaking reads it back
with a bounded pattern, not an XML parser (an uploaded file may be anything). PNG: an
iTXt chunk with the keyword "openbadgecredential", uncompressed, the compact VC-JWT as
its text (Pillow writes it; unbaking walks the chunks)."""

from __future__ import annotations

import io
import re
import zlib
from functools import cache

from PIL import Image, ImageDraw, ImageFont
from PIL.PngImagePlugin import PngInfo

NAMESPACE = "https://purl.imsglobal.org/ob/v3p0"
_OPENING = re.compile(r"<svg\b[^>]{0,4000}>")
_BAKED = re.compile(
    r"<openbadges:credential\b[^>]{0,200}>\s{0,100}(?:<!\[CDATA\[)?\s{0,100}"
    r"([A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+)"
    r"\s{0,100}(?:\]\]>)?\s{0,100}</openbadges:credential>"
)


def bake(svg: str, jwt: str) -> str:
    """The image with the credential inside (the image must be an <svg> document)."""
    opening = _OPENING.search(svg)
    if opening is None or not re.fullmatch(r"[A-Za-z0-9_.-]+", jwt):
        raise ValueError("not an SVG image, or not a compact JWT")
    tag = opening.group(0)
    if "xmlns:openbadges=" not in tag:
        tag = tag[:-1] + f' xmlns:openbadges="{NAMESPACE}">'
    element = f"\n  <openbadges:credential><![CDATA[{jwt}]]></openbadges:credential>"
    return svg[: opening.start()] + tag + element + svg[opening.end() :]


def unbake(svg: str) -> str | None:
    """The compact JWT baked into an SVG, or None."""
    found = _BAKED.search(svg)
    return found.group(1) if found else None


# ---------------------------------------------------------------------------- PNG

PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
PNG_KEYWORD = b"openbadgecredential"
_JWT = re.compile(r"[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+")
MAX_CHUNKS = 10_000  # an uploaded file is at most 1 MB; a real badge has a dozen chunks


@cache
def badge_png() -> bytes:
    """templates/badges/badge.svg drawn with Pillow (no SVG renderer is installed): a blue
    disc, a white ring, a white check mark and "ESP", 256 px square, drawn 4 times as large and
    scaled down for smooth edges."""
    scale = 4
    size = 256 * scale
    image = Image.new("RGBA", (size, size), (0, 0, 0, 0))
    draw = ImageDraw.Draw(image)

    def box(radius: int) -> tuple[int, int, int, int]:
        low, high = (128 - radius) * scale, (128 + radius) * scale
        return (low, low, high, high)

    draw.ellipse(box(120), fill="#1d4f91")
    draw.ellipse(box(103), outline="#ffffff", width=6 * scale)
    draw.ellipse(box(97), fill="#1d4f91")
    check = [(88 * scale, 132 * scale), (116 * scale, 160 * scale), (172 * scale, 96 * scale)]
    draw.line(check, fill="#ffffff", width=16 * scale, joint="curve")
    for x, y in (check[0], check[-1]):  # round caps
        r = 8 * scale
        draw.ellipse((x - r, y - r, x + r, y + r), fill="#ffffff")
    font = ImageFont.load_default(size=20 * scale)
    draw.text(
        (128 * scale, 214 * scale),
        "ESP",
        font=font,
        fill="#ffffff",
        anchor="ms",
        stroke_width=scale // 2,
        stroke_fill="#ffffff",
    )
    image = image.resize((256, 256), Image.Resampling.LANCZOS)
    out = io.BytesIO()
    image.save(out, format="PNG", optimize=True)
    return out.getvalue()


def bake_png(png: bytes, jwt: str) -> bytes:
    """The PNG with the credential in an iTXt chunk, per OB 3.0: keyword
    "openbadgecredential", the compact JWT as its text, not compressed."""
    if not _JWT.fullmatch(jwt):
        raise ValueError("not a compact JWT")
    with Image.open(io.BytesIO(png)) as image:
        if image.format != "PNG":
            raise ValueError("not a PNG image")
        info = PngInfo()
        info.add_itxt(PNG_KEYWORD.decode("ascii"), jwt, zip=False)
        out = io.BytesIO()
        image.save(out, format="PNG", pnginfo=info)
    return out.getvalue()


def unbake_png(data: bytes) -> str | None:
    """The compact JWT baked into a PNG, or None. The chunks are walked (each CRC checked)
    without decoding the image, so an uploaded file costs no more than its size; a
    compressed credential chunk, or two of them, is refused as OB 3.0 asks."""
    if not data.startswith(PNG_SIGNATURE):
        return None
    position, found = len(PNG_SIGNATURE), None
    for _ in range(MAX_CHUNKS):
        header = data[position : position + 8]
        if len(header) < 8:
            return None  # no IEND: truncated
        length = int.from_bytes(header[:4], "big")
        kind = header[4:]
        body = data[position + 8 : position + 8 + length]
        crc = data[position + 8 + length : position + 12 + length]
        if len(body) != length or len(crc) != 4:
            return None
        if zlib.crc32(kind + body).to_bytes(4, "big") != crc:
            return None
        if kind == b"iTXt":
            keyword, _nul, rest = body.partition(b"\0")
            if keyword == PNG_KEYWORD:
                # compression flag, method, language tag\0, translated keyword\0, text
                parts = rest[2:].split(b"\0", 2)
                if found is not None or len(rest) < 2 or rest[0] != 0 or len(parts) != 3:
                    return None
                found = parts[2].decode("ascii", errors="replace").strip()
        if kind == b"IEND":
            return found if found and _JWT.fullmatch(found) else None
        position += 12 + length
    return None
