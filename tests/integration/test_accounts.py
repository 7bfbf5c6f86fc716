from __future__ import annotations

import sqlalchemy as sa
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from esp_registry.accounts.models import User
from esp_registry.extensions import db
from tests import factories


def signup_data(**changes: object) -> dict[str, object]:
    data: dict[str, object] = {
        "full_name": "Rosa Martinez",
        "email": "Rosa.Martinez@Example.org",
        "password": "long enough password",
        "confirm": "long enough password",
        "affiliate_id": factories.affiliate("OH").id,
        "local_name": "Columbus EA",
        "job_family_id": factories.family("food-services").id,
        "job_title": "Cafeteria Manager",
    }
    data.update(changes)
    return data


SIGNUP_FIELDS = [
    "full_name",
    "email",
    "password",
    "confirm",
    "affiliate_id",
    "local_name",
    "job_family_id",
    "job_title",
]


def user_count() -> int:
    return db.session.scalar(sa.select(sa.func.count()).select_from(User))


def test_sign_up_creates_member_and_signs_in(client, actions):
    response = actions.post("/signup", signup_data())
    assert response.status_code == 302
    assert "job_family=food-services" in response.headers["Location"]
    user = db.session.scalar(sa.select(User))
    assert user.email == "rosa.martinez@example.org"
    assert user.password_hash != "long enough password"
    assert user.check_password("long enough password")
    assert (user.affiliate.code, user.job_family.slug) == ("OH", "food-services")
    assert "Rosa Martinez" in client.get("/my-trainings").get_data(as_text=True)


def test_duplicate_email_is_refused_with_a_message(client, actions):
    factories.person("rosa.martinez@example.org")
    response = actions.post("/signup", signup_data())
    assert response.status_code == 422
    assert "already exists" in response.get_data(as_text=True)
    assert user_count() == 1


def test_sign_up_bad_input_says_what_is_wrong(client, actions):
    cases = {
        "full_name": ("", "Enter your full name."),
        "email": ("not-an-email", "Enter an e-mail address, e.g. name@example.org."),
        "password": ("short", "Enter a password of at least 10 characters."),
        "confirm": ("different password!", "do not match"),
        "affiliate_id": ("0", "Choose your state affiliate."),
        "job_family_id": ("abc", "Choose your job family."),
    }
    for field, (value, message) in cases.items():
        response = actions.post("/signup", signup_data(**{field: value}))
        page = response.get_data(as_text=True)
        assert response.status_code == 422, field
        assert message in page, (field, message)
        assert 'aria-invalid="true"' in page
        # The error summary at the top links to the field, with the same words.
        summary = page.split('class="error-summary"')[1].split("</ul>")[0]
        assert "There is a problem" in summary
        assert f'<a href="#{field}">' in summary and message in summary, field
    response = actions.post("/signup", signup_data(full_name="x" * 121))
    assert response.status_code == 422
    assert user_count() == 0


def test_sign_up_reports_a_taken_email_together_with_the_other_mistakes(client, actions):
    factories.person("rosa.martinez@example.org")
    response = actions.post("/signup", signup_data(full_name="", password="short", confirm="short"))
    page = response.get_data(as_text=True)
    assert response.status_code == 422
    summary = page.split('class="error-summary"')[1].split("</ul>")[0]
    assert "An account with this email already exists" in summary
    assert "Enter your full name." in summary
    assert "Enter a password of at least 10 characters." in summary
    assert user_count() == 1


def test_sign_up_without_csrf_token_is_refused(client):
    response = client.post("/signup", data=signup_data())
    assert response.status_code == 400
    assert user_count() == 0


@settings(
    max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    fields=st.dictionaries(
        st.sampled_from(SIGNUP_FIELDS),
        st.one_of(st.text(max_size=300), st.integers(), st.just("")),
    )
)
def test_sign_up_fuzz_never_errors_and_stores_only_valid(client, actions, fields):
    before = user_count()
    response = actions.post("/signup", signup_data(**{"email": "fuzz@example.org", **fields}))
    has_nul = any("\x00" in str(value) for value in fields.values())
    assert response.status_code == 400 if has_nul else response.status_code in (302, 422)
    created = user_count() - before
    assert created == (1 if response.status_code == 302 else 0)
    if created:
        db.session.execute(sa.delete(User))
        db.session.commit()
        actions.sign_out()


def test_sign_in_and_out(client, actions):
    factories.person("pat@example.org")
    bad = actions.sign_in("pat@example.org", "wrong password")
    assert bad.status_code == 422
    assert "do not match" in bad.get_data(as_text=True)
    good = actions.sign_in("PAT@example.org")
    assert good.status_code == 302
    assert client.get("/my-trainings").status_code == 200
    actions.sign_out()
    assert client.get("/my-trainings").status_code == 302


def test_sign_in_is_rate_limited(ctx):
    ctx.config["LOGIN_FAILURES_PER_ACCOUNT"] = "3 per minute"
    try:
        from tests.conftest import Actions

        actions = Actions(ctx.test_client())
        codes = [actions.sign_in("nobody@example.org", "x").status_code for _ in range(4)]
    finally:
        ctx.config["LOGIN_FAILURES_PER_ACCOUNT"] = "1000 per minute"
    assert codes[:3] == [422, 422, 422]
    assert codes[3] == 429


def test_next_parameter_cannot_leave_the_site(client, actions):
    factories.person("pat@example.org")
    response = actions.post(
        "/signin?next=//evil.example/x",
        {"email": "pat@example.org", "password": factories.PASSWORD},
    )
    assert response.headers["Location"] == "/my-trainings"
