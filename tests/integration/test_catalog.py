from __future__ import annotations

from datetime import timedelta

import sqlalchemy as sa

from esp_registry import HTMX_SRI, HTMX_URL
from esp_registry.catalog.models import OfferingStatus
from esp_registry.extensions import db
from esp_registry.reference.models import Program
from tests import factories


def test_catalog_lists_published_upcoming_offerings_only(client):
    factories.offering("Open workshop")
    factories.offering("Draft workshop", status=OfferingStatus.DRAFT)
    factories.offering("Last year's workshop", starts_in=-timedelta(days=300))
    page = client.get("/").get_data(as_text=True)
    assert "Open workshop" in page
    assert "Draft workshop" not in page
    assert "Last year" not in page


def test_every_page_loads_pinned_htmx_with_sri_and_csrf_header(client):
    response = client.get("/")
    page = response.get_data(as_text=True)
    assert f'src="{HTMX_URL}" integrity="{HTMX_SRI}"' in page
    assert 'hx-headers=\'{"X-CSRFToken":' in page
    assert "<script>" not in page and "hx-on" not in page
    assert "script-src 'self' https://unpkg.com" in response.headers["Content-Security-Policy"]


def test_filter_by_job_family_full_page_and_htmx_fragment(client):
    factories.offering("Bus safety", audience=("transportation-services",))
    factories.offering("Kitchen skills", audience=("food-services",))
    factories.offering("For everyone")
    page = client.get("/?job_family=transportation-services").get_data(as_text=True)
    assert "<html" in page
    assert "Bus safety" in page and "For everyone" in page and "Kitchen skills" not in page

    fragment = client.get(
        "/?job_family=food-services", headers={"HX-Request": "true", "HX-Target": "results"}
    ).get_data(as_text=True)
    assert "<html" not in fragment
    assert "Kitchen skills" in fragment and "For everyone" in fragment
    assert "Bus safety" not in fragment


def test_job_family_page(client):
    factories.offering("Bus safety", audience=("transportation-services",))
    factories.offering("Kitchen skills", audience=("food-services",))
    response = client.get("/job-families/transportation-services")
    page = response.get_data(as_text=True)
    assert "Getting Educated: Transportation Services Professionals" in page
    assert "Bus safety" in page and "Kitchen skills" not in page
    assert client.get("/job-families/no-such-family").status_code == 404


def test_other_filters_and_bad_values_do_not_break(client):
    factories.offering("Ohio workshop", host="OH")
    factories.offering("National webinar", format="virtual")
    page = client.get("/?host=OH").get_data(as_text=True)
    assert "Ohio workshop" in page and "National webinar" not in page
    page = client.get("/?format=virtual&q=webinar").get_data(as_text=True)
    assert "National webinar" in page and "Ohio workshop" not in page
    for query in ("?format=nope", "?job_family=nope", "?q=%25_%5C", "?host=" + "x" * 500):
        assert client.get("/" + query).status_code == 200
    refused = client.get("/?q=%00")
    assert refused.status_code == 400 and "try again" in refused.get_data(as_text=True)


def test_offering_page_shows_sessions_and_seats(client):
    offering = factories.offering("Two-day training", capacity=12, sessions=2, hours="6.5")
    page = client.get(f"/offerings/{offering.id}").get_data(as_text=True)
    assert "Day 1" in page and "Day 2" in page
    assert "12 seats left" in page
    assert "6.5 contact hours" in page
    assert "Sign in to register" in page


def test_draft_offering_is_hidden_from_members(client, actions):
    draft = factories.offering("Secret draft", status=OfferingStatus.DRAFT)
    assert client.get(f"/offerings/{draft.id}").status_code == 404
    factories.person("pat@example.org")
    actions.sign_in("pat@example.org")
    assert client.get(f"/offerings/{draft.id}").status_code == 404
    assert client.get("/offerings/999999").status_code == 404


def test_results_count_names_every_active_filter(client):
    factories.offering("Ohio workshop", host="OH", audience=("paraeducators",))
    factories.offering("Ohio webinar", host="OH", format="virtual")
    factories.offering("Texas workshop", host="TX")
    page = client.get("/?job_family=paraeducators&host=OH").get_data(as_text=True)
    assert "2 trainings for Paraeducators in Ohio</p>" in page
    assert 'Filter trainings <span id="active-filters">(2 active)</span>' in page
    page = client.get("/?host=OH&format=virtual&q=webinar").get_data(as_text=True)
    assert "1 training in Ohio held online matching “webinar”</p>" in page
    assert "(3 active)" in page
    page = client.get("/?host=national").get_data(as_text=True)
    assert "0 trainings hosted nationally</p>" in page
    page = client.get("/").get_data(as_text=True)
    assert "3 trainings</p>" in page and "active)" not in page
    # On a family's own page the family is the page, not a filter.
    page = client.get("/job-families/paraeducators?host=OH").get_data(as_text=True)
    assert "(1 active)" in page


def test_the_state_filter_is_labelled_state_affiliate(client):
    page = client.get("/").get_data(as_text=True)
    assert '<label for="host">State affiliate</label>' in page
    assert ">Host<" not in page
    # Folded on a phone: a closed disclosure the stylesheet opens on a wide screen.
    assert '<details class="filter-box">' in page


def test_a_filter_update_by_htmx_refreshes_the_language_links_and_the_count(client):
    fragment = client.get(
        "/?job_family=paraeducators&host=OH", headers={"HX-Request": "true", "HX-Target": "results"}
    ).get_data(as_text=True)
    assert 'id="languages-top" class="languages"' in fragment
    assert 'hx-swap-oob="true"' in fragment
    assert "/?job_family=paraeducators&amp;host=OH&amp;lang=es" in fragment
    assert '<span id="active-filters" hx-swap-oob="true">(2 active)</span>' in fragment
    # A whole page asked for by htmx (no #results target) has each of them once, in place.
    page = client.get("/?host=OH", headers={"HX-Request": "true"}).get_data(as_text=True)
    assert page.count('id="languages-top"') == 1 and "hx-swap-oob" not in page


def test_a_family_that_names_its_people_is_not_followed_by_professionals(client):
    page = client.get("/job-families/paraeducators").get_data(as_text=True)
    assert "<h1>Getting Educated: Paraeducators</h1>" in page
    assert "Paraeducators Professionals" not in page
    page = client.get("/job-families/food-services").get_data(as_text=True)
    assert "<h1>Getting Educated: Food Services Professionals</h1>" in page
    program = db.session.scalar(
        sa.select(Program.name).where(Program.slug == "getting-educated-paraeducators")
    )
    assert program == "Getting Educated: Paraeducators"
