"""Many certificates from one layout. WeasyPrint lays out the page once, with a stand-in
in each per-person field; the stand-ins' glyphs are cut out of its content stream (found
by where the box tree says each one starts), leaving holes. Each certificate is that
content stream with the holes filled: the field's text drawn where WeasyPrint put the
stand-in, in the same TrueType font, size and colour, so the page draws, and reads back, in
the order WeasyPrint wrote it. The QR code is drawn on top as one vector path.

A text shrinks to fit its room (a long name stays on one line, centred). A page whose text
the fonts cannot draw glyph by glyph (a missing glyph, a script that needs shaping) is laid
out by WeasyPrint in full instead, in its place in the document.
"""

from __future__ import annotations

import functools
import io
import re
import threading
import unicodedata
import zlib
from collections import defaultdict
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from typing import Any

import segno
from pypdf import PageObject, PdfReader, PdfWriter
from pypdf.generic import (
    ArrayObject,
    DecodedStreamObject,
    DictionaryObject,
    FloatObject,
    IndirectObject,
    NameObject,
    NumberObject,
    PdfObject,
    StreamObject,
    TextStringObject,
)
from weasyprint import CSS, HTML
from weasyprint.formatting_structure import boxes

from esp_registry.certificates.fonts import EmbeddedFont, FontFile, coverage, draws_simply, font_for
from esp_registry.certificates.fonts import font_file as css_font_file

PT_PER_PX = 0.75  # WeasyPrint lays out in CSS px (1/96 in); PDF draws in points (1/72 in)
FIELD = "data-field"  # <span data-field="name">: a text drawn per page
QR = "data-qr"  # <img data-qr="url">: a QR code of that text drawn per page
HIDE_QR = CSS(string=f"[{QR}] {{ visibility: hidden !important; }}")
TEXT_SHOWING = {b"TJ", b"Tj", b"'", b'"'}
# One operation: numbers, names, hex strings and arrays of them, then the operator.
OPERATION = re.compile(
    rb"\s*(?:[-+.\w/]+\s+|<[0-9a-fA-F\s]*>\s*|\[[^\]]*\]\s*)*[A-Za-z'\"*]{1,3}\s*"
)
FALLBACK_CHUNK = 50  # pages laid out in full by WeasyPrint at a time
DARK_MODULES = re.compile(rb"\x01+")


@dataclass(frozen=True)
class TextSlot:
    """Where and how a field is drawn, in the CSS px of WeasyPrint's content stream."""

    field: str
    left: float  # where the stand-in starts: how its glyphs are found
    anchor: float  # x of the text's left edge, centre or right edge, by align
    baseline: float
    align: str  # left, center, right
    room: float  # the widest the text may be before it shrinks
    font: FontFile
    size: float
    color: tuple[float, float, float]
    letter_spacing: float


@dataclass(frozen=True)
class QrSlot:
    """Where the QR code goes, in PDF points from the bottom left of the page."""

    field: str
    x: float
    y: float
    size: float


@dataclass(frozen=True)
class Background:
    """The certificate laid out once: what every stamped page shares."""

    pdf: bytes  # WeasyPrint's page: its resources are every page's resources
    width: float  # points
    height: float
    segments: tuple[bytes, ...]  # the content stream around the holes
    holes: tuple[TextSlot, ...]  # one between each two segments
    qr: QrSlot | None

    @property
    def fields(self) -> set[str]:
        return {slot.field for slot in self.holes} | ({self.qr.field} if self.qr else set())


def _descendants(
    box: boxes.Box, block: boxes.Box | None = None
) -> Iterator[tuple[boxes.Box, boxes.Box | None]]:
    """Every box with its nearest enclosing block container."""
    yield box, block
    if isinstance(box, boxes.BlockContainerBox):
        block = box
    for child in getattr(box, "children", ()):
        yield from _descendants(child, block)


def _align(block: boxes.Box) -> str:
    value = block.style["text_align_all"]
    rtl = block.style["direction"] == "rtl"
    if value == "start":
        value = "right" if rtl else "left"
    elif value == "end":
        value = "left" if rtl else "right"
    return value if value in ("left", "center", "right") else "left"


