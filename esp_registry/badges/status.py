"""Revocation published as a W3C Bitstring Status List (v1.0): one list for the registry,
each badge's index is its certificate's id, and a revoked certificate's bit is 1.

The list is a credential of its own at a stable URL (/badges/status/revocation), signed as
a VC-JWT with the same key; its `encodedList` is the GZIP-compressed bitstring in base64url
without padding, multibase-prefixed "u". Bit 0 is the first byte's most significant bit."""

from __future__ import annotations

import base64
import gzip
import io
from collections.abc import Iterable
from datetime import datetime
from typing import Any

from esp_registry.badges.credential import VC_CONTEXT, iso_time, issuer_id

MIN_BITS = 131_072  # 16 KB: the spec's minimum, so a list says little about who is on it
ENTRY_TYPE = "BitstringStatusListEntry"
PURPOSE = "revocation"
MAX_DECODED = 16 * 1024 * 1024  # what a verifier inflates at most (a zip bomb is refused)


def list_url(base_url: str) -> str:
    return f"{base_url}/badges/status/{PURPOSE}"


def entry(base_url: str, index: int) -> dict[str, Any]:
    """A badge's credentialStatus."""
    url = list_url(base_url)
    return {
        "id": f"{url}#{index}",
        "type": ENTRY_TYPE,
        "statusPurpose": PURPOSE,
        "statusListIndex": str(index),
        "statusListCredential": url,
    }


def size_for(highest: int) -> int:
    """Bits in the list: the minimum, grown in whole minimums to hold the highest index."""
    return max(MIN_BITS, (highest // MIN_BITS + 1) * MIN_BITS)


def encode(indexes: Iterable[int], size: int) -> str:
    bits = bytearray(size // 8)
    for index in indexes:
        if 0 <= index < size:
            bits[index // 8] |= 0x80 >> (index % 8)
    packed = gzip.compress(bytes(bits), mtime=0)
    return "u" + base64.urlsafe_b64encode(packed).rstrip(b"=").decode("ascii")


def decode(encoded: str) -> bytes:
    """The bitstring of an encodedList; ValueError when it is not one."""
    if not isinstance(encoded, str) or not encoded.startswith("u"):
        raise ValueError("not a multibase base64url list")
    packed = base64.urlsafe_b64decode(encoded[1:] + "=" * (-len(encoded[1:]) % 4))
    with gzip.GzipFile(fileobj=io.BytesIO(packed)) as stream:
        bits = stream.read(MAX_DECODED + 1)
    if len(bits) > MAX_DECODED:
        raise ValueError("status list too large")
    return bits


def is_set(bits: bytes, index: int) -> bool:
    if not 0 <= index < len(bits) * 8:
        raise ValueError("index outside the list")
    return bool(bits[index // 8] & (0x80 >> (index % 8)))


def list_credential(
    base_url: str, revoked: Iterable[int], highest: int, now: datetime
) -> dict[str, Any]:
    """The BitstringStatusListCredential with these indexes set."""
    url = list_url(base_url)
    return {
        "@context": [VC_CONTEXT],
        "id": url,
        "type": ["VerifiableCredential", "BitstringStatusListCredential"],
        "issuer": issuer_id(base_url),
        "validFrom": iso_time(now),
        "credentialSubject": {
            "id": f"{url}#list",
            "type": "BitstringStatusList",
            "statusPurpose": PURPOSE,
            "encodedList": encode(revoked, size_for(highest)),
        },
    }
