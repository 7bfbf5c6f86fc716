"""The evidence form under any input (issue 16): text of any length and alphabet (past the
column, NUL, surrogates' neighbours, right-to-left marks), revisions no page sends, fields
left out, files of any bytes — never a 500; a refusal changes no draft and stores no file;
what is saved is exactly the text, tidied (line breaks as one character, no NUL)."""

from __future__ import annotations

import io
import os

import pytest
import sqlalchemy as sa
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from esp_registry.columns import utcnow
from esp_registry.extensions import db
from esp_registry.microcredentials import earning
from esp_registry.microcredentials.models import MAX_EVIDENCE, Attempt, Evidence
from tests import factories
from tests import outside_files as files
from tests.conftest import Actions
from tests.integration.test_credit_outside import stored_files
from tests.integration.test_microcredentials_member import token

TEXT = st.one_of(
    st.text(max_size=60),
    st.sampled_from(
        ["x" * (MAX_EVIDENCE + 1), "\u00e9" * MAX_EVIDENCE, "a\r\nb\rc", " ", "\u202e", "\x00"]
    ),
)
REVISION = st.one_of(
    st.integers(min_value=-5, max_value=5).map(str),
    st.sampled_from(["", "1e9", "99999999999999", "\u0663", "NaN", " 1 "]),
)
FILE = st.one_of(
    st.binary(max_size=200),
    st.sampled_from([b"%PDF-", b"\x89PNG\r\n\x1a\n", b"\xff\xd8\xff"]).flatmap(
        lambda head: st.binary(max_size=200).map(lambda tail: head + tail)
    ),
    st.sampled_from([files.pdf(), files.image(), files.exe(), files.pdf_with_javascript()]),
)


@pytest.fixture
def drafting(client):  # type: ignore[no-untyped-def]
    pat = factories.person("pat@example.org", name="Pat Member")
    mc = factories.microcredential("Fuzzed", files=True)
    attempt = earning.start(pat, mc, utcnow())
    assert Actions(client).sign_in("pat@example.org").status_code == 302
    return client, attempt.subject.id, [c.id for c in mc.components]


def drafts() -> list[tuple[int, str, int, str | None]]:
    db.session.expire_all()
    return [
        (e.component_id, e.text, e.revision, e.file_key)
        for e in db.session.scalars(sa.select(Evidence).order_by(Evidence.id))
    ]


SETTINGS = settings(
    max_examples=int(os.environ.get("FUZZ_EXAMPLES", "40")),
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)


@SETTINGS
@given(data=st.data())
def test_evidence_form_never_fails_and_a_refusal_changes_nothing(drafting, data):
    client, attempt_id, components = drafting
    component = data.draw(st.sampled_from([*components, 0, 2_147_483_648]), label="component")
    page = f"/microcredentials/attempts/{attempt_id}"
    fields = {"csrf_token": token(client, page)}
    text = data.draw(TEXT, label="text")
    revision = data.draw(REVISION, label="revision")
    for name, value in (("text", text), ("revision", revision)):
        if data.draw(st.booleans(), label=f"send {name}"):
            fields[name] = value
    htmx = data.draw(st.booleans(), label="htmx")
    before = drafts()
    response = client.post(
        f"{page}/components/{component}",
        data=fields,
        headers={"HX-Request": "true"} if htmx else {},
    )
    assert response.status_code < 500
    after = drafts()
    body = response.get_data(as_text=True)
    saved = (response.status_code == 302) or 'data-state="saved"' in body
    if not saved:
        assert after == before
    else:
        tidy = earning.clean_text(text if "text" in fields else "")
        assert any(c == component and t == tidy for c, t, _r, _k in after)


@SETTINGS
@given(data=st.data())
def test_attach_never_fails_and_a_refused_file_stores_nothing(drafting, data):
    client, attempt_id, components = drafting
    component = data.draw(st.sampled_from(components), label="component")
    content = data.draw(FILE, label="file")
    name = data.draw(st.sampled_from(["c.pdf", "IMG_1.JPG", "", "x" * 300, "a\u202eb.png"]))
    page = f"/microcredentials/attempts/{attempt_id}"
    before, files_before = drafts(), stored_files(client.application)
    response = client.post(
        f"{page}/components/{component}/file",
        data={"csrf_token": token(client, page), "file": (io.BytesIO(content), name or "blob")},
        content_type="multipart/form-data",
    )
    assert response.status_code < 500
    after = drafts()
    if after == before:
        assert stored_files(client.application) == files_before
    else:
        (key,) = [d[3] for d in after if d[0] == component]
        added = set(stored_files(client.application)) - set(files_before)
        gone = set(files_before) - set(stored_files(client.application))
        assert [path.rsplit("/", 1)[-1] for path in added] == [key]
        assert len(gone) <= 1  # the file it replaced
    db.session.expire_all()
    assert db.session.get(Attempt, attempt_id) is not None