def _text_slot(box: boxes.TextBox, block: boxes.Box) -> TextSlot | None:
    style = box.style
    font = css_font_file(tuple(style["font_family"]), style["font_weight"], style["font_style"])
    if font is None:
        return None
    align = _align(block)
    left, right = block.content_box_x(), block.content_box_x() + block.width
    anchor, room = {
        "left": (box.position_x, right - box.position_x),
        "center": ((left + right) / 2, right - left),
        "right": (box.position_x + box.width, box.position_x + box.width - left),
    }[align]
    spacing = style["letter_spacing"]
    return TextSlot(
        field=box.element.get(FIELD),
        left=box.position_x,
        anchor=anchor,
        baseline=box.position_y + box.baseline,
        align=align,
        room=room,
        font=font,
        size=style["font_size"],
        color=tuple(style["color"].to("srgb"))[:3],
        letter_spacing=0.0 if spacing == "normal" else spacing,
    )


def _operations(content: bytes) -> Iterator[tuple[bytes, bytes, bytes]] | None:
    """(line, operands, operator) for each line of a content stream written one operation
    a line with no literal strings, as WeasyPrint writes it; None for any other stream."""
    lines = content.splitlines()
    if any(b"(" in line or not OPERATION.fullmatch(line) for line in lines if line.strip()):
        return None
    return ((line, *_split(line)) for line in lines if line.strip())


def _split(line: bytes) -> tuple[bytes, bytes]:
    *operands, operator = line.rsplit(None, 1)
    return (operands[0] if operands else b""), operator


def _cut_holes(
    content: bytes, slots: list[TextSlot]
) -> tuple[tuple[bytes, ...], tuple[TextSlot, ...]] | None:
    """WeasyPrint's content stream cut where it shows a stand-in, with the stand-ins' glyphs
    left out; None if a stand-in is not where the layout put it. WeasyPrint sets the text
    matrix at the start of each text, so a stand-in is the text after a matrix set to where
    the stand-in's box starts, up to the next matrix or the end of the text object."""
    operations = _operations(content)
    if operations is None:
        return None
    segments: list[list[bytes]] = [[]]
    holes: list[TextSlot] = []
    stand_in: TextSlot | None = None  # whose glyphs the text showing now draws
    for line, operands, operator in operations:
        if operator == b"Tm":
            x, y = (float(v) for v in operands.split()[4:6])
            found = [s for s in slots if abs(s.left - x) + abs(s.baseline - y) < 0.5]
            stand_in = found[0] if len(found) == 1 else None
        elif operator == b"ET":
            stand_in = None
        elif operator in TEXT_SHOWING and stand_in is not None:
            if stand_in in slots:  # its first glyphs: the hole goes here
                holes.append(stand_in)
                slots.remove(stand_in)
                segments.append([])
            continue
        segments[-1].append(line)
    if slots:
        return None  # a field WeasyPrint did not draw where the layout said
    return tuple(b"\n".join(segment) for segment in segments), tuple(holes)


def lay_out(html: str, base_url: str | None = None) -> Background | None:
    """The page laid out once, with its fields' places; None when it cannot be stamped
    (more than one page, a field split over lines, a font that is not TrueType)."""
    document = HTML(string=html, base_url=base_url).render(stylesheets=[HIDE_QR])
    if len(document.pages) != 1:
        return None
    page = document.pages[0]
    height = page.height * PT_PER_PX
    slots: list[TextSlot] = []
    qr: QrSlot | None = None
    # The laid-out box tree is not a public WeasyPrint interface; the tests notice if it
    # changes, and until then every page is laid out in full (slower, same result).
    for box, block in _descendants(page._page_box):
        element = getattr(box, "element", None)
        if element is None or block is None:
            continue
        if isinstance(box, boxes.TextBox) and element.get(FIELD):
            slot = _text_slot(box, block)
            if slot is None:
                return None
            slots.append(slot)
        elif isinstance(box, boxes.ReplacedBox) and element.get(QR):
            if qr is not None:
                return None
            side = min(box.width, box.height) * PT_PER_PX
            qr = QrSlot(
                field=element.get(QR),
                x=box.content_box_x() * PT_PER_PX,
                y=height - box.content_box_y() * PT_PER_PX - side,
                size=side,
            )
    if len({slot.field for slot in slots}) != len(slots):
        return None  # a field broke over two lines: its place is not one point
    pdf = document.write_pdf()
    cut = _cut_holes(_background_page(pdf)[1], slots)
    if cut is None:
        return None
    return Background(pdf, page.width * PT_PER_PX, height, *cut, qr)


