"""The issuer's Ed25519 signing key (joserfc), from BADGE_SIGNING_KEY as PEM or JWK."""

from __future__ import annotations

import json
import warnings
from typing import Any

from flask import current_app
from joserfc.jwk import OKPKey

# OB 3.0 and VC-JOSE-COSE name the algorithm "EdDSA"; joserfc warns that RFC 9864 prefers
# the fully specified "Ed25519". Verifiers in the field expect "EdDSA", so we keep it.
warnings.filterwarnings("ignore", message="EdDSA is deprecated", module=r"joserfc\.")


def generate_pem() -> str:
    """A new Ed25519 private key as PKCS#8 PEM (what instance/badge_signing_key.pem holds)."""
    key = OKPKey.generate_key("Ed25519", private=True)
    return key.as_pem(private=True).decode("ascii")


def load_key(text: str) -> OKPKey:
    """The private key from a PEM or a JWK (JSON); anything else is a configuration error."""
    text = text.strip()
    if text.startswith("{"):
        key = OKPKey.import_key(json.loads(text))
    else:
        key = OKPKey.import_key(text.encode("ascii"))
    if key.curve_name != "Ed25519" or not key.is_private:
        raise ValueError("BADGE_SIGNING_KEY must be an Ed25519 private key (PEM or JWK)")
    return key


def signing_key() -> OKPKey:
    """The configured key, parsed once per app and kept on its extensions."""
    app = current_app._get_current_object()  # type: ignore[attr-defined]
    cached = app.extensions.get("badge_signing_key")
    if cached is None:
        cached = load_key(app.config["BADGE_SIGNING_KEY"])
        app.extensions["badge_signing_key"] = cached
    return cached


def key_id(key: OKPKey, base_url: str) -> str:
    """`kid`: a URI that dereferences to the key (OB 3.0 asks for one), the published key
    set with the key's RFC 7638 thumbprint as fragment: stable for as long as the key is."""
    return f"{base_url}/badges/jwks.json#{key.thumbprint()}"


def public_jwks(key: OKPKey, base_url: str) -> dict[str, Any]:
    """The published key set: the public half only, with its kid, use and algorithm."""
    public = key.as_dict(private=False)
    public.update({"kid": key_id(key, base_url), "use": "sig", "alg": "EdDSA"})
    return {"keys": [public]}
