"""Credit units and state rules (PRODUCT §13): the transcript's units on a hand-built
history (page and PDF), who may change which rule (404 otherwise, through access.py), the
audit list, bad input to the rule form, and query counts."""

from __future__ import annotations

import io
from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest
import sqlalchemy as sa
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from pypdf import PdfReader

from esp_registry.accounts.models import Role, User
from esp_registry.certificates.models import TranscriptCode
from esp_registry.credit.units import rules
from esp_registry.credit.units.models import CreditEvent, CreditRule, CreditUnit, Rounding
from esp_registry.extensions import db
from tests import factories
from tests.conftest import Actions
from tests.integration.microcredential_world import awarded
from tests.integration.test_offering_management import admin, approver
from tests.integration.test_query_counts import queries_for
from tests.integration.test_transcript import text_of, training


def units_world():  # type: ignore[no-untyped-def]
    """The demo's three units: national CEUs, Massachusetts PDPs, Texas training points."""
    staff = admin()
    ceu = rules.add_unit(staff, code="CEU", name="Continuing Education Units").subject
    rules.add_rule(staff, ceu, None, {"hours_per_unit": Decimal(10)})
    pdp = rules.add_unit(staff, code="PDP", name="Professional Development Points").subject
    rules.add_rule(
        staff,
        pdp,
        factories.affiliate("MA"),
        {
            "hours_per_unit": Decimal(1),
            "rounding": Rounding.DOWN_WHOLE,
            "microcredentials_per_block": 2,
            "units_per_block": Decimal(10),
        },
    )
    points = rules.add_unit(staff, code="TP", name="Training points").subject
    texas_rule = rules.add_rule(
        staff,
        points,
        factories.affiliate("TX"),
        {"hours_per_unit": Decimal(3), "rounding": Rounding.DOWN_WHOLE, "yearly_cap": Decimal(20)},
    ).subject
    return staff, ceu, pdp, points, texas_rule


def history(state: str):  # type: ignore[no-untyped-def]
    """2024: 4.5 + 2 hours; 2025: 66 hours (Texas points capped at 20)."""
    facilitator = factories.person("fac@example.org", roles=((Role.FACILITATOR, None),))
    member = factories.person("rosa@example.org", name="Rosa Delgado", state=state)
    training(member, facilitator, "Crisis plan", datetime(2024, 3, 5, 15, tzinfo=UTC), "4.5")
    training(member, facilitator, "Bargaining basics", datetime(2024, 10, 2, 15, tzinfo=UTC), "2")
    for i in range(3):
        when = datetime(2025, 4, 9 + i, 15, tzinfo=UTC)
        training(member, facilitator, f"Bus safety day {i + 1}", when, "22")
    return member


def pdf_text(data: bytes) -> str:
    return " ".join("".join(p.extract_text() for p in PdfReader(io.BytesIO(data)).pages).split())


def test_massachusetts_transcript_shows_hours_ceus_and_pdps_with_their_rules(client, actions):
    units_world()
    history("MA")
    actions.sign_in("rosa@example.org")
    page = text_of(client.get("/transcript").get_data(as_text=True))
    for expected in (
        "Total for 2024</th><td><strong>6.5",
        "Continuing Education Units in 2024<br><small>1 CEU per 10 contact hours, rounded down"
        " to 0.1 — national rule</small></th><td><strong>0.6 CEU",
        "Professional Development Points in 2024<br><small>Massachusetts rule: 1 PDP per contact"
        " hour, rounded down to a whole number; 10 PDP per 2 related micro-credentials</small>"
        "</th><td><strong>6 PDP",
        "Total for 2025</th><td><strong>66",
        "Continuing Education Units in 2025",
        "6.6 CEU",
        "66 PDP",
        "Total contact hours: 72.5 in 5 trainings",
        "Total Continuing Education Units: 7.2 CEU",  # 0.6 + 6.6: the yearly amounts summed
        "Total Professional Development Points: 72 PDP",  # 6 + 66
    ):
        assert expected in page, expected
    assert "Training points" not in page  # a Texas unit: no rule for Massachusetts

    pdf = pdf_text(client.get("/transcript.pdf").data)
    for expected in (
        "0.6 CEU",
        "6 PDP",
        "6.6 CEU",
        "66 PDP",
        "Massachusetts rule: 1 PDP per contact hour",
        "national rule",
        "Total Continuing Education Units",
        "7.2 CEU",
        "Total Professional Development Points",
        "72 PDP",
    ):
        assert expected in pdf, expected
    assert "Training points" not in pdf


