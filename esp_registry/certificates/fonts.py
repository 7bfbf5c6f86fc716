"""TrueType fonts for stamped certificates: the file fontconfig picks for a CSS font (as
Pango does for WeasyPrint), subset once per process and embedded in a PDF as a Type 0 font
(Identity-H, with a ToUnicode map so the text can still be searched and copied).
"""

from __future__ import annotations

import functools
import hashlib
import io
import logging
import subprocess
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass

from fontTools import subset
from fontTools.ttLib import TTFont

log = logging.getLogger(__name__)

# A subset holds whole runs of 128 code points (ASCII always): a name with an "é" brings in
# Latin-1, one with a "ễ" Vietnamese. So documents share a few cached subsets; a new one
# costs a tenth of a second once per process.
CHUNK_BITS = 7


CSS_WEIGHTS = {
    100: "thin",
    200: "extralight",
    300: "light",
    400: "regular",
    500: "medium",
    600: "demibold",
    700: "bold",
    800: "extrabold",
    900: "black",
}
# Latin, Greek, Cyrillic, Armenian; Georgian; phonetic, Latin and Greek extended,
# punctuation and symbols; Latin ligatures.
SIMPLE_SCRIPTS = ((0, 0x590), (0x10A0, 0x1100), (0x1D00, 0x2C00), (0xFB00, 0xFB07))
BIDI_NOT_LEFT_TO_RIGHT = {"R", "AL", "AN", "RLE", "RLO", "RLI", "LRE", "LRO", "LRI", "PDF", "PDI"}


@dataclass(frozen=True)
class FontFile:
    path: str
    index: int = 0


def _pattern(families: Iterable[str], weight: int, style: str) -> str:
    def escape(name: str) -> str:
        return "".join("\\" + ch if ch in "\\-:," else ch for ch in name)

    named_weight = CSS_WEIGHTS[min(900, max(100, round(weight / 100) * 100))]
    slant = {"italic": "italic", "oblique": "oblique"}.get(style, "roman")
    return f"{','.join(escape(f) for f in families)}:weight={named_weight}:slant={slant}"


@functools.cache
def font_file(families: tuple[str, ...], weight: int, style: str) -> FontFile | None:
    """The font file for a CSS font-family list, weight and style, or None when fontconfig
    cannot tell or the file is not TrueType (then the page is laid out by WeasyPrint)."""
    try:
        found = subprocess.run(
            [
                "fc-match",
                "--format=%{file}|%{index}|%{fontformat}",
                _pattern(families, weight, style),
            ],
            capture_output=True,
            text=True,
            timeout=10,
            check=True,
        ).stdout
    except (OSError, subprocess.SubprocessError):
        log.warning("fc-match failed for %s; certificates are laid out in full", families)
        return None
    path, _, rest = found.partition("|")
    index, _, kind = rest.partition("|")
    if not path or kind != "TrueType":
        log.warning("no TrueType font for %s (%r): certificates laid out in full", families, found)
        return None
    return FontFile(path, int(index or 0))


@functools.cache
def coverage(file: FontFile) -> frozenset[str]:
    """Every character the font has a glyph for."""
    with TTFont(file.path, fontNumber=file.index, lazy=True) as font:
        return frozenset(chr(c) for c in font.getBestCmap())


def draws_simply(ch: str) -> bool:
    """Whether a character can be drawn one glyph after another, left to right, without a
    shaping engine: not a combining mark, not right-to-left, and from a script (Latin,
    Greek, Cyrillic, Armenian, Georgian, punctuation, symbols) that needs no shaping."""
    if unicodedata.category(ch)[0] in "MC":
        return False
    if unicodedata.bidirectional(ch) in BIDI_NOT_LEFT_TO_RIGHT:
        return False
    code = ord(ch)
    return any(first <= code < end for first, end in SIMPLE_SCRIPTS)


def _subset_options() -> subset.Options:
    options = subset.Options()
    options.layout_features = []  # glyphs are placed one after another: no GSUB/GPOS
    options.drop_tables += ["GSUB", "GPOS", "GDEF", "kern", "hdmx", "VDMX", "LTSH", "FFTM", "MATH"]
    options.hinting = False
    options.name_IDs = [1, 2, 4, 6]
    options.notdef_outline = True
    options.glyph_names = False
    return options


