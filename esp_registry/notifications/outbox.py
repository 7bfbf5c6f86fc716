"""Writing e-mails to the outbox. Sending is the worker's job (notifications.delivery)."""

from __future__ import annotations

import re
import unicodedata
from typing import Any

from flask import current_app, render_template
from flask_babel import force_locale
from markupsafe import Markup, escape

from esp_registry.accounts.models import User
from esp_registry.extensions import db
from esp_registry.notifications.models import OutboxMessage
from esp_registry.registrations.models import Registration

URL_RE = re.compile(r"(https?://[^\s<]+)")
ELLIPSIS = "\u2026"
ZWJ = "\u200d"
JOINERS = {ZWJ, "\ufe0e", "\ufe0f"}  # zero-width joiner, text and emoji variation selectors


def _column_length(column: str) -> int:
    length: int = OutboxMessage.__table__.c[column].type.length
    return length


def _clean_char(c: str) -> str:
    category = unicodedata.category(c)
    if category == "Cc":  # NUL, which PostgreSQL refuses; CR/LF, which would break a header
        return " "
    return "\ufffd" if category == "Cs" else c  # a lone surrogate cannot be encoded


def _joins_previous(text: str, i: int) -> bool:
    """Whether text[i] is part of the character before it (an accent, a joined emoji)."""
    return bool(unicodedata.combining(text[i])) or text[i] in JOINERS or text[i - 1] == ZWJ


def fit_column(text: str, column: str) -> str:
    """`text` as one line that fits the outbox column: a text too long is cut between
    words if a space is near, never inside a character made of several code points, and
    ends in an ellipsis. Lengths count characters, as PostgreSQL's varchar(n) does."""
    limit = _column_length(column)
    text = " ".join("".join(_clean_char(c) for c in text).split())
    if len(text) <= limit:
        return text
    end = limit - len(ELLIPSIS)
    while end > 0 and _joins_previous(text, end):
        end -= 1
    space = text.rfind(" ", 0, end + 1)
    if space > end - 20:
        end = space
    return text[:end].rstrip(" ,;:-") + ELLIPSIS


def public_url(endpoint: str, **values: Any) -> str:
    """An absolute link for e-mails and PDFs, also outside a request (the worker)."""
    base = current_app.config["PUBLIC_BASE_URL"]
    scheme, _, rest = base.partition("://")
    host, _, script = rest.partition("/")
    adapter = current_app.url_map.bind(host, script_name="/" + script, url_scheme=scheme)
    return adapter.build(endpoint, values, force_external=True)


def _paragraphs_html(text: str) -> Markup:
    """The plain-text body as HTML paragraphs, with its links made clickable."""
    parts = []
    for block in re.split(r"\n\s*\n", text.strip()):
        escaped = str(escape(block)).replace("\n", "<br>\n")
        parts.append("<p>" + URL_RE.sub(r'<a href="\1">\1</a>', escaped) + "</p>")
    return Markup("\n".join(parts))


# The only mail an address gets before its owner has shown it is theirs.
BEFORE_CONFIRMATION = {"confirm_email", "password_reset"}


def queue_email(
    user: User,
    kind: str,
    *,
    registration: Registration | None = None,
    to_email: str | None = None,
    **context: Any,
) -> OutboxMessage | None:
    """Write one e-mail to the outbox in the caller's transaction (the caller commits),
    in the recipient's preferred language, whoever's request triggered it (PRODUCT §12).
    An address not yet confirmed gets only its confirmation (None is returned otherwise).

    `kind` names `templates/emails/<kind>.txt`, which sets `subject` and writes the body;
    `to_email` sends it elsewhere than the account's address (a new or an old one).
    """
    if user.email_confirmed_at is None and kind not in BEFORE_CONFIRMATION:
        return None
    with force_locale(user.preferred_language or "en"):
        return _write(user, kind, registration, to_email or user.email, context)


def _write(
    user: User,
    kind: str,
    registration: Registration | None,
    to_email: str,
    context: dict[str, Any],
) -> OutboxMessage:
    values = {"user": user, "registration": registration, "public_url": public_url, **context}
    template = current_app.jinja_env.get_template(f"emails/{kind}.txt")
    module = template.make_module(values)
    subject = fit_column(str(getattr(module, "subject", "")), "subject")
    text = str(module).strip() + "\n"
    html = render_template("emails/_layout.html", subject=subject, body=_paragraphs_html(text))
    message = OutboxMessage(
        kind=kind,
        to_email=to_email,
        to_name=fit_column(user.full_name, "to_name"),
        subject=subject,
        body_text=text,
        body_html=html,
        user_id=user.id,
        registration_id=registration.id if registration is not None else None,
    )
    db.session.add(message)
    return message