def test_texas_points_are_capped_per_year_and_ohio_gets_ceus_only(client, actions):
    units_world()
    history("TX")
    actions.sign_in("rosa@example.org")
    page = text_of(client.get("/transcript").get_data(as_text=True))
    assert (
        "Texas rule: 1 TP per 3 contact hours, rounded down to a whole number; at most 20 a year"
        in page
    )
    assert "2 TP" in page  # 6.5 hours in 2024
    assert "20 TP" in page  # 66 hours in 2025: 22, capped at 20
    assert "Total Training points: 22 TP" in page
    assert "PDP" not in page

    factories.person("ohio@example.org", state="OH")
    training(
        db.session.scalar(sa.select(User).where(User.email == "ohio@example.org")),
        db.session.scalar(sa.select(User).where(User.email == "fac@example.org")),
        "Ohio workshop",
        datetime(2025, 2, 2, 15, tzinfo=UTC),
        "5",
    )
    actions.sign_out()
    actions.sign_in("ohio@example.org")
    page = text_of(client.get("/transcript").get_data(as_text=True))
    assert "0.5 CEU" in page
    assert "PDP" not in page and " TP" not in page


def test_a_changed_rule_changes_the_transcript_and_its_code(client, actions):
    staff, ceu, *_ = units_world()
    history("OH")
    actions.sign_in("rosa@example.org")
    client.get("/transcript.pdf")
    rule = db.session.scalar(sa.select(CreditRule).where(CreditRule.unit_id == ceu.id))
    assert rules.edit_rule(staff, rule, {"hours_per_unit": Decimal(5)}).ok
    pdf = pdf_text(client.get("/transcript.pdf").data)
    assert "1 CEU per 5 contact hours" in pdf and "14.5 CEU" in pdf
    assert db.session.scalar(sa.select(sa.func.count()).select_from(TranscriptCode)) == 2
    # A deactivated unit leaves the transcript (and its code changes again).
    assert rules.set_unit_active(staff, ceu, False).ok
    assert "CEU" not in client.get("/transcript").get_data(as_text=True)
    client.get("/transcript.pdf")
    assert db.session.scalar(sa.select(sa.func.count()).select_from(TranscriptCode)) == 3


def test_admin_adds_a_unit_and_its_rules_and_every_change_is_in_its_history(client, actions):
    admin()
    actions.sign_in("admin@example.org")
    response = actions.post(
        "/credit/units/new",
        {"code": "PDP", "name": "Professional Development Points", "name_es": "Puntos"},
    )
    assert response.status_code == 302
    unit = db.session.scalar(sa.select(CreditUnit))
    massachusetts = factories.affiliate("MA")
    response = actions.post(
        f"/credit/units/{unit.id}/rules/new",
        {
            "scope": str(massachusetts.id),
            "hours_per_unit": "1",
            "rounding": "down_whole",
            "microcredentials_per_block": "2",
            "units_per_block": "10",
        },
    )
    assert response.status_code == 302
    rule = db.session.scalar(sa.select(CreditRule))
    assert (rule.affiliate_id, rule.hours_per_unit, rule.rounding) == (
        massachusetts.id,
        Decimal(1),
        Rounding.DOWN_WHOLE,
    )
    assert (rule.microcredentials_per_block, rule.units_per_block) == (2, Decimal(10))
    # A second Massachusetts rule is refused next to the field, nothing stored.
    again = actions.post(
        f"/credit/units/{unit.id}/rules/new",
        {"scope": str(massachusetts.id), "hours_per_unit": "2", "rounding": "down_whole"},
    )
    assert again.status_code == 422
    assert "already has a rule for Massachusetts" in again.get_data(as_text=True)
    assert actions.post(f"/credit/units/rules/{rule.id}", {
        "hours_per_unit": "1,5", "rounding": "down_tenth", "yearly_cap": "",
        "microcredentials_per_block": "2", "units_per_block": "10",
    }).status_code == 302  # fmt: skip
    page = text_of(client.get(f"/credit/units/{unit.id}").get_data(as_text=True))
    assert "Massachusetts rule: 1 PDP per 1.5 contact hours, rounded down to 0.1" in page
    assert "contact hours per unit: “1” → “1.5”" in page
    assert "Massachusetts rule added" in page and "unit added" in page
    assert "by Dana Admin" in page
    assert db.session.scalar(sa.select(sa.func.count()).select_from(CreditEvent)) == 3