class EmbeddedFont:
    """A font file subset to some characters: glyph ids, advance widths (in thousandths of
    an em) and what the PDF needs to embed it."""

    def __init__(self, file: FontFile, chars: frozenset[str]) -> None:
        font = TTFont(file.path, fontNumber=file.index, lazy=True, recalcTimestamp=False)
        if "glyf" not in font:
            raise ValueError(f"{file.path} has no TrueType outlines")
        subsetter = subset.Subsetter(_subset_options())
        subsetter.populate(unicodes=[ord(c) for c in chars])
        subsetter.subset(font)
        buffer = io.BytesIO()
        font.save(buffer)
        self.data = buffer.getvalue()

        scale = 1000 / font["head"].unitsPerEm
        ids = {name: gid for gid, name in enumerate(font.getGlyphOrder())}
        self.glyphs = {chr(c): ids[name] for c, name in font.getBestCmap().items()}
        self.widths = [round(font["hmtx"][name][0] * scale) for name in font.getGlyphOrder()]
        head, hhea, post = font["head"], font["hhea"], font["post"]
        os2 = font.get("OS/2")
        self.bbox = [round(v * scale) for v in (head.xMin, head.yMin, head.xMax, head.yMax)]
        self.ascent = round(hhea.ascent * scale)
        self.descent = round(hhea.descent * scale)
        self.cap_height = round(getattr(os2, "sCapHeight", 0) * scale) or self.ascent
        self.italic_angle = float(post.italicAngle)
        # PDF font flags: fixed pitch 1, serif 2, symbolic 4 (a custom encoding), italic 64.
        self.flags = 4 | (1 if post.isFixedPitch else 0) | (64 if self.italic_angle else 0)
        family = font["name"].getDebugName(6) or "Font"
        digest = hashlib.sha256("".join(sorted(chars)).encode()).digest()
        tag = "".join(chr(65 + b % 26) for b in digest[:6])  # the subset's name prefix
        self.name = f"{tag}+{family.replace(' ', '')}"
        font.close()

    def covers(self, text: str) -> bool:
        return all(ch in self.glyphs for ch in text)

    def advance(self, text: str) -> int:
        """Width of the text in thousandths of the font size."""
        glyphs, widths = self.glyphs, self.widths
        return sum(widths[glyphs[ch]] for ch in text)

    def encode(self, text: str) -> str:
        """The text as a PDF hex string of glyph ids (Identity-H)."""
        glyphs = self.glyphs
        return "".join(f"{glyphs[ch]:04X}" for ch in text)

    def to_unicode(self) -> bytes:
        """The CMap that maps glyph ids back to characters (text extraction, search)."""
        pairs: dict[int, str] = {}
        for ch, gid in sorted(self.glyphs.items(), key=lambda item: ord(item[0])):
            pairs.setdefault(gid, ch)
        lines = [
            "/CIDInit /ProcSet findresource begin 12 dict begin begincmap",
            "/CIDSystemInfo << /Registry (Adobe) /Ordering (UCS) /Supplement 0 >> def",
            "/CMapName /Adobe-Identity-UCS def /CMapType 2 def",
            "1 begincodespacerange <0000> <FFFF> endcodespacerange",
        ]
        items = sorted(pairs.items())
        for start in range(0, len(items), 100):
            chunk = items[start : start + 100]
            lines.append(f"{len(chunk)} beginbfchar")
            lines.extend(f"<{gid:04X}> <{ch.encode('utf-16-be').hex()}>" for gid, ch in chunk)
            lines.append("endbfchar")
        lines.append("endcmap CMapName currentdict /CMap defineresource pop end end")
        return "\n".join(lines).encode("ascii")


@functools.lru_cache(maxsize=16)
def embedded_font(file: FontFile, chars: frozenset[str]) -> EmbeddedFont:
    return EmbeddedFont(file, chars)


def font_for(file: FontFile, needed: Iterable[str]) -> EmbeddedFont:
    """The font subset to whole chunks of code points, holding at least these characters."""
    chunks = {0} | {ord(ch) >> CHUNK_BITS for ch in needed}
    return embedded_font(
        file,
        frozenset(chr(c) for k in chunks for c in range(k << CHUNK_BITS, (k + 1) << CHUNK_BITS)),
    )
