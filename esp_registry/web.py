"""Small request and display helpers shared by every domain area's routes and templates."""

from __future__ import annotations

import unicodedata
from collections.abc import Iterable
from datetime import datetime
from decimal import Decimal
from typing import Any
from urllib.parse import urlencode, urlsplit
from zoneinfo import ZoneInfo

from babel.dates import format_date, format_time
from babel.numbers import format_decimal
from flask import request
from flask_babel import get_locale, ngettext
from flask_babel import gettext as _

from esp_registry.reference_data import names_people


def is_htmx() -> bool:
    """True when htmx asked, so the route answers with a fragment rather than a page."""
    return request.headers.get("HX-Request") == "true"


def page_language() -> str:
    """The <html lang> of a page, PDF or e-mail: the language its text is written in."""
    locale = get_locale()
    return locale.language if locale is not None else "en"


def translated(item: Any) -> str:
    """A reference name (job family, program, affiliate) in the reader's language: its
    Spanish name on a Spanish page when an admin gave one, else the English name."""
    if item is None:
        return ""
    if page_language() == "es" and getattr(item, "name_es", ""):
        return str(item.name_es)
    return str(item.name)


def by_translated_name(items: Iterable[Any]) -> list[Any]:
    """Reference rows in the order of the names the reader sees (accents ignored), so a
    Spanish list is alphabetical in Spanish."""

    def key(item: Any) -> str:
        spelled = unicodedata.normalize("NFKD", translated(item).casefold())
        return "".join(char for char in spelled if not unicodedata.combining(char))

    return sorted(items, key=key)


def getting_educated_title(family: Any) -> str:
    """The title of a job family's catalog page: "Getting Educated: Food Services
    Professionals", but "Getting Educated: Paraeducators" (the name already names them)."""
    name = translated(family)
    if names_people(family.name):
        return _("Getting Educated: %(people)s", people=name)
    return _("Getting Educated: %(family)s Professionals", family=name)


def host_name(offering: Any) -> str:
    """Who hosts an offering, as members read it: "National" or the affiliate's name."""
    if offering.host_affiliate is None:
        return _("National")
    return translated(offering.host_affiliate)


def url_in_language(language: str) -> str:
    """This page's address with `lang` set and every other query argument kept, so
    switching language keeps the filters a person chose (the switch near the top)."""
    # Empty filters ("q=") say nothing: left out, so the address stays short.
    args = [(k, v) for k, v in request.args.items(multi=True) if k != "lang" and v != ""]
    return f"{request.path}?{urlencode([*args, ('lang', language)])}"


def safe_next(target: str | None, default: str) -> str:
    """Only a path on this site, judged as the browser will read it, so a crafted link
    cannot send someone elsewhere; anything else gives `default`. Browsers drop tabs and
    line breaks and read a backslash as a slash (`/<tab>/evil` is `//evil`), so those are
    refused, as is anything urlsplit sees a scheme or a host in."""
    if not target or len(target) > 2000 or "\\" in target or target.startswith("//"):
        return default
    if any(ord(char) < 0x20 or ord(char) == 0x7F for char in target):
        return default
    parts = urlsplit(target)
    if parts.scheme or parts.netloc or not parts.path.startswith("/"):
        return default
    if parts.path.startswith("//"):
        return default
    return target


def _zone(tz: str | ZoneInfo | None) -> ZoneInfo:
    if isinstance(tz, ZoneInfo):
        return tz
    return ZoneInfo(tz or "UTC")


def local_datetime(value: datetime | None, tz: str | ZoneInfo | None = None) -> str:
    """A UTC instant shown in the offering's time zone, e.g. 'Mar 9, 2027, 9:00 AM EST'."""
    if value is None:
        return ""
    zone = _zone(tz)
    local = value.astimezone(zone)
    when = format_date(local, "medium", locale=get_locale())
    clock = format_time(value, "short", tzinfo=zone, locale=get_locale())
    return f"{when}, {clock} {local.strftime('%Z')}"


def local_date(value: datetime | None, tz: str | ZoneInfo | None = None) -> str:
    if value is None:
        return ""
    return format_date(value.astimezone(_zone(tz)), "full", locale=get_locale())


def local_time(value: datetime | None, tz: str | ZoneInfo | None = None) -> str:
    if value is None:
        return ""
    return format_time(value, "short", tzinfo=_zone(tz), locale=get_locale())


def hours(value: Decimal | float | int | None) -> str:
    """Contact hours without noise: 6, 2.5, 1.25."""
    if value is None:
        return ""
    return format_decimal(Decimal(value).normalize(), format="#,##0.##", locale=get_locale())


def number(value: int) -> str:
    """A count as the reader writes it: 2,000 or 2.000."""
    return format_decimal(value, locale=get_locale())


def hours_count(value: Decimal | float | int | None) -> int:
    """The count ngettext picks "hour" or "hours" by. gettext counts whole numbers; a
    fraction reads as plural in English and Spanish (0.5 hours, 1.5 hours)."""
    number = Decimal(value or 0)
    whole = number.to_integral_value()
    return int(whole) if number == whole else 2


def hours_text(value: Decimal | float | int | None) -> str:
    """Hours with their unit: 1 hour, 1.5 hours, 6 hours."""
    return ngettext("%(hours)s hour", "%(hours)s hours", hours_count(value), hours=hours(value))