def _number(value: float) -> str:
    return f"{value:.2f}".rstrip("0").rstrip(".")


def qr_path(text: str, version: int | None = None) -> tuple[int, str]:
    """The QR code's size in modules, and its dark modules as one path of row runs stroked
    one module wide (one unit per module, rows downwards) as segno draws SVG: viewers snap
    strokes to the pixel grid, so the code stays crisp on screen too. A fixed mask (and,
    in a bulk print, version): searching for the best costs more than the rest."""
    matrix = segno.make(
        text, error="m", mask=0, micro=False, version=version, mode="byte", boost_error=False
    ).matrix
    runs = []
    for y, row in enumerate(matrix):
        runs.extend(f"{m.start()} {y}.5 m {m.end()} {y}.5 l" for m in DARK_MODULES.finditer(row))
    return len(matrix), "\n".join(runs)


def _as_drawn(text: str) -> str:
    return " ".join(unicodedata.normalize("NFC", text).split())


class Stamper:
    """The content stream of each page: the background with its holes filled."""

    def __init__(
        self,
        background: Background,
        pages: Sequence[Any],
        min_scale: float = 0.0,
        two_lines: bool = False,
    ) -> None:
        self.background = background
        self.min_scale = min_scale  # a text that would shrink more: its page is laid out in full
        self.two_lines = two_lines  # ... unless it fits on two lines, split between words
        # One subset per font file, holding what every page of the document needs.
        needed: dict[FontFile, set[str]] = defaultdict(set)
        self.values: list[dict[str, str]] = []
        for page in pages:
            # Composed characters (one glyph for "ễ"), white space collapsed as HTML does.
            values = {slot.field: _as_drawn(getattr(page, slot.field)) for slot in background.holes}
            self.values.append(values)
            for slot in background.holes:
                needed[slot.font].update(values[slot.field])
        self.fonts: dict[FontFile, EmbeddedFont] = {}
        self.drawable: dict[FontFile, frozenset[str]] = {}
        for file, chars in needed.items():
            has = coverage(file)
            self.drawable[file] = frozenset(ch for ch in chars if ch in has and draws_simply(ch))
            self.fonts[file] = font_for(file, self.drawable[file])
        self.font_names = {file: f"/Stamp{i}" for i, file in enumerate(self.fonts)}
        self.qr_version = None
        if background.qr is not None and pages:
            longest = max((str(getattr(p, background.qr.field)).encode() for p in pages), key=len)
            self.qr_version = segno.make(longest, error="m", micro=False, mode="byte").version

    def can_stamp(self, index: int) -> bool:
        values = self.values[index]
        return all(
            self.drawable[slot.font].issuperset(values[slot.field])
            and self._lines(slot, values[slot.field]) is not None
            for slot in self.background.holes
        )

    def _lines(self, slot: TextSlot, text: str) -> tuple[str, ...] | None:
        """The text on one line; or, too wide for it at min_scale, on two (the split
        between words that leaves the wider line narrowest); None if neither fits."""
        if self._width(slot, text) * self.min_scale <= slot.room:
            return (text,)
        if not self.two_lines:
            return None
        splits = [(text[:i], text[i + 1 :]) for i, ch in enumerate(text) if ch == " "]
        if not splits:
            return None
        best = min(splits, key=lambda pair: max(self._width(slot, line) for line in pair))
        widest = max(self._width(slot, line) for line in best)
        return best if widest * self.min_scale <= slot.room else None

    def _width(self, slot: TextSlot, text: str) -> float:
        font = self.fonts[slot.font]
        return font.advance(text) * slot.size / 1000 + slot.letter_spacing * len(text)

    def _text(self, slot: TextSlot, text: str) -> bytes:
        """Drawn inside WeasyPrint's text object: end it, draw, and begin another, so its
        text state and colour are as it left them (it sets a text matrix for each text).
        Two lines share one size and sit either side of where the one line would."""
        lines = self._lines(slot, text) or (text,)
        widest = max(self._width(slot, line) for line in lines)
        shrink = min(1.0, slot.room / widest) if widest else 1.0
        size, spacing = slot.size * shrink, slot.letter_spacing * shrink
        leading = size * 1.1 if len(lines) > 1 else 0.0
        r, g, b = slot.color
        drawn = []
        for number, line in enumerate(lines):
            width = self._width(slot, line) * shrink
            x = {"left": slot.anchor, "center": slot.anchor - width / 2}.get(
                slot.align, slot.anchor - width
            )
            baseline = slot.baseline + leading * (number - (len(lines) - 1) / 2)
            drawn.append(
                f"1 0 0 -1 {_number(x)} {_number(baseline)} Tm "
                f"<{self.fonts[slot.font].encode(line)}> Tj"
            )
        return (
            f"\nET q BT {self.font_names[slot.font]} {_number(size)} Tf {_number(spacing)} Tc "
            f"{_number(r)} {_number(g)} {_number(b)} rg {' '.join(drawn)} ET Q BT\n"
        ).encode("ascii")

    def content(self, index: int, page: Any) -> bytes:
        values = self.values[index]
        segments, holes = self.background.segments, self.background.holes
        parts = [b"q\n", segments[0]]
        for slot, segment in zip(holes, segments[1:], strict=True):
            # An empty field draws nothing; its neighbours stay separate operations.
            parts.append(self._text(slot, values[slot.field]) if values[slot.field] else b"\n")
            parts.append(segment)
        parts.append(b"\nQ\n")
        qr = self.background.qr
        if qr is not None:
            count, path = qr_path(str(getattr(page, qr.field)), self.qr_version)
            module = qr.size / count
            parts.append(
                f"q 0 G 1 w 0 J {_number(module)} 0 0 {_number(-module)} {_number(qr.x)} "
                f"{_number(qr.y + qr.size)} cm\n{path}\nS Q".encode("ascii")
            )
        return b"".join(parts)


