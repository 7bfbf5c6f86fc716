"""The pieces of certificate stamping that need no database."""

from __future__ import annotations

import re

import pytest
import segno

from esp_registry.certificates import stamping
from esp_registry.certificates.fonts import draws_simply, font_file, font_for


@pytest.mark.parametrize(
    "ch", ["a", "é", "Ñ", "Å", "ễ", "ư", "Ł", "Ω", "Ж", "-", "\N{RIGHT SINGLE QUOTATION MARK}"]
)
def test_latin_greek_cyrillic_draw_glyph_by_glyph(ch):
    assert draws_simply(ch)


@pytest.mark.parametrize("ch", ["王", "م", "א", "क", "ก", "\u0301", "\u200f", "\u200d"])
def test_scripts_that_need_shaping_do_not(ch):
    """Chinese needs another font, Arabic and Hebrew run right to left, Devanagari and Thai
    need shaping, combining marks need positioning, bidi controls and joiners steer it."""
    assert not draws_simply(ch)


def test_a_subset_holds_whole_chunks_and_measures_like_the_font():
    file = font_file(("DejaVu Serif",), 400, "normal")
    if file is None:
        pytest.skip("no DejaVu Serif via fontconfig")
    font = font_for(file, "Nguyễn Thị Hương")
    assert font.covers("Rosa") and font.covers("Trần Quốc")  # ASCII always, and ễ's neighbours
    assert not font.covers("José")  # Latin-1: nobody needed it
    assert font_for(file, "Rosa") is font_for(file, "Delgado")  # one cached subset
    assert font.advance("ii") == 2 * font.advance("i") < font.advance("WW")
    assert re.fullmatch(r"([0-9A-F]{4})+", font.encode("Rosa"))
    assert b"beginbfchar" in font.to_unicode()


def test_qr_path_draws_exactly_segnos_dark_modules():
    text = "https://esp.example.org/verify/ABCDEFGHJKMNPQRS"
    size, path = stamping.qr_path(text, version=None)
    matrix = segno.make(text, error="m", mask=0, micro=False, mode="byte", boost_error=False).matrix
    drawn = [[0] * size for _ in range(size)]
    for line in path.splitlines():
        start, row, _, end, _, _ = line.split()
        for x in range(int(start), int(end)):
            drawn[int(float(row))][x] = 1
    assert size == len(matrix) and drawn == [list(r) for r in matrix]


def test_a_content_stream_not_written_one_operation_a_line_is_not_cut():
    """Literal strings can span lines: such a stream is laid out in full instead."""
    assert stamping._operations(b"BT\n(Hello\nworld) Tj\nET") is None
    assert list(stamping._operations(b"q\n0 0 0 rg\n[<0041>0] TJ\nQ")) == [
        (b"q", b"", b"q"),
        (b"0 0 0 rg", b"0 0 0", b"rg"),
        (b"[<0041>0] TJ", b"[<0041>0]", b"TJ"),
        (b"Q", b"", b"Q"),
    ]
