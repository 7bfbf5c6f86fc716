"""Every `<int:…>` route answers 404 for an id that cannot exist, never a 500 (issue 11).

PostgreSQL primary keys are `integer`: 2**31 is out of range there, 2**63 for SQLite.
The test walks the app's whole URL map, so a route added later is covered too.
"""

from __future__ import annotations

import re

import pytest
from werkzeug.routing import IntegerConverter

from tests.integration.test_offering_management import admin

# Values for the routes' other parts, by argument name (anything else gets "x").
OTHER_ARGUMENTS = {"field": "essay_why", "slug": "paraeducators", "filename": "style.css"}
# 2**31 and 2**63: one past PostgreSQL's integer and SQLite's; "٣" is a digit to \d.
IMPOSSIBLE = ["-1", str(2**31), str(2**63), "99999999999999999999", "\u0663", "1" * 11]
SIGN_IN = re.compile(r"/signin(\?|$)")


def int_rules(app):  # type: ignore[no-untyped-def]
    rules = []
    for rule in app.url_map.iter_rules():
        ints = [n for n, c in rule._converters.items() if isinstance(c, IntegerConverter)]
        if ints:
            rules.append((rule, ints))
    assert len(rules) > 40, "the URL map should hold every <int:…> route"
    return rules


def url_with(rule, ints: list[str], value: str) -> str:  # type: ignore[no-untyped-def]
    url = rule.rule
    for name in rule.arguments:
        filler = value if name in ints else OTHER_ARGUMENTS.get(name, "x")
        url = re.sub(rf"<(?:[a-z]+(?:\([^)]*\))?:)?{name}>", filler, url)
    return url


def token_of(client) -> str:  # type: ignore[no-untyped-def]
    page = client.get("/").get_data(as_text=True)
    return re.search(r'"X-CSRFToken": "([^"]+)"', page).group(1)


def requests_for(client, rule, url: str, token: str):  # type: ignore[no-untyped-def]
    if "GET" in rule.methods:
        yield "GET", client.get(url)
    if "POST" in rule.methods:
        yield "POST", client.post(url, data={"csrf_token": token})
        yield "POST htmx", client.post(url, headers={"X-CSRFToken": token, "HX-Request": "true"})


@pytest.mark.parametrize("role", ["visitor", "national admin"])
def test_no_id_that_cannot_exist_reaches_the_database(client, actions, role):
    if role == "national admin":
        admin()
        assert actions.sign_in("admin@example.org").status_code == 302
    token = token_of(client)
    failures = []
    for rule, ints in int_rules(client.application):
        for value in ["0", *IMPOSSIBLE]:
            url = url_with(rule, ints, value)
            for method, response in requests_for(client, rule, url, token):
                code = response.status_code
                if value == "0":
                    # 0 is a number the route accepts: no such record, or sign in first.
                    to_sign_in = code == 302 and SIGN_IN.search(response.location or "")
                    ok = code == 404 or (role == "visitor" and to_sign_in)
                else:
                    ok = code == 404
                if not ok:
                    failures.append(f"{method} {url} -> {code}")
    assert not failures, "\n".join(failures)


def test_a_session_whose_user_id_is_no_id_signs_nobody_in(client):
    for user_id in ["\u00b2", "\u0663", str(2**31), str(2**63), "-1", "1e3", ""]:
        with client.session_transaction() as session:
            session["_user_id"] = user_id
            session["_fresh"] = True
        response = client.get("/my-trainings")
        assert response.status_code == 302, (user_id, response.status_code)
        assert SIGN_IN.search(response.location)
