"""An .ics file per offering, one event per session (icalendar)."""

from __future__ import annotations

from flask import Response, current_app
from icalendar import Calendar, Event

from esp_registry.catalog.models import Offering
from esp_registry.columns import utcnow
from esp_registry.notifications.outbox import public_url


def offering_calendar(offering: Offering) -> bytes:
    calendar = Calendar()
    calendar.add("prodid", "-//ESP Registry//EN")
    calendar.add("version", "2.0")
    calendar.add("method", "PUBLISH")
    page = public_url("catalog.offering", offering_id=offering.id)
    host = current_app.config["PUBLIC_BASE_URL"].split("://", 1)[-1].split("/", 1)[0]
    for session in offering.sessions:
        event = Event()
        event.add("uid", f"session-{session.id}@{host}")
        event.add("dtstamp", utcnow())
        event.add("dtstart", session.starts_at)
        event.add("dtend", session.ends_at)
        event.add("summary", f"{offering.title}: {session.title}")
        event.add("location", offering.venue or offering.online_url)
        event.add("description", f"{offering.program.name}\n{page}")
        event.add("url", page)
        calendar.add_component(event)
    return calendar.to_ical()


def ics_response(offering: Offering) -> Response:
    return Response(
        offering_calendar(offering),
        mimetype="text/calendar",
        headers={"Content-Disposition": f'attachment; filename="training-{offering.id}.ics"'},
    )
