"""The sign-in sheet PDF: one page laid out once, each page's rows drawn into copies of it."""

from __future__ import annotations

import io

import pypdf

from esp_registry.attendance import rules, sheet
from esp_registry.extensions import db
from tests.integration.test_attendance import setup_session
from tests.integration.test_attendance_roster import add_members

LONG = "José Probe-Lastname de la Fuente y Montenegro-Villalobos Ñúñez"


def page_texts(data: bytes) -> list[str]:
    reader = pypdf.PdfReader(io.BytesIO(data))
    return [" ".join(page.extract_text().split()) for page in reader.pages]


def laid_out_in_full(*_args: object, **_kwargs: object) -> None:
    raise AssertionError("every page of this sheet can be stamped")


def test_every_page_has_the_heading_and_its_own_rows_in_name_order(client, actions, monkeypatch):
    _, offering, session, _ = setup_session(capacity=None, venue="Union Hall, Columbus")
    names = [f"Zoë Ñandú {i:02}" for i in range(38)] + [LONG, "Nguyễn Thị Minh Khai"]
    add_members(offering, names)
    actions.sign_in("fac@example.org")
    monkeypatch.setattr(sheet, "HTML", laid_out_in_full)  # the long name too: on two lines
    response = client.get(f"/sessions/{session.id}/sign-in-sheet.pdf")
    assert response.status_code == 200 and response.mimetype == "application/pdf"
    pages = page_texts(response.data)
    everyone = sorted([*names, "Pat Member"])  # the sheet's order: by name
    assert len(pages) == 3  # 41 names, 18 rows a page
    for number, text in enumerate(pages, start=1):
        assert text.startswith("Sign-in sheet")
        assert "Beat Privatization workshop" in text and "Day 1" in text
        assert "Union Hall, Columbus" in text and "41 registered" in text
        assert "Signature" in text and f"Page {number} / 3" in text
        # A page holds its 18 rows whole, numbered on from the page before.
        rows = everyone[(number - 1) * 18 : number * 18]
        for index, name in enumerate(rows, start=(number - 1) * 18 + 1):
            assert f"{index} {name}" in text, (number, name)
    # The long name is printed whole, on two lines of its row.
    assert LONG in " ".join(pages)


def test_a_name_the_fonts_cannot_draw_gets_its_page_laid_out_in_full(client, actions):
    _, offering, session, _ = setup_session(capacity=None)
    add_members(offering, [f"Member {i:02}" for i in range(20)] + ["王小明 Wang"])
    actions.sign_in("fac@example.org")
    pages = page_texts(client.get(f"/sessions/{session.id}/sign-in-sheet.pdf").data)
    assert len(pages) == 2 and all("Signature" in text for text in pages)
    assert "19 Member 18" in pages[1] and "Page 2 / 2" in pages[1]
    assert "22 王小明 Wang" in pages[1] or "22 王小明Wang" in pages[1]


def test_the_sheet_is_laid_out_once_and_stamped(ctx):
    """The template stays one page of fields the stamping can fill; otherwise every page
    would be laid out in full (right, but seconds for a conference)."""
    _, offering, session, _ = setup_session(capacity=None)
    add_members(offering, [f"Member {i:03}" for i in range(40)])
    registrations = rules.sign_in_sheet_rows(session)
    pages = sheet.sheet_pages(registrations)
    assert [p.page for p in pages] == ["Page 1 / 3", "Page 2 / 3", "Page 3 / 3"]
    assert pages[2].row(4).name == "Pat Member" and pages[2].row(5) == sheet.BLANK
    with ctx.test_request_context():
        html = sheet.sign_in_sheet_html(session, pages, len(registrations), background=True)
        background = sheet._laid_out(html, ctx.static_folder)
    assert background is not None and background.fields == sheet.FIELDS
    db.session.rollback()


def test_an_empty_session_prints_one_page_saying_so(client, actions):
    _, _, session, registration = setup_session()
    db.session.delete(registration)
    db.session.commit()
    actions.sign_in("fac@example.org")
    pages = page_texts(client.get(f"/sessions/{session.id}/sign-in-sheet.pdf").data)
    assert len(pages) == 1 and "Nobody is registered yet." in pages[0]
