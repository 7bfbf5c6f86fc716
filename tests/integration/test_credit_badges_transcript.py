"""Transcripts as Open Badges 3.0 credentials, and badges baked into PNG images.

A transcript's badge names its code (the PDF's): only the member downloads it, it names no
status list (a transcript code cannot be revoked), and /badges/verify accepts it. Every
badge also comes as a PNG with the JWT in an iTXt chunk; unbaking the PNG and the SVG
gives back the same JWT."""

from __future__ import annotations

import io
import zlib

import sqlalchemy as sa
from PIL import Image

from esp_registry.badges import credential as cred
from esp_registry.badges.baking import PNG_KEYWORD, unbake, unbake_png
from esp_registry.certificates.models import TranscriptCode
from esp_registry.extensions import db
from tests import factories
from tests.integration.test_credit_badges import check, download
from tests.integration.test_transcript import history
from tests.unit.test_credit_badges import independent_check


def codes() -> list[TranscriptCode]:
    return list(db.session.scalars(sa.select(TranscriptCode).order_by(TranscriptCode.id)))


def transcript_badge(client, kind: str = "json"):  # type: ignore[no-untyped-def]
    """The member's current transcript badge, through the transcript page's link."""
    page = client.get("/transcript").get_data(as_text=True)
    assert f'href="/badges/transcript.{kind}" download' in page
    current = client.get(f"/badges/transcript.{kind}")
    assert current.status_code == 302
    response = client.get(current.headers["Location"])
    assert response.status_code == 200
    assert f'filename="badge-{codes()[-1].code}.{kind}"' in response.headers["Content-Disposition"]
    return response


def test_a_transcript_is_a_badge_with_its_code_and_total_hours(client, actions):
    history()
    actions.sign_in("rosa@example.org")
    badge = transcript_badge(client).get_json()
    [code] = codes()  # the same code the PDF gets
    pdf = client.get("/transcript.pdf")
    assert pdf.status_code == 200 and codes() == [code]

    credential = badge["credential"]
    assert credential["id"] == f"http://verify.test/badges/credentials/{code.code}"
    assert credential["name"] == "Transcript of professional development"
    assert "credentialStatus" not in credential and "validUntil" not in credential
    subject = credential["credentialSubject"]
    assert subject["creditsEarned"] == 12.5
    achievement = subject["achievement"]
    assert achievement["id"] == "http://verify.test/badges/achievements/transcript"
    assert achievement["achievementType"] == "ext:Transcript"
    assert achievement["creditsAvailable"] == 12.5
    assert "Completed 3 trainings" in achievement["criteria"]["narrative"]
    assert credential["evidence"][0]["id"] == f"http://verify.test/verify/{code.code}"
    assert credential["validFrom"] == cred.iso_time(code.issued_at)
    (identity,) = subject["identifier"]
    assert identity["identityHash"] == cred.identity_hash("rosa@example.org", identity["salt"])
    # Signed by the published key, checked without joserfc.
    jwks = client.get("/badges/jwks.json").get_json()
    assert independent_check(badge["jwt"], jwks)["payload"]["jti"] == credential["id"]
    # Its evidence is the transcript code's public page.
    assert "valid transcript" in client.get(f"/verify/{code.code}").get_data(as_text=True)

    page = check(client, badge["jwt"])
    assert "This badge is genuine and valid." in page and "Failed:" not in page
    assert "It names no status list" in page
    assert "Transcript of professional development" in page


def test_only_the_member_downloads_their_transcripts_badge(client, actions):
    history()
    actions.sign_in("rosa@example.org")
    transcript_badge(client)
    [code] = codes()
    url = f"/badges/transcripts/{code.id}.json"
    actions.sign_out()
    assert "/signin" in client.get(url).headers["Location"]
    assert "/signin" in client.get("/badges/transcript.json").headers["Location"]
    actions.sign_in("other@example.org")  # has a transcript of their own
    for kind in ("json", "svg", "png"):
        assert client.get(f"/badges/transcripts/{code.id}.{kind}").status_code == 404
    assert client.get(f"/badges/transcripts/{code.id + 1000}.json").status_code == 404
    assert client.get(f"/badges/transcripts/{code.id}.exe").status_code == 404
    actions.sign_out()
    factories.person("new@example.org")
    actions.sign_in("new@example.org")
    assert client.get("/badges/transcript.json").status_code == 404  # nothing completed yet
    assert len(codes()) == 1


def test_a_transcript_badge_image_verifies(client, actions):
    history()
    actions.sign_in("rosa@example.org")
    jwt = transcript_badge(client).get_json()["jwt"]
    svg = transcript_badge(client, "svg")
    png = transcript_badge(client, "png")
    assert len(codes()) == 1  # the same content keeps its code
    assert unbake(svg.get_data(as_text=True)) == unbake_png(png.data) == jwt
    assert "genuine and valid" in check(client, upload=png.data)


def test_baked_png_and_svg_give_back_the_same_credential(client, actions):
    registration, badge = download(client, actions)
    assert "Badge image (PNG)" in client.get("/my-trainings").get_data(as_text=True)
    png = client.get(f"/badges/registrations/{registration.id}.png")
    assert png.mimetype == "image/png" and "attachment" in png.headers["Content-Disposition"]
    svg = client.get(f"/badges/registrations/{registration.id}.svg")
    assert unbake_png(png.data) == unbake(svg.get_data(as_text=True)) == badge["jwt"]
    # Pillow reads the chunk as OB 3.0 says it is: iTXt, keyword openbadgecredential.
    with Image.open(io.BytesIO(png.data)) as image:
        image.load()
        assert image.size == (256, 256)
        assert image.text == {"openbadgecredential": badge["jwt"]}
    assert b"iTXt" + PNG_KEYWORD + b"\x00\x00\x00" in png.data  # not compressed
    page = check(client, upload=png.data)
    assert "This badge is genuine and valid." in page and "Failed:" not in page
    assert "genuine and valid" in check(client, upload=svg.data)


def itxt(text: bytes) -> bytes:
    body = PNG_KEYWORD + b"\x00\x00\x00\x00\x00" + text
    return (
        len(body).to_bytes(4, "big")
        + b"iTXt"
        + body
        + zlib.crc32(b"iTXt" + body).to_bytes(4, "big")
    )


def test_a_forged_or_empty_png_is_refused(client, actions):
    registration, badge = download(client, actions)
    png = client.get(f"/badges/registrations/{registration.id}.png").data
    # The credential in the chunk changed (and its CRC fixed up): the signature fails.
    header, payload, signature = badge["jwt"].split(".")
    forged_jwt = f"{header}.{payload[:-4]}AAAA.{signature}".encode()
    start = png.index(b"iTXt") - 4
    length = int.from_bytes(png[start : start + 4], "big")
    forged = png[:start] + itxt(forged_jwt) + png[start + 12 + length :]
    assert unbake_png(forged) == forged_jwt.decode()
    page = check(client, upload=forged)
    assert "does not match the registry&#39;s published key" in page and "genuine" not in page
    # A changed byte without a fixed CRC: the file is not read at all.
    broken = png[: start + 20] + b"X" + png[start + 21 :]
    assert unbake_png(broken) is None
    assert "Found no signed credential" in check(client, upload=broken)
    # A plain PNG with nothing baked in.
    plain = io.BytesIO()
    Image.new("RGB", (4, 4)).save(plain, format="PNG")
    assert "Found no signed credential" in check(client, upload=plain.getvalue())
    # Two credential chunks: refused, as OB 3.0 allows only one.
    doubled = png[:start] + itxt(badge["jwt"].encode()) + png[start:]
    assert unbake_png(doubled) is None
