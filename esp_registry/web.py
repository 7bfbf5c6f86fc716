"""Small request and display helpers shared by every domain area's routes and templates."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo

from babel.dates import format_date, format_time
from babel.numbers import format_decimal
from flask import request
from flask_babel import get_locale, ngettext


def is_htmx() -> bool:
    """True when htmx asked, so the route answers with a fragment rather than a page."""
    return request.headers.get("HX-Request") == "true"


def page_language() -> str:
    """The <html lang> of a page, PDF or e-mail: the language its text is written in."""
    locale = get_locale()
    return locale.language if locale is not None else "en"


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
