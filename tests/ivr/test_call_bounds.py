"""No caller is ever stuck in a loop: every menu, every key, silence and every kind of
recording, walked through the real app with signed requests, ends in a bounded number
of requests (issue 7, item 7).

The bound is flow.step_limit(interview) + 1 requests to the call flow: every prompt
served counts one step on the Call row, and the request past the limit is answered with
a goodbye.
"""

from __future__ import annotations

import itertools
import random

import pytest
from sqlalchemy import select

from ivr import flow
from tests.factories import make_candidate, make_every_menu_interview, make_interview, make_org
from tests.ivr.twilio_actions import TwilioActions, said, verbs
from tests.ivr.walker import RECORD_MODES, path_of, walk
from voice.models import Answer, AnswerStatus, Call

# Every key on the keypad, several keys at once, and the finish key alone.
KEYS = [*"0123456789*#", "12", "1234567", "99#"]
INPUTS = [*KEYS, None]  # None: silence, no key at all


@pytest.fixture
def interview(db):
    """An interview with every menu (tests/factories.py), committed for the app to see."""
    interview = make_every_menu_interview(db, make_org(db))
    db.commit()
    return interview


class Caller:
    """Presses the happy key at each menu, except `key` at `target`; records as `mode`.

    Menus are named by their action path; the two keypad questions by their kind, since
    their happy answers differ ("1" for yes, "25#" for the hours).
    """

    def __init__(self, interview, pin, target=None, key=None, mode="long"):
        kinds = {str(q.id): q.kind for q in interview.questions}
        self.kinds = kinds
        self.target, self.key, self.mode = target, key, mode
        self.happy = {
            "/ivr/language": "1",
            "/ivr/consent": "1",
            "/ivr/pin": pin + "#",
            "/ivr/resume": "2",  # start over, so that every question is asked
            "/ivr/practice/choice": "2",
            "/ivr/question/key": None,  # silence falls through to the recording
            "keypad:yes_no": "1",
            "keypad:number": "25#",
            "/ivr/retake": "1",
        }

    def menu(self, url: str) -> str:
        """The menu a Gather's action belongs to."""
        path = path_of(url)
        if path == "/ivr/keypad":
            question = url.split("q=", 1)[1].split("&", 1)[0]
            return f"keypad:{self.kinds[question]}"
        return path

    def keys(self, url: str) -> str | None:
        """The target key at the target menu, the happy key elsewhere."""
        menu = self.menu(url)
        return self.key if menu == self.target else self.happy[menu]

    def record(self, url: str) -> str:
        """The same kind of recording every time."""
        return self.mode


class RandomCaller(Caller):
    """Anything at all, at random (seeded): keys, silence and recordings of every kind."""

    def __init__(self, interview, pin, seed):
        super().__init__(interview, pin)
        self.rng = random.Random(seed)

    def keys(self, url: str) -> str | None:
        """A random key, keys, or silence; now and then the right answer, to get further."""
        if self.rng.random() < 0.4:
            return super().keys(url)
        return self.rng.choice(INPUTS)

    def record(self, url: str) -> str:
        """A random recording; a hang-up only rarely, so that most calls go deep."""
        return self.rng.choice([*RECORD_MODES[:4]] * 5 + ["hangup"])


class Calls:
    """Places one call per walk, each by a fresh candidate with one earlier answer (so the
    resume menu is offered) from a number that is not theirs (so the PIN is asked)."""

    def __init__(self, client, settings, db, interview):
        self.client, self.settings, self.db, self.interview = client, settings, db, interview
        self.count = itertools.count(1)
        self.limit = flow.step_limit(interview) + 1

    def place(self, caller_for):
        """Walk one call with the policy `caller_for(interview, pin)` returns."""
        n = next(self.count)
        candidate = make_candidate(self.db, self.interview, "Dana Diaz", f"+1555700{n:04d}")
        first = self.interview.questions[0]
        self.db.add(
            Answer(
                candidate_id=candidate.id,
                question_id=first.id,
                digits="1",
                status=AnswerStatus.KEYPAD,
            )
        )
        self.db.commit()
        twilio = TwilioActions(self.client, self.settings, from_=f"+1555900{n:04d}")
        result = walk(twilio, caller_for(self.interview, candidate.pin), self.limit)
        assert result.ended in ("hangup", "caller hung up"), result.said[-2:]
        return result


