"""Checking a pasted or uploaded credential: each check is one line, passed or failed.

The signature is checked against the published key set (the same one /badges/jwks.json
serves), the dates against now, and the certificate against the registry's own record
(revoked or not). Nothing here trusts the readable copy of a download: only the signed
payload is read."""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from flask_babel import gettext as _
from joserfc import jws
from joserfc.errors import JoseError
from joserfc.jwk import KeySet

from esp_registry.badges.credential import JWT_TYPE

COMPACT = re.compile(r"^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+$")
MAX_TEXT = 1024 * 1024  # an uploaded file (room for a baked badge image)
MAX_PASTE = 100_000  # pasted text: a badge's JWT is a few kilobytes


@dataclass(frozen=True)
class Check:
    ok: bool
    message: str


@dataclass
class Verification:
    checks: list[Check] = field(default_factory=list)
    credential: dict[str, Any] | None = None

    @property
    def ok(self) -> bool:
        return bool(self.checks) and all(check.ok for check in self.checks)

    def add(self, ok: bool, message: str) -> bool:
        self.checks.append(Check(ok, message))
        return ok


def find_jwt(text: str) -> str | None:
    """The compact JWT in what was given: the JWT itself, a badge download's JSON
    ({"jwt": …}), or an SVG baked per OB 3.0 (<openbadges:credential> holding it)."""
    text = text.strip()
    if COMPACT.match(text):
        return text
    if text.startswith("{"):
        try:
            data = json.loads(text)
        except ValueError:
            return None
        value = data.get("jwt") if isinstance(data, dict) else None
        return value if isinstance(value, str) and COMPACT.match(value.strip()) else None
    return None


def _parse_time(value: object) -> datetime | None:
    if not isinstance(value, str):
        return None
    try:
        moment = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return None
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def verify(
    text: str,
    key_set: dict[str, Any],
    issuer: str,
    now: datetime,
    revoked: Any,
) -> Verification:
    """Check a credential. `revoked(credential)` answers from the registry's record: None
    when the credential names no certificate of ours, else (revoked?, when)."""
    result = Verification()
    token = find_jwt(text)
    if not result.add(
        token is not None,
        _("Read a signed credential (a VC-JWT).")
        if token
        else _("Found no signed credential: paste the JWT or the downloaded .json file."),
    ):
        return result
    assert token is not None
    try:
        keys = KeySet.import_key_set(key_set)  # type: ignore[arg-type]
        signed = jws.deserialize_compact(token, keys, algorithms=["EdDSA"])
    except (JoseError, ValueError, TypeError, KeyError):
        result.add(False, _("The signature does not match the registry's published key."))
        return result
    header = signed.headers()
    if not result.add(
        header.get("typ") == JWT_TYPE,
        _("Signed with the registry's published key (EdDSA).")
        if header.get("typ") == JWT_TYPE
        else _("The signature is right but it is not a vc+jwt credential."),
    ):
        return result
    try:
        credential = json.loads(signed.payload)
    except ValueError:
        credential = None
    shape_ok = (
        isinstance(credential, dict)
        and "OpenBadgeCredential" in (credential.get("type") or [])
        and isinstance(credential.get("issuer"), dict)
        and credential["issuer"].get("id") == issuer
    )
    if not result.add(
        shape_ok,
        _("It is an Open Badges 3.0 credential issued by this registry.")
        if shape_ok
        else _("It is not an Open Badges credential issued by this registry."),
    ):
        return result
    assert isinstance(credential, dict)
    result.credential = credential
    valid_from = _parse_time(credential.get("validFrom"))
    if valid_from is None or valid_from > now:
        result.add(False, _("It is not valid yet, or has no valid start date."))
    else:
        result.add(True, _("Valid from %(date)s.", date=valid_from.date().isoformat()))
    if "validUntil" in credential:
        valid_until = _parse_time(credential.get("validUntil"))
        if valid_until is None or valid_until <= now:
            result.add(False, _("It has expired."))
        else:
            result.add(True, _("Valid until %(date)s.", date=valid_until.date().isoformat()))
    else:
        result.add(True, _("It has no end date."))
    record = revoked(credential)
    if record is None:
        result.add(False, _("The registry has no record of this certificate."))
    elif record[0]:
        result.add(
            False,
            _("The registry revoked this certificate on %(date)s.", date=record[1].date()),
        )
    else:
        result.add(True, _("The registry's record shows the certificate is not revoked."))
    return result
