"""A new inbound call's first reply, from this process's copy of it, in one statement.

The first webhook of every call (`/ivr/voice`) says the same thing to every caller of an
interview: its language menu, or its greeting and consent question. That reply, and the
call row it leaves behind, depend only on the interview and its questions, so each web
process renders them once per version of the interview (ivr/views/start.py does, with
the call flow's own views) and keeps them here, an `Opening` per Twilio number.

A first webhook is then one statement on PostgreSQL, in autocommit (`open_call`): it
checks that the copy is still current, looks the caller up by caller ID, and inserts the
call unless its CallSid is known; no BEGIN, no COMMIT, no ORM. Whenever it cannot insert,
the webhook runs the usual way (the ORM views), which handles every case: a copy that is
out of date (dropped here; the next call renders it again), a CallSid already known (a
retry, or a status callback that came first), a caller ID that finds a candidate who has
finished (told so before consent), a closed interview.

"Current" is checked with PostgreSQL's row versions: every row version carries the id
of the transaction that wrote it (the system column `xmin`, postgresql.org/docs/current/
ddl-system-columns.html). An interview whose row and questions carry the same `xmin`s as
when its opening was rendered has not changed since; any edit, by any process on any
host, changes one of them. The embedded SQLite database has no such column: there every
first webhook runs the usual way (Resources.openings is None).
"""

from __future__ import annotations

import json
import re
import threading
from dataclasses import dataclass, field
from datetime import datetime
from functools import cached_property
from typing import Any

from sqlalchemy import Connection, Engine

from voice.models import Call, CandidateStatus

# The call row's columns set from the request itself, not from the opening.
PER_REQUEST = frozenset(
    {
        "id",
        "call_sid",
        "interview_id",
        "candidate_id",
        "from_number",
        "to_number",
        "direction",
        "status",
        "request_token",
        "last_reply",
        "started_at",
    }
)
# The interview's version: its row's xmin and its questions' xmins, in question id order.
VERSION = (
    "SELECT i.id, i.xmin::text, (SELECT coalesce(string_agg(q.xmin::text, ',' ORDER BY q.id),"
    " '') FROM questions AS q WHERE q.interview_id = i.id) FROM interviews AS i"
    " WHERE i.phone_number = %(number)s"
)
MAX_OPENINGS = 10_000  # interviews kept per process; past it the copies start again


@dataclass(frozen=True)
class Version:
    """Which version of an interview an opening was rendered from (see the module doc)."""

    interview_id: int
    row: str  # the interview row's xmin, as text
    questions: str  # its questions' xmins, comma-separated in id order ("" for none)


@dataclass(frozen=True)
class Opening:
    """An interview's first reply and the call row it leaves, rendered once per version.

    `reply` is the TwiML document (text); `columns` the call row's values after the first
    webhook (prompt, steps, language, the consent record...), every column of `calls`
    but those in PER_REQUEST; `deadline` the interview's (aware UTC; None for none): a
    closed interview is answered the usual way. `lookup_caller` says whether the reply
    depends on the caller ID (it greets and asks for consent, which a finished candidate
    is not asked); a language menu does not.
    """

    version: Version
    reply: str
    columns: dict[str, Any] = field(hash=False)
    deadline: datetime | None
    lookup_caller: bool

    @cached_property
    def columns_json(self) -> str:
        """`columns` as a JSON object (text), the form open_call sends them in."""
        return json.dumps(self.columns, default=lambda value: value.isoformat())

    def is_closed(self, now: datetime) -> bool:
        """Whether the interview's deadline has passed at `now` (Interview.is_closed)."""
        return self.deadline is not None and now >= self.deadline


class Openings:
    """One web process's openings by Twilio number (E.164 text), safe across its threads,
    and the PostgreSQL engine their statement runs on: `engine` must be made with
    isolation_level="AUTOCOMMIT" (a pool of its own: switching a shared pool's connection
    in and out of autocommit, through SQLAlchemy's Connection, cost 344 us of CPU per
    trivial statement on a 2-core AMD EPYC, against 100 us on this pool's own DBAPI
    connection and 78 us on a bare psycopg one; 1 December 2026).

    At most MAX_OPENINGS are kept: one more clears them all (each is rendered again on
    its number's next call), so a process never grows without bound.
    """

    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        self._by_number: dict[str, Opening] = {}
        self._lock = threading.Lock()

    def get(self, number: str) -> Opening | None:
        """The opening kept for `number`, or None."""
        return self._by_number.get(number)

    def keep(self, number: str, opening: Opening) -> None:
        """Keep `opening` for `number`, replacing any earlier one."""
        with self._lock:
            if len(self._by_number) >= MAX_OPENINGS and number not in self._by_number:
                self._by_number.clear()
            self._by_number[number] = opening

    def drop(self, number: str, opening: Opening) -> None:
        """Forget `opening` for `number` (out of date), unless another replaced it already."""
        with self._lock:
            if self._by_number.get(number) is opening:
                del self._by_number[number]


