"""Open Badges 3.0: the credential built from a certificate's facts, and its VC-JWT checked
independently of joserfc (cryptography's Ed25519 and a manual base64url split)."""

from __future__ import annotations

import base64
import gzip
import hashlib
import json
import zlib
from datetime import UTC, datetime
from decimal import Decimal

import pytest
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey
from hypothesis import given
from hypothesis import strategies as st

from esp_registry.badges import baking
from esp_registry.badges import credential as cred
from esp_registry.badges.keys import generate_pem, key_id, load_key, public_jwks

FACTS = cred.BadgeFacts(
    base_url="https://registry.test",
    code="ABCD2345EFGH",
    achievement_path="offering/7",
    title="Beat Privatization workshop (Columbus)",
    program="Beat Privatization",
    description="A step-by-step crisis action plan.",
    narrative="Attended it and was credited 4.5 contact hours.",
    hours=Decimal("4.50"),
    issued_at=datetime(2026, 10, 3, 17, 30, 12, 345, tzinfo=UTC),
    email="Rosa@Example.org",
    salt="0123456789abcdef0123456789abcdef",
    issuer_name="ESP Registry",
    verification_url="https://registry.test/verify/ABCD2345EFGH",
)


def b64url(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def independent_check(token: str, jwks: dict) -> dict:
    """Verify a compact JWS with nothing but cryptography and the published key set."""
    header_part, payload_part, signature_part = token.split(".")
    header = json.loads(b64url(header_part))
    (jwk,) = [k for k in jwks["keys"] if k["kid"] == header["kid"]]
    assert jwk["kty"] == "OKP" and jwk["crv"] == "Ed25519" and "d" not in jwk
    public = Ed25519PublicKey.from_public_bytes(b64url(jwk["x"]))
    public.verify(b64url(signature_part), f"{header_part}.{payload_part}".encode())
    return {"header": header, "payload": json.loads(b64url(payload_part))}


def test_credential_has_the_ob3_shape():
    c = cred.build_credential(FACTS)
    assert c["@context"] == [cred.VC_CONTEXT, cred.OB_CONTEXT]
    assert c["type"] == ["VerifiableCredential", "OpenBadgeCredential"]
    assert c["id"] == "https://registry.test/badges/credentials/ABCD2345EFGH"
    assert c["issuer"]["id"] == "https://registry.test/badges/issuer"
    assert c["validFrom"] == "2026-10-03T17:30:12Z"
    subject = c["credentialSubject"]
    assert subject["type"] == ["AchievementSubject"]
    (identity,) = subject["identifier"]
    expected = hashlib.sha256(b"rosa@example.org" + FACTS.salt.encode()).hexdigest()
    assert identity == {
        "type": "IdentityObject",
        "identityHash": "sha256$" + expected,
        "identityType": "emailAddress",
        "hashed": True,
        "salt": FACTS.salt,
    }
    achievement = subject["achievement"]
    assert achievement["type"] == ["Achievement"]
    assert achievement["name"] == FACTS.title
    assert achievement["id"] == "https://registry.test/badges/achievements/offering/7"
    assert achievement["criteria"] == {"narrative": FACTS.narrative}
    assert achievement["image"] == {"id": "https://registry.test/badges/image.svg", "type": "Image"}
    assert achievement["creditsAvailable"] == subject["creditsEarned"] == 4.5
    assert c["evidence"][0]["id"] == FACTS.verification_url
    assert "rosa" not in json.dumps(c).lower()  # the address is only ever hashed


def test_salt_is_per_credential_and_stable():
    assert cred.salt_for("s", "AAAA") == cred.salt_for("s", "AAAA")
    assert cred.salt_for("s", "AAAA") != cred.salt_for("s", "BBBB")
    assert cred.salt_for("s", "AAAA") != cred.salt_for("t", "AAAA")


def test_credential_ids_map_back_to_codes_of_this_registry_only():
    base = FACTS.base_url
    assert cred.code_from_credential_id(base, cred.credential_id(base, "ABC234")) == "ABC234"
    assert cred.code_from_credential_id(base, "https://elsewhere.test/badges/credentials/A") is None
    assert cred.code_from_credential_id(base, cred.credential_id(base, "../x")) is None
    assert cred.code_from_credential_id(base, 42) is None


def test_signed_jwt_verifies_with_another_library_and_refuses_tampering():
    key = load_key(generate_pem())
    kid = key_id(key, FACTS.base_url)
    token = cred.sign(cred.build_credential(FACTS), key, kid)
    checked = independent_check(token, public_jwks(key, FACTS.base_url))
    assert checked["header"] == {"alg": "EdDSA", "kid": kid, "typ": "JWT"}
    assert kid.startswith("https://registry.test/badges/jwks.json#")
    payload = checked["payload"]
    assert payload["jti"] == payload["id"] and payload["iss"] == payload["issuer"]["id"]
    assert payload["nbf"] == int(datetime(2026, 10, 3, 17, 30, 12, tzinfo=UTC).timestamp())

    header_part, _payload_part, signature_part = token.split(".")
    payload["credentialSubject"]["creditsEarned"] = 40
    forged = base64.urlsafe_b64encode(json.dumps(payload).encode()).rstrip(b"=").decode()
    with pytest.raises(InvalidSignature):
        independent_check(
            f"{header_part}.{forged}.{signature_part}", public_jwks(key, FACTS.base_url)
        )


def test_key_from_jwk_is_the_same_key_and_public_set_has_no_secret():
    key = load_key(generate_pem())
    again = load_key(json.dumps(key.as_dict(private=True)))
    assert key_id(again, "x") == key_id(key, "x")
    (published,) = public_jwks(key, "x")["keys"]
    assert "d" not in published and published["alg"] == "EdDSA"
    with pytest.raises(ValueError):
        load_key(json.dumps(key.as_dict(private=False)))


def test_status_list_bits_are_most_significant_first_and_survive_encoding():
    from esp_registry.badges import status

    encoded = status.encode([0, 9, 131_071], status.size_for(5))
    raw = gzip.decompress(b64url(encoded.removeprefix("u")))  # independent of status.decode
    assert len(raw) == 16_384 and raw[0] == 0x80 and raw[1] == 0x40 and raw[-1] == 0x01
    bits = status.decode(encoded)
    assert [i for i in range(16) if status.is_set(bits, i)] == [0, 9]
    assert status.size_for(131_071) == 131_072 and status.size_for(131_072) == 262_144
    with pytest.raises(ValueError):
        status.decode("zzz")


def test_badge_points_at_its_status_list_entry():
    from dataclasses import replace

    c = cred.build_credential(replace(FACTS, status_index=42))
    assert c["credentialStatus"] == {
        "id": "https://registry.test/badges/status/revocation#42",
        "type": "BitstringStatusListEntry",
        "statusPurpose": "revocation",
        "statusListIndex": "42",
        "statusListCredential": "https://registry.test/badges/status/revocation",
    }


def test_baked_svg_gives_back_the_same_jwt():
    from xml.etree import ElementTree

    from esp_registry.badges.baking import NAMESPACE, bake, unbake

    key = load_key(generate_pem())
    token = cred.sign(cred.build_credential(FACTS), key, key_id(key, FACTS.base_url))
    image = '<svg xmlns="http://www.w3.org/2000/svg" width="8"><title>t</title></svg>'
    baked = bake(image, token)
    root = ElementTree.fromstring(baked)  # still a well-formed SVG
    (element,) = root.findall(f"{{{NAMESPACE}}}credential")
    assert element.text == token and root[0] is element  # right after the opening tag
    assert unbake(baked) == token
    assert unbake(image) is None
    with pytest.raises(ValueError):
        bake("<png/>", token)


def test_an_expiring_certificate_has_valid_until_and_exp():
    from dataclasses import replace

    facts = replace(FACTS, valid_until=datetime(2027, 1, 1, tzinfo=UTC))
    c = cred.build_credential(facts)
    assert c["validUntil"] == "2027-01-01T00:00:00Z"
    assert "validUntil" not in cred.build_credential(FACTS)
    key = load_key(generate_pem())
    token = cred.sign(c, key, key_id(key, FACTS.base_url))
    payload = independent_check(token, public_jwks(key, FACTS.base_url))["payload"]
    assert payload["exp"] == int(datetime(2027, 1, 1, tzinfo=UTC).timestamp())


def test_signing_key_from_configuration_else_generated_once_in_instance(tmp_path, monkeypatch):
    from esp_registry.config import badge_signing_key

    monkeypatch.delenv("BADGE_SIGNING_KEY", raising=False)
    first = badge_signing_key(str(tmp_path))
    assert (tmp_path / "badge_signing_key.pem").stat().st_mode & 0o777 == 0o600
    assert badge_signing_key(str(tmp_path)) == first  # kept, not made again
    jwk = json.dumps(load_key(generate_pem()).as_dict(private=True))
    monkeypatch.setenv("BADGE_SIGNING_KEY", jwk)
    assert badge_signing_key(str(tmp_path)) == jwk
    assert key_id(load_key(first), "x") != key_id(load_key(jwk), "x")


def _chunk(kind: bytes, body: bytes) -> bytes:
    crc = zlib.crc32(kind + body).to_bytes(4, "big")
    return len(body).to_bytes(4, "big") + kind + body + crc


def test_baked_png_gives_back_the_same_jwt_and_refuses_what_ob3_forbids():
    token = cred.sign(cred.build_credential(FACTS), load_key(generate_pem()), "k")
    baked = baking.bake_png(baking.badge_png(), token)
    assert baking.unbake_png(baked) == token
    assert baking.unbake_png(baking.badge_png()) is None  # nothing baked in
    with pytest.raises(ValueError):
        baking.bake_png(baking.badge_png(), "not a jwt")
    iend = baked.rindex(b"IEND") - 4
    # A compressed credential chunk (compression flag 1) is not OB 3.0 baking.
    compressed = _chunk(
        b"iTXt", b"openbadgecredential\x00\x01\x00\x00\x00" + zlib.compress(b"a.b.c")
    )
    assert baking.unbake_png(baking.badge_png()[:iend] + compressed + baked[iend:]) is None
    # Truncated before IEND.
    assert baking.unbake_png(baked[:iend]) is None


@given(st.binary(max_size=2048))
def test_unbaking_any_bytes_never_fails(data):
    for candidate in (data, baking.PNG_SIGNATURE + data):
        result = baking.unbake_png(candidate)
        assert result is None or result.count(".") == 2
