"""The outside-training upload form under any input (issue 15, point 5): text fields past
their columns, numbers and dates no one means, and files of any bytes (with the start of
a PDF, PNG or JPEG, or nothing) — never a 500, and a refusal stores no row and no file."""

from __future__ import annotations

import io
import os

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests import factories
from tests import outside_files as files
from tests.conftest import Actions
from tests.integration.input_world import table_counts
from tests.integration.test_credit_outside import fields, form_token, stored_files

TEXT = st.one_of(
    st.text(max_size=30),
    st.sampled_from(["x" * 201, "\u3042" * 201, "x" * 1001, "\u00e9" * 200, " ", "\u202e"]),
)
NUMBER = st.one_of(
    st.sampled_from(["0", "-1", "24.001", "1e9", "NaN", "\u0663", "999", "1000", "0.25"]),
    st.decimals(allow_nan=True, allow_infinity=True).map(str),
)
DATE = st.one_of(
    st.dates().map(lambda d: d.isoformat()),
    st.sampled_from(["2026-02-30", "9999-12-31", "0001-01-01", "", "tomorrow"]),
)
FILE = st.one_of(
    st.none(),
    st.binary(max_size=200),
    st.sampled_from([b"%PDF-", b"\x89PNG\r\n\x1a\n", b"\xff\xd8\xff"]).flatmap(
        lambda head: st.binary(max_size=200).map(lambda tail: head + tail)
    ),
    st.sampled_from([files.pdf(), files.image(), files.exe(), files.pdf_with_javascript()]),
)
FIELDS = {
    "provider": TEXT,
    "title": TEXT,
    "summary": TEXT,
    "hours": NUMBER,
    "starts_on": DATE,
    "ends_on": DATE,
    "kind": st.sampled_from(["completed", "pre_approval", "x", ""]),
}


@pytest.fixture
def signed_in(client):  # type: ignore[no-untyped-def]
    factories.person("pat@example.org", name="Pat Member")
    assert Actions(client).sign_in("pat@example.org").status_code == 302
    return client


@settings(
    max_examples=int(os.environ.get("FUZZ_EXAMPLES", "40")),
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(data=st.data())
def test_upload_form_never_fails_and_a_refusal_stores_nothing(signed_in, data):
    client = signed_in
    chosen = data.draw(st.lists(st.sampled_from(list(FIELDS)), max_size=3, unique=True))
    payload = {**fields(), **{name: data.draw(FIELDS[name], label=name) for name in chosen}}
    proof = data.draw(FILE, label="file")
    name = data.draw(st.sampled_from(["c.pdf", "IMG_1.JPG", "a.exe", "", "x" * 300]))
    payload["csrf_token"] = form_token(client, "/credit/outside/new")
    if proof is not None:
        payload["proof"] = (io.BytesIO(proof), name or "blob", "application/pdf")
    before, files_before = table_counts(), stored_files(client.application)
    response = client.post("/credit/outside/new", data=payload, content_type="multipart/form-data")
    assert response.status_code < 500
    if response.status_code >= 400:
        assert table_counts() == before
        assert stored_files(client.application) == files_before