def current_version(connection: Connection, number: str) -> Version | None:
    """The version of the interview answering `number` now; None when none answers it.

    Read before the interview itself, in the same transaction: what is then read can only
    be as new or newer, so an opening is never kept under a version newer than what it
    was rendered from (an interview edited in between fails the opening's first check,
    and is rendered again).
    """
    row = connection.exec_driver_sql(VERSION, {"number": number}).first()
    return Version(row[0], row[1], row[2]) if row is not None else None


def call_columns(call: Call) -> dict[str, Any]:
    """The call row's values an opening carries: every column of `call` but PER_REQUEST."""
    return {
        column.key: getattr(call, column.key)
        for column in Call.__table__.columns
        if column.key not in PER_REQUEST
    }


def _open_call_statement() -> str:
    """The one statement of a first webhook (see open_call); built once, at import.

    The opening's own columns travel as one JSON parameter (Opening.columns_json),
    spread over the calls row's columns by jsonb_populate_record: the request's values
    are a dozen parameters, not some 45 for the driver to convert on every call.
    """
    kept = [c.name for c in Call.__table__.columns if c.key not in PER_REQUEST]
    sent = sorted(PER_REQUEST - {"id", "interview_id", "candidate_id"})
    names = ["interview_id", *sent, *kept]
    values = ["current.id", *(f"%({name})s" for name in sent), *(f"kept.{n}" for n in kept)]
    finished = ", ".join(f"'{status}'" for status in CandidateStatus.FINISHED)
    assert re.fullmatch(r"'[a-z ]+'(, '[a-z ]+')*", finished), finished  # plain words
    # Only the model's own column names and status words are put in the text; every
    # value from a request or an interview is a parameter.
    return (
        # The interview as the opening knew it, or no row.
        "WITH current AS (SELECT i.id FROM interviews AS i"  # noqa: S608
        " WHERE i.id = %(interview_id)s AND i.phone_number = %(number)s"
        " AND i.xmin::text = %(row_version)s"
        " AND (SELECT coalesce(string_agg(q.xmin::text, ',' ORDER BY q.id), '')"
        " FROM questions AS q WHERE q.interview_id = i.id) = %(questions_version)s),"
        # The candidates the caller ID finds, and how many (flow.candidate_by_caller_id
        # takes the one found alone); a finished one is told so by the views instead.
        " known AS (SELECT c.status, count(*) OVER () AS found FROM candidates AS c"
        " WHERE c.interview_id = %(interview_id)s AND c.phone = %(caller)s"
        " AND c.erasure_requested_at IS NULL LIMIT 2),"
        " opened AS ("
        f"INSERT INTO calls ({', '.join(names)}) SELECT {', '.join(values)} FROM current,"
        " jsonb_populate_record(NULL::calls, %(opening)s::jsonb) AS kept"
        f" WHERE NOT EXISTS (SELECT FROM known WHERE found = 1 AND status IN ({finished}))"
        " ON CONFLICT (call_sid) DO NOTHING RETURNING id)"
        " SELECT EXISTS (SELECT FROM current), EXISTS (SELECT FROM opened)"
    )


OPEN_CALL = _open_call_statement()


@dataclass(frozen=True)
class FirstRequest:
    """What a first webhook's request says: Twilio's fields (TWILIO.md) and our digest of
    its I-Twilio-Idempotency-Token (None without one), with the time it arrived (aware)."""

    call_sid: str
    number: str  # To: the Twilio number dialled
    caller: str | None  # From, when it may name a candidate (None: withheld or malformed)
    from_number: str
    status: str  # CallStatus
    request_token: str | None
    now: datetime


def open_call(openings: Openings, opening: Opening, request: FirstRequest) -> bool | None:
    """Insert the call of `request` as `opening` leaves it, in one statement (autocommit).

    Returns True when the call was inserted (the reply is `opening.reply`); False when
    the opening is out of date (the caller should drop it); None when the opening is
    current but the call was not inserted: its CallSid is known, or the caller ID finds a
    candidate who has finished. Either way nothing was written, and the webhook runs the
    usual way. Raises the driver's error (psycopg.Error) when PostgreSQL fails or cannot
    be reached: nothing was written either, the statement being its own transaction.
    """
    version = opening.version
    parameters = {
        "opening": opening.columns_json,
        "interview_id": version.interview_id,
        "row_version": version.row,
        "questions_version": version.questions,
        "number": request.number,
        "caller": request.caller if opening.lookup_caller else None,
        "call_sid": request.call_sid,
        "from_number": request.from_number,
        "to_number": request.number,
        "direction": "inbound",
        "status": request.status,
        "request_token": request.request_token,
        "last_reply": opening.reply if request.request_token else None,
        "started_at": request.now,
    }
    # The pool's DBAPI connection itself: SQLAlchemy's Connection around it would double
    # the statement's CPU time, and there is no transaction to manage.
    connection = openings.engine.raw_connection()
    try:
        with connection.cursor() as cursor:
            cursor.execute(OPEN_CALL, parameters)
            current, opened = cursor.fetchone()
    except BaseException:
        connection.invalidate()  # never reused after a failure: a new one replaces it
        raise
    finally:
        connection.close()
    if opened:
        return True
    return None if current else False
