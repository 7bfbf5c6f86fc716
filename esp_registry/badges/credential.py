"""A certificate (attendance or mentoring) as an Open Badges 3.0 OpenBadgeCredential,
signed as a VC-JWT.

The credential is built by `build_credential` from plain facts (unit tested without a
database); `sign` wraps it in a compact JWS (EdDSA, Ed25519) whose header is
{alg: EdDSA, kid, typ: JWT} and whose payload is the credential itself (VC-JOSE-COSE),
with the JWT claims OB 3.0's "JSON Web Token Proof Format" asks for alongside it
(iss = issuer id, jti = credential id, nbf = validFrom, exp = validUntil)."""

from __future__ import annotations

import hashlib
import hmac
import json
from dataclasses import dataclass
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

from joserfc import jws
from joserfc.jwk import OKPKey

VC_CONTEXT = "https://www.w3.org/ns/credentials/v2"
OB_CONTEXT = "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json"
# OB 3.0 § "JSON Web Token Proof Format", JOSE header table: `typ` is optional and "If
# present, MUST be set to "JWT"" (VC-JOSE-COSE's "vc+jwt" is a different, later media type
# that OB 3.0 does not name; 1EdTech's verifiers follow OB 3.0). No other header is allowed
# there besides alg, kid (or jwk) and typ.
JWT_TYPE = "JWT"
# OB 3.0's AchievementType vocabulary has no transcript; it is extended by the "ext:" naming
# convention it defines.
TRANSCRIPT_TYPE = "ext:Transcript"


@dataclass(frozen=True)
class BadgeFacts:
    """What one certificate (or transcript) says, and where the registry publishes things."""

    base_url: str  # PUBLIC_BASE_URL, no trailing slash
    code: str  # the certificate's verification code
    achievement_path: str  # e.g. "offering/7", "mentoring/mentor": the achievement's id
    title: str  # the training
    program: str  # its program
    description: str
    narrative: str  # the criteria: what the holder did to earn it
    hours: Decimal
    issued_at: datetime
    email: str  # the recipient's address, only ever published hashed
    salt: str
    issuer_name: str
    verification_url: str
    status_index: int | None = None  # its bit in the revocation status list
    # When a required program's certificate stops counting (credit.required): the moment
    # after its last valid day; None for a certificate that does not expire.
    valid_until: datetime | None = None
    achievement_type: str = "CertificateOfCompletion"  # OB 3.0's vocabulary ("MicroCredential")


def issuer_id(base_url: str) -> str:
    return f"{base_url}/badges/issuer"


def credential_id(base_url: str, code: str) -> str:
    return f"{base_url}/badges/credentials/{code}"


def code_from_credential_id(base_url: str, value: object) -> str | None:
    """The certificate code a credential id of this registry names, else None."""
    prefix = credential_id(base_url, "")
    if not isinstance(value, str) or not value.startswith(prefix):
        return None
    code = value.removeprefix(prefix)
    return code if code.isalnum() and len(code) <= 40 else None


def salt_for(secret: str, code: str) -> str:
    """A salt per credential, derived from the app secret and the certificate code, so the
    same badge downloaded twice carries the same hash and nobody can guess the e-mail."""
    digest = hmac.new(secret.encode(), b"badge-salt:" + code.encode(), hashlib.sha256)
    return digest.hexdigest()[:32]


def identity_hash(email: str, salt: str) -> str:
    """OB 3.0 IdentityObject hash: "sha256$" + hex sha256 of the address followed by salt."""
    return "sha256$" + hashlib.sha256((email.strip().lower() + salt).encode()).hexdigest()


def iso_time(moment: datetime) -> str:
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment.astimezone(UTC).replace(microsecond=0).isoformat().replace("+00:00", "Z")


def issuer_profile(base_url: str, name: str) -> dict[str, Any]:
    """The issuer's OB 3.0 Profile, as published at /badges/issuer."""
    return {
        "@context": [VC_CONTEXT, OB_CONTEXT],
        "id": issuer_id(base_url),
        "type": ["Profile"],
        "name": name,
        "url": base_url + "/",
    }


def build_credential(facts: BadgeFacts) -> dict[str, Any]:
    hours = float(facts.hours)
    base = facts.base_url
    built: dict[str, Any] = {
        "@context": [VC_CONTEXT, OB_CONTEXT],
        "id": credential_id(base, facts.code),
        "type": ["VerifiableCredential", "OpenBadgeCredential"],
        "issuer": {"id": issuer_id(base), "type": ["Profile"], "name": facts.issuer_name},
        "name": facts.title,
        "validFrom": iso_time(facts.issued_at),
        "credentialSubject": {
            "type": ["AchievementSubject"],
            "identifier": [
                {
                    "type": "IdentityObject",
                    "identityHash": identity_hash(facts.email, facts.salt),
                    "identityType": "emailAddress",
                    "hashed": True,
                    "salt": facts.salt,
                }
            ],
            "creditsEarned": hours,
            "achievement": {
                "id": f"{base}/badges/achievements/{facts.achievement_path}",
                "type": ["Achievement"],
                "achievementType": facts.achievement_type,
                "name": facts.title,
                "description": facts.description or facts.program,
                "criteria": {"narrative": facts.narrative},
                "image": {"id": f"{base}/badges/image.svg", "type": "Image"},
                "creditsAvailable": hours,
                "fieldOfStudy": facts.program,
            },
        },
        "evidence": [
            {
                "id": facts.verification_url,
                "type": ["Evidence"],
                "name": "Certificate verification page",
            }
        ],
    }
    if facts.valid_until is not None:
        built["validUntil"] = iso_time(facts.valid_until)
    if facts.status_index is not None:
        from esp_registry.badges.status import entry

        built["credentialStatus"] = entry(base, facts.status_index)
    return built


def sign(credential: dict[str, Any], key: OKPKey, kid: str) -> str:
    """A credential (a badge, or the status list) as a compact VC-JWT signed with EdDSA."""
    claims = dict(credential)
    issuer = credential["issuer"]
    valid_from = datetime.fromisoformat(credential["validFrom"].replace("Z", "+00:00"))
    claims.update(
        {
            "iss": issuer["id"] if isinstance(issuer, dict) else issuer,
            "jti": credential["id"],
            "nbf": int(valid_from.timestamp()),
        }
    )
    if "validUntil" in credential:
        valid_until = datetime.fromisoformat(credential["validUntil"].replace("Z", "+00:00"))
        claims["exp"] = int(valid_until.timestamp())
    header = {"alg": "EdDSA", "kid": kid, "typ": JWT_TYPE}
    payload = json.dumps(claims, separators=(",", ":"), sort_keys=True).encode()
    return jws.serialize_compact(header, payload, key, algorithms=["EdDSA"])