def _indirect(writer: PdfWriter, obj: PdfObject) -> IndirectObject:
    # pypdf has no public call for adding a free-standing object (fonts, content streams).
    return writer._add_object(obj)


def _stream(compressed: bytes, entries: dict[str, PdfObject] | None = None) -> StreamObject:
    """A stream of data already Flate-compressed (a font once per process, not per PDF)."""
    stream = DecodedStreamObject()
    stream.set_data(compressed)
    stream[NameObject("/Filter")] = NameObject("/FlateDecode")
    for key, value in (entries or {}).items():
        stream[NameObject(key)] = value
    return stream


@dataclass(frozen=True)
class _FontParts:
    """What embedding a font costs, paid once per process and font subset."""

    program: bytes
    length: int
    to_unicode: bytes
    widths: ArrayObject
    default_width: int


@functools.lru_cache(maxsize=16)
def _font_parts(font: EmbeddedFont) -> _FontParts:
    default = max(set(font.widths), key=font.widths.count)
    widths = ArrayObject()  # runs of glyphs whose width is not the default: first [w w ...]
    previous = -2
    for gid, width in enumerate(font.widths):
        if width == default:
            continue
        if gid == previous + 1:
            widths[-1].append(NumberObject(width))
        else:
            widths.extend([NumberObject(gid), ArrayObject([NumberObject(width)])])
        previous = gid
    return _FontParts(
        zlib.compress(font.data), len(font.data), zlib.compress(font.to_unicode()), widths, default
    )


def _embed_font(writer: PdfWriter, font: EmbeddedFont) -> IndirectObject:
    parts = _font_parts(font)
    name = NameObject("/" + font.name)
    descriptor = DictionaryObject(
        {
            NameObject("/Type"): NameObject("/FontDescriptor"),
            NameObject("/FontName"): name,
            NameObject("/Flags"): NumberObject(font.flags),
            NameObject("/FontBBox"): ArrayObject(NumberObject(v) for v in font.bbox),
            NameObject("/ItalicAngle"): FloatObject(font.italic_angle),
            NameObject("/Ascent"): NumberObject(font.ascent),
            NameObject("/Descent"): NumberObject(font.descent),
            NameObject("/CapHeight"): NumberObject(font.cap_height),
            NameObject("/StemV"): NumberObject(80),
            NameObject("/FontFile2"): _indirect(
                writer, _stream(parts.program, {"/Length1": NumberObject(parts.length)})
            ),
        }
    )
    cid_font = DictionaryObject(
        {
            NameObject("/Type"): NameObject("/Font"),
            NameObject("/Subtype"): NameObject("/CIDFontType2"),
            NameObject("/BaseFont"): name,
            NameObject("/CIDSystemInfo"): DictionaryObject(
                {
                    NameObject("/Registry"): TextStringObject("Adobe"),
                    NameObject("/Ordering"): TextStringObject("Identity"),
                    NameObject("/Supplement"): NumberObject(0),
                }
            ),
            NameObject("/FontDescriptor"): _indirect(writer, descriptor),
            NameObject("/DW"): NumberObject(parts.default_width),
            NameObject("/W"): parts.widths,  # read-only, shared by every document
            NameObject("/CIDToGIDMap"): NameObject("/Identity"),
        }
    )
    return _indirect(
        writer,
        DictionaryObject(
            {
                NameObject("/Type"): NameObject("/Font"),
                NameObject("/Subtype"): NameObject("/Type0"),
                NameObject("/BaseFont"): name,
                NameObject("/Encoding"): NameObject("/Identity-H"),
                NameObject("/DescendantFonts"): ArrayObject([_indirect(writer, cid_font)]),
                NameObject("/ToUnicode"): _indirect(writer, _stream(parts.to_unicode)),
            }
        ),
    )


