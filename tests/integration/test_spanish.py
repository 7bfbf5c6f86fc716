"""The member path in Spanish: ?lang=es picks the catalog, ?lang=en goes back to English."""

from __future__ import annotations

import io

import sqlalchemy as sa
from pypdf import PdfReader

from esp_registry.columns import utcnow
from esp_registry.extensions import db
from esp_registry.notifications.models import OutboxMessage
from esp_registry.seeding import seed_reference
from tests import factories
from tests.integration.test_lft_world import approver, endorsed, make_cycle, member


def test_catalog_in_spanish_and_back_to_english(client):
    factories.offering("Open workshop")
    page = client.get("/?lang=es").get_data(as_text=True)
    assert "Capacitaciones para el personal de apoyo educativo" in page
    assert "Iniciar sesión" in page and "Registrarse" in page
    assert "Trainings for Education Support Professionals" not in page

    # The choice is remembered in the session.
    assert "Capacitaciones para el personal de apoyo educativo" in client.get("/").get_data(
        as_text=True
    )

    page = client.get("/?lang=en").get_data(as_text=True)
    assert "Trainings for Education Support Professionals" in page
    assert "Sign in" in page
    assert "Capacitaciones para el personal" not in page


def test_accept_language_picks_spanish(client):
    page = client.get("/", headers={"Accept-Language": "es-MX,es;q=0.9"}).get_data(as_text=True)
    assert "Capacitaciones para el personal de apoyo educativo" in page


def test_signed_in_member_sees_my_trainings_in_spanish(client, actions):
    factories.person("member@example.org")
    workshop = factories.offering("Open workshop")
    actions.sign_in("member@example.org")
    client.get("/?lang=es")
    registered = actions.post(f"/offerings/{workshop.id}/register", follow_redirects=True)
    assert registered.status_code == 200

    page = client.get("/my-trainings").get_data(as_text=True)
    assert "Mis capacitaciones" in page
    assert "Próximas" in page
    assert "Open workshop" in page
    assert "Cerrar sesión" in page
    assert "Upcoming" not in page


def test_page_language_follows_the_chosen_language(client):
    assert '<html lang="es">' in client.get("/?lang=es").get_data(as_text=True)
    assert '<html lang="en">' in client.get("/?lang=en").get_data(as_text=True)


def test_pdfs_are_tagged_with_the_language_they_are_written_in(client, actions):
    factories.person("member@example.org")
    actions.sign_in("member@example.org")
    for lang, heading in (("es", "Historial de Capacitaciones"), ("en", "Transcript")):
        client.get(f"/?lang={lang}")
        pdf = PdfReader(io.BytesIO(client.get("/transcript.pdf").data))
        assert pdf.trailer["/Root"]["/Lang"] == lang  # screen readers pick the voice by it
        assert heading in pdf.pages[0].extract_text()


def test_an_e_mail_written_in_spanish_is_tagged_spanish(client, actions):
    member = factories.person("member@example.org")
    member.preferred_language = "es"  # e-mails follow the recipient's language
    db.session.commit()
    workshop = factories.offering("Open workshop")
    actions.sign_in("member@example.org")
    actions.post(f"/offerings/{workshop.id}/register")
    message = db.session.scalars(sa.select(OutboxMessage)).one()
    assert message.subject == "Está inscrito(a): Open workshop"
    assert '<html lang="es">' in message.body_html


def test_the_language_switch_keeps_the_page_and_its_filters(client):
    page = client.get("/?job_family=paraeducators&host=OH&lang=en").get_data(as_text=True)
    top = page.index('id="languages-top"')
    assert top < page.index("<main")  # near the top, not only at the end of a long page
    assert 'href="/?job_family=paraeducators&amp;host=OH&amp;lang=es"' in page
    spanish = client.get("/?job_family=paraeducators&host=OH&lang=es").get_data(as_text=True)
    assert "capacitaciones para Paraeducadores en Ohio</p>" in spanish
    assert '<option value="paraeducators" selected>Paraeducadores</option>' in spanish
    assert 'href="/?job_family=paraeducators&amp;host=OH&amp;lang=en"' in spanish


def test_reference_names_show_in_spanish_and_fall_back_to_english(client, kept_reference):
    workshop = factories.offering("Bus safety", audience=("transportation-services",))
    national = client.get(f"/offerings/{workshop.id}?lang=es").get_data(as_text=True)
    assert "Beat Privatization: plan de acción paso a paso ante una crisis" in national
    assert "<dd>Nacional</dd>" in national and "<dd>Servicios de Transporte</dd>" in national
    family = factories.family("transportation-services")
    family.name_es = ""  # no Spanish name given: the English one shows
    db.session.commit()
    page = client.get(f"/offerings/{workshop.id}").get_data(as_text=True)
    assert "<dd>Transportation Services</dd>" in page
    english = client.get(f"/offerings/{workshop.id}?lang=en").get_data(as_text=True)
    assert "<dd>National</dd>" in english
    assert "Beat Privatization: A Step-by-Step Crisis Action Plan" in english
    assert "plan de acción" not in english


def test_seeded_spanish_names_are_filled_once_and_never_overwrite_an_admin(ctx, kept_reference):
    family = factories.family("food-services")
    assert family.name_es == "Servicios de Alimentación"
    family.name_es = "Alimentación escolar"
    factories.affiliate("NM").name_es = ""
    db.session.commit()
    seed_reference()
    db.session.expire_all()
    assert factories.family("food-services").name_es == "Alimentación escolar"
    assert factories.affiliate("NM").name_es == "Nuevo México"
    assert factories.affiliate("OH").name_es == ""  # the same in both languages


def test_an_e_mail_in_spanish_names_the_affiliate_in_spanish(ctx):
    applicant = member(1, state="NY")
    applicant.preferred_language = "es"
    db.session.commit()
    endorsed(applicant, make_cycle(around=utcnow()), approver("NY"), utcnow())
    body = db.session.scalar(
        sa.select(OutboxMessage.body_text).where(OutboxMessage.kind == "lft_endorsed")
    )
    assert "Nueva York" in body and "New York" not in body
