"""What every page carries (issue 17, point 9): a favicon, a meta description, personal
fields that say their purpose (WCAG 1.3.5), and number keypads without `type=number`."""

from __future__ import annotations

import re

from esp_registry.catalog.manage_forms import OfferingForm, SessionForm
from esp_registry.lft.forms import ApplicationForm
from esp_registry.mentoring.forms import LogForm, MentorForm
from esp_registry.reference.forms import ProgramForm
from tests import factories
from tests.integration.test_offering_management import admin


def description(page: str) -> str:
    found = re.search(r'<meta name="description" content="([^"]*)">', page)
    assert found, "no meta description"
    return found.group(1)


def test_favicon_answers_and_every_page_links_it(client):
    icon = client.get("/favicon.ico")
    assert icon.status_code == 200 and icon.mimetype == "image/vnd.microsoft.icon"
    assert icon.data[:4] == b"\x00\x00\x01\x00"  # an ICO file
    svg = client.get("/static/favicon.svg")
    assert svg.status_code == 200 and b"<svg" in svg.data
    page = client.get("/").get_data(as_text=True)
    assert '<link rel="icon" href="/static/favicon.svg" type="image/svg+xml">' in page
    assert '<link rel="icon" href="/favicon.ico" sizes="any">' in page


def test_main_pages_describe_themselves(client):
    workshop = factories.offering("Bus safety")
    catalog = description(client.get("/").get_data(as_text=True))
    assert catalog.startswith("Trainings for Education Support Professionals by job family")
    family = description(client.get("/job-families/food-services").get_data(as_text=True))
    assert family.startswith("Trainings for Food Services")
    offering = description(client.get(f"/offerings/{workshop.id}").get_data(as_text=True))
    assert offering.startswith("Bus safety: dates, place")
    verify = description(client.get("/verify").get_data(as_text=True))
    assert verify.startswith("Check that an ESP Registry certificate is genuine")
    badge = description(client.get("/badges/verify").get_data(as_text=True))
    assert badge.startswith("Check an Open Badges 3.0 credential issued by ESP Registry")
    missing = client.get("/no-such-page")  # a page with no description of its own
    assert missing.status_code == 404
    default = description(missing.get_data(as_text=True))
    assert default.startswith("Professional development for Education Support Professionals")
    spanish = description(client.get("/?lang=es").get_data(as_text=True))
    assert spanish.startswith("Capacitaciones para el personal de apoyo educativo por familia")


def autocomplete_of(page: str) -> dict[str, str]:
    """{input name: its autocomplete} of every input on the page that has one."""
    found = {}
    for tag in re.findall(r"<input[^>]*>", page):
        name = re.search(r'name="([^"]+)"', tag)
        token = re.search(r'autocomplete="([^"]+)"', tag)
        if name and token:
            found[name.group(1)] = token.group(1)
    return found


def test_personal_fields_say_their_purpose(client, actions):
    sign_up = autocomplete_of(client.get("/signup").get_data(as_text=True))
    assert sign_up == {
        "full_name": "name",
        "email": "email",
        "local_name": "organization",
        "job_title": "organization-title",
        "password": "new-password",
        "confirm": "new-password",
    }
    sign_in = autocomplete_of(client.get("/signin").get_data(as_text=True))
    assert sign_in == {"email": "username", "password": "current-password"}
    factories.person("pat@example.org")
    actions.sign_in("pat@example.org")
    account = autocomplete_of(client.get("/account").get_data(as_text=True))
    assert {k: account[k] for k in ("full_name", "email", "local_name", "job_title")} == {
        "full_name": "name",
        "email": "email",
        "local_name": "organization",
        "job_title": "organization-title",
    }
    security = autocomplete_of(client.get("/account/security").get_data(as_text=True))
    assert security["current_password"] == "current-password"
    assert security["new_password"] == security["confirm"] == "new-password"


def test_numbers_are_typed_in_text_inputs_with_a_keypad(ctx):
    with ctx.test_request_context():
        numbers = {
            OfferingForm: ("capacity", "numeric"),
            SessionForm: ("contact_hours", "decimal"),
            ApplicationForm: ("years_as_esp", "numeric"),
            MentorForm: ("capacity", "numeric"),
            LogForm: ("hours", "decimal"),
            ProgramForm: ("default_contact_hours", "decimal"),
        }
        for form_class, (name, keypad) in numbers.items():
            html = str(form_class(meta={"csrf": False})[name]())
            assert 'type="text"' in html and f'inputmode="{keypad}"' in html, html
            assert 'type="number"' not in html and "step=" not in html, html


def test_no_page_asks_for_a_number_with_type_number(client, actions):
    admin()
    actions.sign_in("admin@example.org")
    page = client.get("/manage/offerings/new").get_data(as_text=True)
    assert 'inputmode="numeric"' in page and 'type="number"' not in page