def test_an_approver_edits_their_own_states_rule_only(client, actions):
    _staff, ceu, _pdp, points, texas_rule = units_world()
    ohio = approver("OH")
    factories.person("member@example.org")
    actions.sign_in("approver.oh@example.org")
    assert client.get("/credit/units").status_code == 200
    assert client.get(f"/credit/units/{points.id}").status_code == 200
    # Texas's rule: 404 to open, edit or remove.
    assert client.get(f"/credit/units/rules/{texas_rule.id}").status_code == 404
    edit = {"hours_per_unit": "1", "rounding": "down_whole"}
    assert actions.post(f"/credit/units/rules/{texas_rule.id}", edit).status_code == 404
    assert actions.post(f"/credit/units/rules/{texas_rule.id}/remove").status_code == 404
    # The national rule and the unit itself belong to national admins.
    national = db.session.scalar(sa.select(CreditRule).where(CreditRule.unit_id == ceu.id))
    assert client.get(f"/credit/units/rules/{national.id}").status_code == 404
    assert client.get(f"/credit/units/{ceu.id}/edit").status_code == 404
    assert actions.post(f"/credit/units/{ceu.id}/deactivate").status_code == 404
    assert client.get("/credit/units/new").status_code == 404
    # Adding: Ohio only; Texas or national is not a choice, nothing stored.
    form = client.get(f"/credit/units/{ceu.id}/rules/new").get_data(as_text=True)
    assert "Ohio" in form and "Texas" not in form and "National rule" not in form
    texas = factories.affiliate("TX")
    for scope in (str(texas.id), "0"):
        refused = actions.post(f"/credit/units/{ceu.id}/rules/new", {"scope": scope, **edit})
        assert refused.status_code == 422
    ohio_state = factories.affiliate("OH")
    added = actions.post(f"/credit/units/{ceu.id}/rules/new", {"scope": str(ohio_state.id), **edit})
    assert added.status_code == 302
    rows = db.session.execute(sa.select(CreditRule.affiliate_id, CreditRule.hours_per_unit)).all()
    assert sorted((a or 0, h) for a, h in rows) == sorted(
        [(0, Decimal(10)), (factories.affiliate("MA").id, Decimal(1)), (texas.id, Decimal(3)),
         (ohio_state.id, Decimal(1))]
    )  # fmt: skip
    event = db.session.scalar(sa.select(CreditEvent).order_by(CreditEvent.id.desc()))
    assert (event.actor_id, event.affiliate_id) == (ohio.id, ohio_state.id)
    # A member sees none of it.
    actions.sign_out()
    actions.sign_in("member@example.org")
    for url in ("/credit/units", f"/credit/units/{ceu.id}", f"/credit/units/rules/{texas_rule.id}"):
        assert client.get(url).status_code == 404
    assert "/credit/units" not in client.get("/").get_data(as_text=True)


def test_staff_menu_links_credit_units_for_admins_and_approvers(client, actions):
    approver("OH")
    actions.sign_in("approver.oh@example.org")
    assert 'href="/credit/units"' in client.get("/").get_data(as_text=True)


