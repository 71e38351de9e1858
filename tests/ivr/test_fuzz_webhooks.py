"""Property-based: any signed form posted to any IVR route gets TwiML or a 2xx/4xx, never a 5xx.

Hypothesis draws the fields Twilio sends (and strangers), each missing or holding any
text of any length, a query string of any text, and a route; every request is signed, so
it reaches the views. Twilio must never get an HTTP 500 or a document that is not TwiML.
"""

from __future__ import annotations

import xml.etree.ElementTree as ET
from urllib.parse import urlencode

import pytest
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

from ivr.fields import FORM_RULES, MAX_BODY_BYTES
from tests.ivr.test_webhook import at_first_question, routes

FUZZ = settings(
    max_examples=150,
    deadline=None,  # no timed assertions: the machine is shared
    database=None,
    derandomize=True,  # the same examples every run: no flaky failures in CI
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
# Fields Twilio posts (ivr/fields.py's table), the ones the views read, and made-up ones.
NAMES = sorted(
    {
        *FORM_RULES,
        "AnsweredBy",
        "MachineDetectionDuration",
        "SpeechResult",
        "Confidence",
        "FinishedOnKey",
        "ErrorUrl",
        "CallToken",
        "StirVerstat",
    }
)
TEXT = st.one_of(
    st.text(max_size=40),
    st.text(alphabet="0123456789+-.#*", max_size=30),  # numbers, durations, keys
    st.sampled_from(
        ["-1", "", "0", "hangup", "completed", "absent", "no-answer", "machine_end_beep"]
    ),
    st.builds(lambda c, n: c * n, st.characters(), st.integers(0, 20_000)),  # any length
)
ALWAYS_SENT = ["CallSid", "AccountSid", "From", "To", "CallStatus", "ApiVersion", "Direction"]
FORMS = st.dictionaries(st.one_of(st.sampled_from(NAMES), st.text(max_size=12)), TEXT)


@pytest.fixture
def walked(app, twilio, candidate):
    """A call at its first question, and every IVR route with that question's id."""
    question = at_first_question(twilio)
    question_id = question.find("Record").get("action").split("q=")[1]
    return twilio, routes(app), question_id


@FUZZ
@given(
    form=FORMS,
    data=st.data(),
    query=st.dictionaries(st.sampled_from(["q", "candidate", "x"]), TEXT, max_size=3),
    same_call=st.booleans(),
    keep_base=st.booleans(),
    dropped=st.sets(st.sampled_from(ALWAYS_SENT)),
)
def test_any_form_on_any_route_is_never_a_5xx(
    walked, candidate, form, data, query, same_call, keep_base, dropped
):
    """Missing fields, any text, any length: TwiML (root <Response>), a 2xx or a 4xx."""
    twilio, paths, question_id = walked
    path = data.draw(st.sampled_from(paths), label="route")
    query = {"q": question_id, "candidate": str(candidate.id)} | query if keep_base else query
    url = path + ("?" + urlencode(query) if query else "")
    fields = twilio.fields() if same_call else {}
    fields = {k: v for k, v in (fields | form).items() if "\x00" not in k}
    fields = {k: v for k, v in fields.items() if k not in dropped}  # "always sent" goes missing
    signature = twilio.validator.compute_signature(twilio.settings.public_url + url, fields)
    response = twilio.client.post(url, data=fields, headers={"X-Twilio-Signature": signature})
    event(f"{path} answered {response.status_code}")
    assert response.status_code < 500, (path, fields)
    assert response.status_code != 403, "the request was signed"
    if response.status_code == 200:
        assert response.mimetype == "text/xml"
        assert ET.fromstring(response.data).tag == "Response"
    elif response.status_code == 413:  # a body over the webhooks' limit, refused unread
        assert response.request.content_length > MAX_BODY_BYTES
    else:
        assert response.status_code in (204, 400)