_reading = threading.Lock()  # a PdfReader reads its bytes lazily: one thread at a time


@functools.lru_cache(maxsize=32)
def _background_page(pdf: bytes) -> tuple[PageObject, bytes]:
    """WeasyPrint's page (read once per process) and its content stream."""
    with _reading:
        page = PdfReader(io.BytesIO(pdf)).pages[0]
        return page, page.get_contents().get_data()


def _page_resources(writer: PdfWriter, background: Background, stamper: Stamper) -> PdfObject:
    """WeasyPrint's resources with the stamped fonts added, shared by every page."""
    page, _ = _background_page(background.pdf)
    with _reading:
        resources = page["/Resources"].clone(writer)
    fonts = resources.get("/Font")
    if fonts is None:
        fonts = resources[NameObject("/Font")] = DictionaryObject()
    fonts = fonts.get_object()
    for file, font in stamper.fonts.items():
        fonts[NameObject(stamper.font_names[file])] = _embed_font(writer, font)
    return _indirect(writer, resources)


def stamp(
    background: Background | None,
    pages: Sequence[Any],
    render_in_full: Callable[[Sequence[Any]], bytes],
    on_progress: Callable[[int], None] = lambda done: None,
    progress_every: int = 100,
    title: str = "",
    min_scale: float = 0.0,
    two_lines: bool = False,
) -> bytes:
    """One PDF page per item of pages, in order: stamped onto the background where the
    fonts can draw it (and no text shrinks below min_scale of its size to fit, on one line
    or, with two_lines, on two), else laid out in full by render_in_full(items) (one page
    each)."""
    if not pages:
        return render_in_full(pages)  # one blank page: a PDF with none upsets viewers
    writer = PdfWriter()
    writer.pdf_header = "%PDF-1.7"
    if title:
        writer.add_metadata({"/Title": title})
    stamper = Stamper(background, pages, min_scale, two_lines) if background is not None else None
    stamped = [stamper is not None and stamper.can_stamp(i) for i in range(len(pages))]
    in_full = [i for i, yes in enumerate(stamped) if not yes]
    rendered: dict[int, Any] = {}  # page index -> page laid out in full, not yet added
    resources = None
    if stamper is not None and background is not None and any(stamped):
        resources = _page_resources(writer, background, stamper)
    next_in_full = 0
    for index, page in enumerate(pages):
        if stamped[index]:
            assert stamper is not None and background is not None and resources is not None
            new = writer.add_blank_page(background.width, background.height)
            new[NameObject("/Resources")] = resources
            new[NameObject("/Contents")] = _indirect(
                writer, _stream(zlib.compress(stamper.content(index, page), 1))
            )
        else:
            if index not in rendered:
                chunk = in_full[next_in_full : next_in_full + FALLBACK_CHUNK]
                next_in_full += len(chunk)
                reader = PdfReader(io.BytesIO(render_in_full([pages[i] for i in chunk])))
                rendered.update(zip(chunk, reader.pages, strict=True))
            writer.add_page(rendered.pop(index))
        if (index + 1) % progress_every == 0:
            on_progress(index + 1)
    out = io.BytesIO()
    writer.write(out)
    on_progress(len(pages))
    return out.getvalue()