RULE_FIELDS = [
    "hours_per_unit",
    "rounding",
    "yearly_cap",
    "microcredentials_per_block",
    "units_per_block",
]
text_or_number = st.one_of(
    st.text(max_size=20),
    st.decimals(allow_nan=True, allow_infinity=True).map(str),
    st.integers(min_value=-(2**70), max_value=2**70).map(str),
    st.sampled_from(["0", "0.1", "0.05", "1000", "1000.01", "10000.001", "20", "21", "1,5", "NaN"]),
)


@settings(
    max_examples=60,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(data=st.dictionaries(st.sampled_from(RULE_FIELDS), text_or_number, min_size=1))
def test_the_rule_form_refuses_bad_input_and_writes_nothing(ctx, data):
    client = ctx.test_client()
    actions = Actions(client)
    if db.session.scalar(sa.select(CreditUnit.id)) is None:
        units_world()
    staff_unit = db.session.scalar(sa.select(CreditUnit).where(CreditUnit.code == "CEU"))
    actions.sign_in("admin@example.org")
    before = [
        db.session.scalar(sa.select(sa.func.count()).select_from(model))
        for model in (CreditRule, CreditEvent)
    ]
    scope = str(factories.affiliate("CA").id)
    response = actions.post(f"/credit/units/{staff_unit.id}/rules/new", {"scope": scope, **data})
    assert response.status_code in (302, 400, 422)  # 400: a NUL byte, refused app-wide
    after = [
        db.session.scalar(sa.select(sa.func.count()).select_from(model))
        for model in (CreditRule, CreditEvent)
    ]
    if response.status_code != 302:
        assert after == before
    else:
        rule = db.session.scalar(sa.select(CreditRule).where(CreditRule.affiliate_id == int(scope)))
        assert rule.hours_per_unit is None or Decimal("0.1") <= rule.hours_per_unit <= 1000
        assert rule.yearly_cap is None or 0 <= rule.yearly_cap <= 10000
        assert rule.microcredentials_per_block is None or 1 <= rule.microcredentials_per_block <= 20
        db.session.delete(rule)
        db.session.commit()


def test_transcript_queries_do_not_grow_with_trainings_or_units(client, actions):
    staff, *_ = units_world()
    facilitator = factories.person("fac@example.org", roles=((Role.FACILITATOR, None),))
    member = factories.person("rosa@example.org", state="MA")
    start = datetime(2023, 1, 10, 15, tzinfo=UTC)
    for i in range(2):
        training(member, facilitator, f"Workshop {i}", start + timedelta(days=40 * i))
    actions.sign_in("rosa@example.org")
    few = queries_for(client, "/transcript"), queries_for(client, "/transcript.pdf")
    for i in range(2, 20):
        training(member, facilitator, f"Workshop {i}", start + timedelta(days=40 * i))
    for i in range(4):
        unit = rules.add_unit(staff, code=f"U{i}", name=f"Unit {i}").subject
        rules.add_rule(staff, unit, factories.affiliate("MA"), {"hours_per_unit": Decimal(2)})
    many = queries_for(client, "/transcript"), queries_for(client, "/transcript.pdf")
    assert many == few
    assert "Unit 3 in 2023" in client.get("/transcript").get_data(as_text=True)


def test_unit_list_and_unit_page_queries_do_not_grow(client, actions):
    staff, ceu, *_ = units_world()
    actions.sign_in("admin@example.org")
    few = queries_for(client, "/credit/units"), queries_for(client, f"/credit/units/{ceu.id}")
    for i in range(30):
        rules.add_unit(staff, code=f"U{i}", name=f"Unit {i}")
    for code in ("OH", "CA", "NY", "FL"):
        rules.add_rule(staff, ceu, factories.affiliate(code), {"hours_per_unit": Decimal(5)})
        rule = db.session.scalar(
            sa.select(CreditRule).where(CreditRule.affiliate_id == factories.affiliate(code).id)
        )
        rules.edit_rule(staff, rule, {"hours_per_unit": Decimal(4)})
    many = queries_for(client, "/credit/units"), queries_for(client, f"/credit/units/{ceu.id}")
    assert many == few
    page = client.get("/credit/units").get_data(as_text=True)
    assert "25 of 33" in page


def test_a_state_rule_replaces_the_national_one_until_it_is_removed(client, actions):
    staff, ceu, *_ = units_world()
    history("MA")
    massachusetts = factories.affiliate("MA")
    own = rules.add_rule(staff, ceu, massachusetts, {"hours_per_unit": Decimal(5)}).subject
    actions.sign_in("rosa@example.org")
    page = text_of(client.get("/transcript").get_data(as_text=True))
    assert "Massachusetts rule: 1 CEU per 5 contact hours" in page and "13.2 CEU" in page
    assert "national rule" not in page.split("Professional Development")[0]
    actions.sign_out()
    actions.sign_in("admin@example.org")
    assert actions.post(f"/credit/units/rules/{own.id}/remove").status_code == 302
    assert db.session.scalar(sa.select(CreditRule.id).where(CreditRule.id == own.id)) is None
    assert "Massachusetts rule removed" in client.get(f"/credit/units/{ceu.id}").get_data(
        as_text=True
    )
    actions.sign_out()
    actions.sign_in("rosa@example.org")
    page = text_of(client.get("/transcript").get_data(as_text=True))
    assert "1 CEU per 10 contact hours, rounded down to 0.1 — national rule" in page
    assert "6.6 CEU" in page


def test_units_and_rules_read_in_spanish(client, actions):
    _staff, ceu, *_ = units_world()
    ceu.name_es = "Unidades de Educación Continua"
    db.session.commit()
    history("MA")
    actions.sign_in("rosa@example.org")
    page = text_of(client.get("/transcript?lang=es").get_data(as_text=True))
    assert "Unidades de Educación Continua en 2025" in page
    assert (
        "1 CEU por cada 10 horas de contacto, redondeado hacia abajo a 0,1 — regla nacional" in page
    )
    assert "Regla de Massachusetts: 1 PDP por hora de contacto" in page
    assert "10 PDP por cada 2 microcredenciales relacionadas" in page


def test_micro_credentials_join_the_years_hours(client, actions):
    """The transcript adds the units of the year's micro-credentials to the hours' (3
    awarded with "2 = 10" give 10), and their credit hours to the year's hours."""
    units_world()
    member = history("MA")
    assert rules.microcredentials_earned(member, 2025) == 0
    for year in (2024, 2025):
        for i in range(3):
            awarded(member, f"Micro {year}-{i}", datetime(year, 6, 1 + i, 12, tzinfo=UTC), "1")
    actions.sign_in("rosa@example.org")
    page = text_of(client.get("/transcript").get_data(as_text=True))
    assert "<strong>19 PDP" in page  # 2024: 9 from 9.5 hours + 10 from 3 micro-credentials
    assert "<strong>79 PDP" in page  # 2025: 69 + 10
    assert "Total Professional Development Points: 98 PDP" in page
    assert "0.9 CEU" in page  # the CEU rule converts no micro-credentials, only their hours


def test_one_national_rule_per_unit_even_when_two_admins_add_one_at_once(ctx):
    staff, ceu, *_ = units_world()
    refused = rules.add_rule(staff, ceu, None, {"hours_per_unit": Decimal(4)})
    assert not refused.ok and "already has a national rule" in refused.message
    # The check in rules.py could race; the database holds the line.
    db.session.add(CreditRule(unit_id=ceu.id, affiliate_id=None, hours_per_unit=Decimal(4)))
    with pytest.raises(sa.exc.IntegrityError):
        db.session.commit()
    db.session.rollback()
    national = sa.select(sa.func.count()).where(
        CreditRule.unit_id == ceu.id, CreditRule.affiliate_id.is_(None)
    )
    assert db.session.scalar(national) == 1
