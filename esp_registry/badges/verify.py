"""Checking a pasted or uploaded credential: each check is one line, passed or failed.

The signature is checked against the published key set (the same one /badges/jwks.json
serves), the dates against now, and the certificate against the registry's own record
(revoked or not). Nothing here trusts the readable copy of a download: only the signed
payload is read."""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

from flask_babel import gettext as _
from joserfc import jws
from joserfc.errors import JoseError
from joserfc.jwk import KeySet

from esp_registry.badges import status
from esp_registry.badges.baking import unbake
from esp_registry.badges.credential import JWT_TYPE

EARLIER_JWT_TYPE = "vc+jwt"

SECOND = timedelta(seconds=1)  # validUntil is the moment after the last valid day
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
    if "<svg" in text[:4096]:
        return unbake(text)
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
    status_list: Any,
) -> Verification:
    """Check a credential. `revoked(credential)` answers from the registry's record: None
    when the credential names no certificate of ours, else (revoked?, when).
    `status_list(url)` gives the signed status list credential at that URL, or None."""
    result = Verification()
    token = find_jwt(text)
    if not result.add(
        token is not None,
        _("Read a signed credential (a VC-JWT).")
        if token
        else _(
            "Found no signed credential: paste the JWT, or choose the downloaded .json file "
            "or badge image."
        ),
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
    # Optional in OB 3.0; if there, "JWT". Badges downloaded before the change to "JWT"
    # said "vc+jwt" (VC-JOSE-COSE's type): they stay good.
    typed = header.get("typ", JWT_TYPE) in (JWT_TYPE, EARLIER_JWT_TYPE)
    if not result.add(
        typed,
        _("Signed with the registry's published key (EdDSA).")
        if typed
        else _("The signature is right but its header does not say it is a JWT."),
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
        if valid_until is None:
            result.add(False, _("It has an end date that cannot be read."))
        elif valid_until <= now:
            result.add(
                False, _("It expired on %(date)s.", date=(valid_until - SECOND).date().isoformat())
            )
        else:
            result.add(
                True, _("Valid until %(date)s.", date=(valid_until - SECOND).date().isoformat())
            )
    else:
        result.add(True, _("It has no end date."))
    _check_status_list(result, credential, keys, status_list)
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


def _status_bit(credential: dict[str, Any], keys: KeySet, status_list: Any) -> bool | None:
    """The credential's revocation bit in the signed status list it names; None when the
    list cannot be had, is not signed by the registry, or does not hold the index."""
    entry = credential.get("credentialStatus")
    if not isinstance(entry, dict):
        return None
    index_text = entry.get("statusListIndex")
    url = entry.get("statusListCredential")
    if not isinstance(index_text, str) or not index_text.isascii() or not index_text.isdigit():
        return None
    token = status_list(url) if isinstance(url, str) else None
    if token is None:
        return None
    try:
        signed = jws.deserialize_compact(token, keys, algorithms=["EdDSA"])
        listed = json.loads(signed.payload)
        subject = listed["credentialSubject"]
        if listed.get("id") != url or subject.get("statusPurpose") != status.PURPOSE:
            return None
        return status.is_set(status.decode(subject["encodedList"]), int(index_text))
    except (JoseError, ValueError, TypeError, KeyError, OSError, EOFError):
        return None


def _check_status_list(
    result: Verification, credential: dict[str, Any], keys: KeySet, status_list: Any
) -> None:
    entry = credential.get("credentialStatus")
    if entry is None:
        result.add(True, _("It names no status list; the registry's record decides."))
        return
    bit = _status_bit(credential, keys, status_list)
    if bit is None:
        result.add(False, _("Could not read its entry in the registry's signed status list."))
    elif bit:
        result.add(False, _("The registry's status list marks it revoked."))
    else:
        result.add(True, _("The registry's signed status list does not mark it revoked."))
