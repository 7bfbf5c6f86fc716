"""Baking per Open Badges 3.0 (§ "Badge baking", SVG): the signed credential goes in an
<openbadges:credential> element right after the opening <svg> tag, in the namespace
https://purl.imsglobal.org/ob/v3p0, its text the compact VC-JWT. Unbaking reads it back
with a bounded pattern, not an XML parser (an uploaded file may be anything)."""

from __future__ import annotations

import re

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