@pytest.fixture
def calls(client, settings, db, interview):
    """Places walks against the interview with every menu."""
    return Calls(client, settings, db, interview)


MENUS = [
    "/ivr/language",
    "/ivr/consent",
    "/ivr/pin",
    "/ivr/resume",
    "/ivr/practice/choice",
    "/ivr/question/key",
    "keypad:yes_no",
    "keypad:number",
    "/ivr/retake",
]


def test_the_happy_path_reaches_every_menu_and_completes(calls, interview):
    """The walk's happy caller hears every menu and finishes; so each target below is reached."""
    seen = set()

    def caller(interview, pin):
        policy = Caller(interview, pin)
        original = policy.keys

        def keys(url):
            seen.add(policy.menu(url))
            return original(url)

        policy.keys = keys
        return policy

    result = calls.place(caller)
    assert seen == set(MENUS)
    assert "end of the interview" in result.said[-1]


@pytest.mark.parametrize("menu", MENUS)
def test_every_key_and_silence_at_every_menu_ends_the_call(calls, menu):
    """At each menu, pressing any one key (or nothing) every time still ends the call."""
    for key in INPUTS:
        result = calls.place(lambda interview, pin, key=key: Caller(interview, pin, menu, key))
        assert result.requests <= calls.limit


@pytest.mark.parametrize("mode", RECORD_MODES)
def test_every_kind_of_recording_ends_the_call(calls, mode):
    """Silent, empty, short, long or hung-up recordings, every time, still end the call."""
    result = calls.place(lambda interview, pin: Caller(interview, pin, mode=mode))
    assert result.requests <= calls.limit


def test_random_callers_all_end_within_the_bound(calls):
    """Thirty callers pressing and saying anything at random all reach an end."""
    for seed in range(30):
        result = calls.place(lambda interview, pin, seed=seed: RandomCaller(interview, pin, seed))
        assert result.requests <= calls.limit


def test_wrong_key_then_empty_answers_do_not_alternate_for_ever(client, settings, db):
    """The issue's loop: a wrong key at a question's prompt no longer resets its empty answers."""
    org = make_org(db)
    interview = make_interview(db, org, questions=("First question?", "Second question?"))
    make_candidate(db, interview)
    db.commit()

    class Alternating:
        """A wrong key at every other reading of the question; every recording empty."""

        def __init__(self):
            self.readings = itertools.count()

        def keys(self, url):
            """5 at every other reading of the question; 1 at every menu."""
            if path_of(url) == "/ivr/question/key":
                return "5" if next(self.readings) % 2 == 0 else None
            return "1"

        def record(self, url):
            """An empty recording."""
            return "empty"

    result = walk(TwilioActions(client, settings), Alternating(), flow.step_limit(interview) + 1)
    assert result.ended == "hangup"
    heard = " ".join(result.said)
    assert "not one of the choices" in heard and "long enough to keep" in heard
    # At most MAX_EMPTY_ANSWERS empty recordings per question (the issue saw 55).
    assert result.recordings <= flow.MAX_EMPTY_ANSWERS * 2
    assert result.requests <= 30


def test_a_caller_who_repeats_for_ever_hears_a_goodbye_at_the_step_limit(client, settings, db):
    """Star (repeat) is always a valid key, so only the step limit ends such a call."""
    org = make_org(db)
    interview = make_interview(db, org, questions=("Only question?",))
    make_candidate(db, interview)
    db.commit()

    class Repeater:
        """Presses star at the question, every time; 1 at every menu."""

        def keys(self, url):
            """Star at the question, 1 elsewhere."""
            return "*" if path_of(url) == "/ivr/question/key" else "1"

        def record(self, url):
            """A long recording (never reached)."""
            return "long"

    limit = flow.step_limit(interview)
    result = walk(TwilioActions(client, settings), Repeater(), limit + 1)
    assert result.ended == "hangup"
    assert "We have to end the call here" in said(result.last)
    assert verbs(result.last) == ["Say", "Hangup"]
    call = db.scalar(select(Call))
    assert call.outcome == "step limit" and call.steps == limit + 1
