"""SQLAlchemy models: organisations, people, interviews, calls, answers and scores.

Models hold data and small derived properties; they never commit. Statuses are plain
strings (constants below) so that adding one needs no database type change.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from sqlalchemy import (
    JSON,
    Boolean,
    CheckConstraint,
    DateTime,
    Float,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    TypeDecorator,
    UniqueConstraint,
    false,
    text,
    true,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship

# Row ids are INTEGER columns (PostgreSQL's 4-byte integer): a larger number names no row,
# and must be refused before it reaches a query, which would fail on it.
MAX_ROW_ID = 2**31 - 1


def utcnow() -> datetime:
    """Now, as a timezone-aware UTC datetime (what every timestamp column holds)."""
    return datetime.now(UTC)


class UTCDateTime(TypeDecorator):
    """A timestamp that is always timezone-aware UTC in Python.

    PostgreSQL keeps the zone; SQLite does not, and hands back naive values. Converting
    here means no caller has to ask whether a datetime from the database is naive.
    """

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value, dialect):
        """Store aware datetimes in UTC."""
        if isinstance(value, datetime) and value.tzinfo is not None:
            value = value.astimezone(UTC)
        return value

    def coerce_compared_value(self, op, value):
        """Compare as the plain column type does (keeps interval arithmetic working)."""
        # `column - timedelta(...)` must stay interval arithmetic, as with plain DateTime.
        return self.impl_instance.coerce_compared_value(op, value)

    def process_result_value(self, value, dialect):
        """Hand back aware UTC datetimes, whatever the database returned."""
        if value is not None and value.tzinfo is None:
            value = value.replace(tzinfo=UTC)
        return value


class Base(DeclarativeBase):
    """The declarative base: every timestamp is UTCDateTime, every dict JSON."""

    type_annotation_map = {datetime: UTCDateTime(), dict[str, Any]: JSON}


class Role:
    """A dashboard user's role: admin, recruiter or reviewer."""

    ADMIN = "admin"
    RECRUITER = "recruiter"
    REVIEWER = "reviewer"
    ALL = (ADMIN, RECRUITER, REVIEWER)


class CandidateStatus:
    """Where a candidate is in the interview."""

    INVITED = "invited"
    IN_PROGRESS = "in progress"
    COMPLETED = "completed"
    ABANDONED = "abandoned"
    SCREENED_OUT = "screened out"
    ALL = (INVITED, IN_PROGRESS, COMPLETED, ABANDONED, SCREENED_OUT)
    # Nothing is left to ask: a call from them (or to them) only says goodbye.
    FINISHED = (COMPLETED, SCREENED_OUT)


class QuestionKind:
    """How a question is answered: spoken and recorded, or on the keypad."""

    VOICE = "voice"  # a spoken answer, recorded
    YES_NO = "yes_no"  # 1 for yes, 2 for no
    NUMBER = "number"  # digits, then pound
    ALL = (VOICE, YES_NO, NUMBER)
    KEYPAD = (YES_NO, NUMBER)


class AnswerStatus:
    """Where an answer's recording is in the pipeline."""

    RECORDING = "recording"  # the <Record> action came; Twilio has not announced the file
    ANNOUNCED = "announced"  # recording status callback said completed; fetch job queued
    STORED = "stored"  # original downloaded and kept; transcription queued
    TRANSCRIBED = "transcribed"  # done
    NO_AUDIO = "no audio"  # Twilio kept nothing (silent, too short, or failed)
    FAILED = "failed"  # a step failed; `error` says why, the sweep retries it
    UNTRANSCRIBED = "no model"  # stored, but no speech model is set up for its language
    KEYPAD = "keypad"  # a keypad answer: `digits` holds it, there is no audio
    ERASED = "erased"  # its candidate's personal data was removed (voice/erasure.py)
    # Stored and playable, not transcribed: a later attempt (a retake) is the one reviewed.
    SUPERSEDED = "superseded"
    ALL = (
        RECORDING,
        ANNOUNCED,
        STORED,
        TRANSCRIBED,
        NO_AUDIO,
        FAILED,
        UNTRANSCRIBED,
        KEYPAD,
        ERASED,
        SUPERSEDED,
    )
    # The groups every reader uses (voice/pipeline.py owns the transitions between them).
    QUEUED = (ANNOUNCED, STORED)  # a job should be working on it now
    IN_PIPELINE = (RECORDING, ANNOUNCED, STORED)  # "still processing" to a reader
    UNFINISHED = (ANNOUNCED, STORED, FAILED)  # the sweep's concern
    # Nothing left to fetch (a superseded attempt goes back to `stored` if it is kept again).
    DONE = (TRANSCRIBED, UNTRANSCRIBED, NO_AUDIO, KEYPAD, ERASED, SUPERSEDED)
    NO_RECORDING = (NO_AUDIO, KEYPAD, ERASED)  # no audio exists for it


class Organization(Base):
    """An employer: its users and interviews belong to it and to no one else."""

    __tablename__ = "organizations"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    # Days a candidate's data is kept after completion (or last activity) when the
    # interview sets none; None keeps it until deleted (voice/retention.py).
    retention_days: Mapped[int | None]
    # The country (ISO 3166-1 alpha-2) a phone number written without its country code is
    # read in, when candidates are imported or added (voice/phones.py).
    default_country: Mapped[str] = mapped_column(String(2), default="US", server_default="US")
    # The IANA time zone (voice/time_zones.py) every date shown to its candidates and users
    # is written in (voice/dates.py), and the builder's deadline is typed in; stored
    # times stay UTC.
    time_zone: Mapped[str] = mapped_column(String(64), default="UTC", server_default="UTC")
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    users: Mapped[list[User]] = relationship(back_populates="organization")
    interviews: Mapped[list[Interview]] = relationship(back_populates="organization")


class User(Base):
    """A person who signs in to the dashboard, with one role in one organisation."""

    __tablename__ = "users"

    id: Mapped[int] = mapped_column(primary_key=True)
    organization_id: Mapped[int] = mapped_column(ForeignKey("organizations.id"), index=True)
    email: Mapped[str] = mapped_column(String(254), unique=True)
    name: Mapped[str] = mapped_column(String(200), default="")
    password_hash: Mapped[str] = mapped_column(String(255))
    role: Mapped[str] = mapped_column(String(20), default=Role.REVIEWER)
    is_active: Mapped[bool] = mapped_column(Boolean, default=True)
    blind_review: Mapped[bool] = mapped_column(Boolean, default=False)  # hide others' scores
    # On the candidate page, a score key (1-5) goes on to the next answer to score.
    advance_after_score: Mapped[bool] = mapped_column(Boolean, default=True, server_default=true())
    # Stamped into each sign-in's session; raising it ends every session of this user.
    session_version: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    organization: Mapped[Organization] = relationship(back_populates="users")

    __table_args__ = (CheckConstraint(f"role IN {Role.ALL!r}", name="ck_users_role"),)


class Interview(Base):
    """An employer's interview: the number that answers it, its settings and questions."""

    __tablename__ = "interviews"

    id: Mapped[int] = mapped_column(primary_key=True)
    organization_id: Mapped[int] = mapped_column(ForeignKey("organizations.id"), index=True)
    title: Mapped[str] = mapped_column(String(200))
    phone_number: Mapped[str] = mapped_column(String(20), unique=True)
    language: Mapped[str] = mapped_column(String(20), default="en-US")
    voice: Mapped[str] = mapped_column(String(60), default="Polly.Joanna")
    intro: Mapped[str] = mapped_column(Text, default="")
    closing: Mapped[str] = mapped_column(Text, default="")
    job_details: Mapped[str] = mapped_column(Text, default="")
    # Languages offered, the first being the default (`language` mirrors it), and per
    # language: {"es-MX": {"voice": ..., "title": ..., "intro": ..., "closing": ...,
    # "job_details": ...}}.
    languages: Mapped[list[str]] = mapped_column(JSON, default=lambda: ["en-US"])
    translations: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    retakes: Mapped[int] = mapped_column(Integer, default=0)
    practice: Mapped[bool] = mapped_column(Boolean, default=False)
    deadline: Mapped[datetime | None]
    reminders: Mapped[list[str]] = mapped_column(JSON, default=list)  # e.g. ["48h", "4h"]
    delete_recordings_at_twilio: Mapped[bool] = mapped_column(Boolean, default=False)
    retention_days: Mapped[int | None]  # candidates' personal data purged after this
    # A legal hold stops the retention purge of every candidate of the interview.
    legal_hold: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    organization: Mapped[Organization] = relationship(back_populates="interviews")
    questions: Mapped[list[Question]] = relationship(
        back_populates="interview", order_by="Question.position", cascade="all, delete-orphan"
    )
    candidates: Mapped[list[Candidate]] = relationship(
        back_populates="interview", cascade="all, delete-orphan"
    )

    def offered_languages(self) -> list[str]:
        """The languages callers may choose, the default first."""
        return list(self.languages or [self.language])

    def text(self, name: str, language: str | None) -> str:
        """title, intro, closing, job_details or voice in `language`, else the default's."""
        translated = (self.translations or {}).get(language or "", {}).get(name)
        return translated if translated else getattr(self, name)

    def is_closed(self, now: datetime) -> bool:
        """Whether the deadline has passed at `now`."""
        return self.deadline is not None and now >= self.deadline


class Question(Base):
    """One question of an interview, in order, with its answer limits and knockout rule."""

    __tablename__ = "questions"

    id: Mapped[int] = mapped_column(primary_key=True)
    interview_id: Mapped[int] = mapped_column(ForeignKey("interviews.id", ondelete="CASCADE"))
    position: Mapped[int] = mapped_column(Integer)
    prompt: Mapped[str] = mapped_column(Text)
    kind: Mapped[str] = mapped_column(String(20), default=QuestionKind.VOICE)
    translations: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)  # {lang: prompt}
    max_seconds: Mapped[int] = mapped_column(Integer, default=120)
    min_seconds: Mapped[int] = mapped_column(Integer, default=0)
    think_seconds: Mapped[int] = mapped_column(Integer, default=0)
    retakes: Mapped[int | None]  # None: the interview's setting
    must_be: Mapped[str | None] = mapped_column(String(3))  # knockout: "yes" or "no"
    at_least: Mapped[int | None]  # knockout for number questions
    at_most: Mapped[int | None]

    interview: Mapped[Interview] = relationship(back_populates="questions")

    def prompt_for(self, language: str | None) -> str:
        """The prompt in `language`, else in the interview's default language."""
        return (self.translations or {}).get(language or "") or self.prompt

    @property
    def is_keypad(self) -> bool:
        """Answered on the keypad (yes/no or a number), not spoken."""
        return self.kind in QuestionKind.KEYPAD

    def retakes_allowed(self) -> int:
        """Re-records allowed: the question's own setting, else the interview's."""
        return self.interview.retakes if self.retakes is None else self.retakes

    def knockout_reason(self, digits: str) -> str | None:
        """Why this keypad answer screens the candidate out, or None if it passes."""
        if self.kind == QuestionKind.YES_NO and self.must_be:
            given = "yes" if digits == "1" else "no"
            if given != self.must_be:
                return f"Answered {given} to: {self.prompt}"
        if self.kind == QuestionKind.NUMBER and digits.isdigit():
            value = int(digits)
            if self.at_least is not None and value < self.at_least:
                return f"Answered {value} (at least {self.at_least} needed) to: {self.prompt}"
            if self.at_most is not None and value > self.at_most:
                return f"Answered {value} (at most {self.at_most} allowed) to: {self.prompt}"
        return None

    __table_args__ = (
        UniqueConstraint("interview_id", "position", name="uq_questions_position"),
        CheckConstraint("max_seconds BETWEEN 5 AND 3600", name="ck_questions_max_seconds"),
        CheckConstraint(f"kind IN {QuestionKind.ALL!r}", name="ck_questions_kind"),
    )


# Stands in for "never" (a NULL time) in the candidate list's order, below any real time,
# so that NULLS LAST ordering becomes a plain comparison an index can serve. Written with
# its offset so that PostgreSQL reads the same constant whatever the session's time zone.
EARLIEST_SQL = "'1900-01-01 00:00:00+00:00'"


class Candidate(Base):
    """A person invited to one interview, identified on the phone by caller ID or PIN."""

    __tablename__ = "candidates"

    id: Mapped[int] = mapped_column(primary_key=True)
    interview_id: Mapped[int] = mapped_column(
        ForeignKey("interviews.id", ondelete="CASCADE"), index=True
    )
    name: Mapped[str] = mapped_column(String(200))
    phone: Mapped[str | None] = mapped_column(String(20), index=True)
    pin: Mapped[str] = mapped_column(String(12))
    email: Mapped[str | None] = mapped_column(String(254))
    external_id: Mapped[str | None] = mapped_column(String(100))
    status: Mapped[str] = mapped_column(String(20), default=CandidateStatus.INVITED)
    # The current decision (history in `decisions`): advance, hold or reject.
    decision: Mapped[str | None] = mapped_column(String(10), index=True)
    decided_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    decided_at: Mapped[datetime | None]
    screened_out_reason: Mapped[str | None] = mapped_column(Text)
    language: Mapped[str | None] = mapped_column(String(20))  # chosen on the call
    extra_time: Mapped[float] = mapped_column(Float, default=1.0)  # answer-time multiplier
    slow_speech: Mapped[bool] = mapped_column(Boolean, default=False)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    started_at: Mapped[datetime | None]
    completed_at: Mapped[datetime | None]
    # A legal hold stops the retention purge of this candidate (not an erasure request).
    legal_hold: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    # Erasure (voice/erasure.py): requested (pending) with the reason, what is still owed
    # ({"files": [keys], "recordings": [sids], "messages": [sids]}) and the last failure;
    # `erased_at` is set only once nothing is owed. The row stays as an anonymous tombstone.
    erasure_requested_at: Mapped[datetime | None] = mapped_column(index=True)
    erasure_reason: Mapped[str | None] = mapped_column(String(200))
    erasure_owed: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    erasure_error: Mapped[str | None] = mapped_column(Text)
    erased_at: Mapped[datetime | None]
    # Any change to the row (status, decision, details): the API's `updated_since` filter.
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow, index=True)

    interview: Mapped[Interview] = relationship(back_populates="candidates")
    answers: Mapped[list[Answer]] = relationship(
        back_populates="candidate", order_by="Answer.id", cascade="all, delete-orphan"
    )
    calls: Mapped[list[Call]] = relationship(back_populates="candidate")

    __table_args__ = (
        UniqueConstraint("interview_id", "pin", name="uq_candidates_pin"),
        CheckConstraint(f"status IN {CandidateStatus.ALL!r}", name="ck_candidates_status"),
        # The interview page's order (latest activity first), for keyset pagination:
        # voice/candidate_order.py builds the same expressions (migration 0015).
        Index(
            "ix_candidates_listing",
            "interview_id",
            text(f"coalesce(completed_at, {EARLIEST_SQL}) DESC"),
            text(f"coalesce(started_at, {EARLIEST_SQL}) DESC"),
            text("created_at DESC"),
            text("id DESC"),
        ),
        # The interview page's name order (A-Z, ignoring case), for keyset pagination:
        # voice/candidate_order.py builds the same expressions (migration 0024).
        Index("ix_candidates_name", "interview_id", text("lower(name)"), "id"),
        # One candidate per phone in an interview, so caller ID is never ambiguous
        # (voice/candidates.py says so first; migration 0020). Erasure NULLs the phone.
        Index(
            "uq_candidates_interview_phone",
            "interview_id",
            "phone",
            unique=True,
            postgresql_where=text("phone IS NOT NULL"),
            sqlite_where=text("phone IS NOT NULL"),
        ),
    )


class Call(Base):
    """One telephone call, and where the call flow stands in it."""

    __tablename__ = "calls"

    id: Mapped[int] = mapped_column(primary_key=True)
    call_sid: Mapped[str] = mapped_column(String(64), unique=True)
    interview_id: Mapped[int | None] = mapped_column(
        ForeignKey("interviews.id", ondelete="SET NULL"), index=True
    )
    candidate_id: Mapped[int | None] = mapped_column(
        ForeignKey("candidates.id", ondelete="SET NULL"), index=True
    )
    from_number: Mapped[str] = mapped_column(String(40), default="")
    to_number: Mapped[str] = mapped_column(String(40), default="")
    direction: Mapped[str] = mapped_column(String(20), default="inbound")
    status: Mapped[str] = mapped_column(String(20), default="ringing")
    consented: Mapped[bool] = mapped_column(Boolean, default=False)
    # The consent record: the words of the consent request as spoken (ivr.script's
    # consent_request), their language, the key pressed ("1" agreed, "2" declined) and
    # when it was first pressed (a retried delivery keeps the first time).
    consent_text: Mapped[str | None] = mapped_column(Text)
    consent_language: Mapped[str | None] = mapped_column(String(20))
    consent_key: Mapped[str | None] = mapped_column(String(8))
    consent_at: Mapped[datetime | None]
    pin_attempts: Mapped[int] = mapped_column(Integer, default=0)
    outcome: Mapped[str] = mapped_column(String(40), default="")
    language: Mapped[str | None] = mapped_column(String(20))
    reached_position: Mapped[int] = mapped_column(Integer, default=0)  # furthest question asked
    # Progress through the call flow, kept here (not in URLs) so that a branch of the
    # flow or a retried webhook cannot reset it: the prompt the caller is at, misses
    # (no input or a wrong key) and empty recordings there, prompts served in all, and
    # a hash of the last request's I-Twilio-Idempotency-Token with the reply it got, so
    # that Twilio's retry of that request gets the same reply and is not counted again.
    prompt: Mapped[str] = mapped_column(String(40), default="")
    misses: Mapped[int] = mapped_column(Integer, default=0)
    empty_answers: Mapped[int] = mapped_column(Integer, default=0)
    steps: Mapped[int] = mapped_column(Integer, default=0)
    request_token: Mapped[str | None] = mapped_column(String(64))
    last_reply: Mapped[str | None] = mapped_column(Text)
    started_at: Mapped[datetime] = mapped_column(default=utcnow)
    ended_at: Mapped[datetime | None]
    duration_seconds: Mapped[int | None]

    candidate: Mapped[Candidate | None] = relationship(back_populates="calls")
    interview: Mapped[Interview | None] = relationship()


class Answer(Base):
    """One recorded attempt at one question, and its trip through the pipeline."""

    __tablename__ = "answers"

    id: Mapped[int] = mapped_column(primary_key=True)
    candidate_id: Mapped[int] = mapped_column(
        ForeignKey("candidates.id", ondelete="CASCADE"), index=True
    )
    question_id: Mapped[int] = mapped_column(ForeignKey("questions.id", ondelete="CASCADE"))
    call_id: Mapped[int | None] = mapped_column(ForeignKey("calls.id", ondelete="SET NULL"))
    attempt: Mapped[int] = mapped_column(Integer, default=1)
    kept: Mapped[bool] = mapped_column(Boolean, default=True)
    recording_sid: Mapped[str | None] = mapped_column(String(64), unique=True)
    recording_url: Mapped[str | None] = mapped_column(String(500))
    duration_seconds: Mapped[int | None]  # as Twilio reported it, before trimming
    digits: Mapped[str | None] = mapped_column(String(20))  # keypad answers
    status: Mapped[str] = mapped_column(String(20), default=AnswerStatus.RECORDING)
    error: Mapped[str | None] = mapped_column(Text)
    attempts_failed: Mapped[int] = mapped_column(Integer, default=0)
    retry_at: Mapped[datetime | None]  # when the sweep may retry a failed answer
    original_key: Mapped[str | None] = mapped_column(String(300))
    normalised_key: Mapped[str | None] = mapped_column(String(300))
    playback_key: Mapped[str | None] = mapped_column(String(300))
    playback_seconds: Mapped[float | None] = mapped_column(Float)
    transcript: Mapped[str | None] = mapped_column(Text)
    segments: Mapped[list[dict[str, Any]] | None] = mapped_column(JSON)
    stt_engine: Mapped[str | None] = mapped_column(String(40))
    stt_seconds: Mapped[float | None] = mapped_column(Float)
    # The language the transcript is in (`es`), the one whisper heard and how sure it was
    # (0 to 1), and voice.reliability's flags; `transcript_flagged` is "any flag", indexed
    # so reviewers can filter by it.
    transcript_language: Mapped[str | None] = mapped_column(String(12))
    detected_language: Mapped[str | None] = mapped_column(String(12))
    detected_language_probability: Mapped[float | None] = mapped_column(Float)
    transcript_flags: Mapped[list[str] | None] = mapped_column(JSON)
    transcript_flagged: Mapped[bool] = mapped_column(
        Boolean, default=False, server_default=false(), index=True
    )
    # A person's check and correction of the transcript (voice/corrections.py). Checking
    # or correcting it clears `transcript_flagged` (it then reads "still to check") and
    # keeps the machine's `transcript_flags` for the record. A correction becomes
    # `transcript`, which search, exports, the API and share links read; the speech
    # model's own text moves to `machine_transcript` (NULL while nobody corrected it).
    machine_transcript: Mapped[str | None] = mapped_column(Text)
    transcript_edited_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL")
    )
    transcript_edited_at: Mapped[datetime | None]
    transcript_checked_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL")
    )
    transcript_checked_at: Mapped[datetime | None]
    deleted_at_twilio: Mapped[bool] = mapped_column(Boolean, default=False)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    announced_at: Mapped[datetime | None]
    transcribed_at: Mapped[datetime | None]

    candidate: Mapped[Candidate] = relationship(back_populates="answers")
    question: Mapped[Question] = relationship()
    call: Mapped[Call | None] = relationship()

    __table_args__ = (
        UniqueConstraint("candidate_id", "question_id", "attempt", name="uq_answers_attempt"),
        CheckConstraint(f"status IN {AnswerStatus.ALL!r}", name="ck_answers_status"),
        Index("ix_answers_status", "status"),
    )


class Score(Base):
    """A reviewer's 1-5 score of one answer, or of the candidate overall (answer_id NULL)."""

    __tablename__ = "scores"

    id: Mapped[int] = mapped_column(primary_key=True)
    reviewer_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    candidate_id: Mapped[int] = mapped_column(
        ForeignKey("candidates.id", ondelete="CASCADE"), index=True
    )
    answer_id: Mapped[int | None] = mapped_column(ForeignKey("answers.id", ondelete="CASCADE"))
    value: Mapped[int] = mapped_column(Integer)
    note: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)

    reviewer: Mapped[User] = relationship()

    __table_args__ = (
        CheckConstraint("value BETWEEN 1 AND 5", name="ck_scores_value"),
        # One score per reviewer per answer, and one overall score per reviewer per candidate.
        Index(
            "uq_scores_answer",
            "reviewer_id",
            "answer_id",
            unique=True,
            postgresql_where=answer_id.isnot(None),
            sqlite_where=answer_id.isnot(None),
        ),
        Index(
            "uq_scores_overall",
            "reviewer_id",
            "candidate_id",
            unique=True,
            postgresql_where=answer_id.is_(None),
            sqlite_where=answer_id.is_(None),
        ),
    )


class Message(Base):
    """An SMS sent (or attempted) to a candidate: invitation, reminder, receipt."""

    __tablename__ = "messages"

    id: Mapped[int] = mapped_column(primary_key=True)
    candidate_id: Mapped[int] = mapped_column(
        ForeignKey("candidates.id", ondelete="CASCADE"), index=True
    )
    kind: Mapped[str] = mapped_column(String(40))  # invitation, reminder:48h, receipt
    to: Mapped[str] = mapped_column(String(20))
    body: Mapped[str] = mapped_column(Text)
    message_sid: Mapped[str | None] = mapped_column(String(64))
    error: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    sent_at: Mapped[datetime | None]
    sent_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    # The API key whose request wrote the message (a decision or invitation made through
    # the REST API); None when a person or Screenline itself did.
    sent_by_api_key_id: Mapped[int | None] = mapped_column(
        ForeignKey("api_keys.id", ondelete="SET NULL")
    )

    __table_args__ = (UniqueConstraint("candidate_id", "kind", name="uq_messages_kind"),)


class DecisionKind:
    """A hiring decision on a candidate."""

    ADVANCE = "advance"
    HOLD = "hold"
    REJECT = "reject"
    ALL = (ADVANCE, HOLD, REJECT)


class Invitation(Base):
    """A teammate invited to an organisation by email link or set-up code."""

    __tablename__ = "invitations"

    id: Mapped[int] = mapped_column(primary_key=True)
    organization_id: Mapped[int] = mapped_column(
        ForeignKey("organizations.id", ondelete="CASCADE"), index=True
    )
    email: Mapped[str] = mapped_column(String(254))
    role: Mapped[str] = mapped_column(String(20), default=Role.REVIEWER)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)  # sha256 of the token
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    expires_at: Mapped[datetime]
    accepted_at: Mapped[datetime | None]


class InterviewReviewer(Base):
    """A reviewer-role user who may review one interview."""

    __tablename__ = "interview_reviewers"

    interview_id: Mapped[int] = mapped_column(
        ForeignKey("interviews.id", ondelete="CASCADE"), primary_key=True
    )
    user_id: Mapped[int] = mapped_column(
        ForeignKey("users.id", ondelete="CASCADE"), primary_key=True
    )


class RubricCriterion(Base):
    """A named criterion a question's answers are scored on, 1 to 5."""

    __tablename__ = "rubric_criteria"

    id: Mapped[int] = mapped_column(primary_key=True)
    question_id: Mapped[int] = mapped_column(
        ForeignKey("questions.id", ondelete="CASCADE"), index=True
    )
    position: Mapped[int] = mapped_column(Integer)
    name: Mapped[str] = mapped_column(String(100))
    description: Mapped[str] = mapped_column(Text, default="")


class CriterionScore(Base):
    """One reviewer's 1-5 score of one answer on one rubric criterion."""

    __tablename__ = "criterion_scores"

    id: Mapped[int] = mapped_column(primary_key=True)
    reviewer_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    answer_id: Mapped[int] = mapped_column(ForeignKey("answers.id", ondelete="CASCADE"), index=True)
    criterion_id: Mapped[int] = mapped_column(ForeignKey("rubric_criteria.id", ondelete="CASCADE"))
    value: Mapped[int] = mapped_column(Integer)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)

    __table_args__ = (
        UniqueConstraint("reviewer_id", "answer_id", "criterion_id", name="uq_criterion_scores"),
        CheckConstraint("value BETWEEN 1 AND 5", name="ck_criterion_scores_value"),
    )


class Comment(Base):
    """A note on a candidate, or on one of their answers."""

    __tablename__ = "comments"

    id: Mapped[int] = mapped_column(primary_key=True)
    candidate_id: Mapped[int] = mapped_column(
        ForeignKey("candidates.id", ondelete="CASCADE"), index=True
    )
    answer_id: Mapped[int | None] = mapped_column(ForeignKey("answers.id", ondelete="CASCADE"))
    author_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    body: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    author: Mapped[User | None] = relationship()


class Decision(Base):
    """A decision taken on a candidate (the history; the candidate holds the current one)."""

    __tablename__ = "decisions"

    id: Mapped[int] = mapped_column(primary_key=True)
    candidate_id: Mapped[int] = mapped_column(
        ForeignKey("candidates.id", ondelete="CASCADE"), index=True
    )
    decision: Mapped[str] = mapped_column(String(10))
    decided_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    # The API key whose request made the decision (decided_by_id is then the key's
    # creator, for whom it acts); None when a person decided on the dashboard.
    decided_by_api_key_id: Mapped[int | None] = mapped_column(
        ForeignKey("api_keys.id", ondelete="SET NULL")
    )
    feedback: Mapped[str] = mapped_column(Text, default="")  # written feedback for the candidate
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    decided_by: Mapped[User | None] = relationship()
    decided_by_api_key: Mapped[ApiKey | None] = relationship()

    __table_args__ = (
        CheckConstraint(f"decision IN {DecisionKind.ALL!r}", name="ck_decisions_decision"),
    )


class MessageTemplate(Base):
    """An organisation's editable SMS text for a decision (or another kind of message), in
    one language; a language without a row uses its built-in text."""

    __tablename__ = "message_templates"

    id: Mapped[int] = mapped_column(primary_key=True)
    organization_id: Mapped[int] = mapped_column(ForeignKey("organizations.id", ondelete="CASCADE"))
    kind: Mapped[str] = mapped_column(String(40))  # decision:advance, decision:reject, ...
    # The language the text is in: one of voice.messages.MESSAGE_LANGUAGES ("en", "es").
    language: Mapped[str] = mapped_column(String(10), default="en", server_default="en")
    body: Mapped[str] = mapped_column(Text)

    __table_args__ = (
        UniqueConstraint("organization_id", "kind", "language", name="uq_message_templates"),
    )


class ShareLink(Base):
    """A read-only, expiring, revocable link to one candidate or a shortlist."""

    __tablename__ = "share_links"

    id: Mapped[int] = mapped_column(primary_key=True)
    organization_id: Mapped[int] = mapped_column(
        ForeignKey("organizations.id", ondelete="CASCADE"), index=True
    )
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)  # sha256 of the token
    label: Mapped[str] = mapped_column(String(200), default="")
    candidate_ids: Mapped[list[int]] = mapped_column(JSON, default=list)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    expires_at: Mapped[datetime]
    revoked_at: Mapped[datetime | None]


class ShareView(Base):
    """Someone opened a share link: who they said they were, and when."""

    __tablename__ = "share_views"

    id: Mapped[int] = mapped_column(primary_key=True)
    share_link_id: Mapped[int] = mapped_column(
        ForeignKey("share_links.id", ondelete="CASCADE"), index=True
    )
    viewer: Mapped[str] = mapped_column(String(200), default="")
    ip_address: Mapped[str] = mapped_column(String(64), default="")
    user_agent: Mapped[str] = mapped_column(String(300), default="")
    opened_at: Mapped[datetime] = mapped_column(default=utcnow)


class ApiKey(Base):
    """A key an organisation's integrations use for the REST API (voice/apikeys.py).

    Only the SHA-256 of the secret is kept; `prefix` is its first characters, shown so
    that people can tell keys apart. A read-only key may only read.
    """

    __tablename__ = "api_keys"

    id: Mapped[int] = mapped_column(primary_key=True)
    organization_id: Mapped[int] = mapped_column(
        ForeignKey("organizations.id", ondelete="CASCADE"), index=True
    )
    name: Mapped[str] = mapped_column(String(100))
    prefix: Mapped[str] = mapped_column(String(20))
    key_hash: Mapped[str] = mapped_column(String(64), unique=True)  # sha256 of the secret
    read_only: Mapped[bool] = mapped_column(Boolean, default=False)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    last_used_at: Mapped[datetime | None]
    revoked_at: Mapped[datetime | None]


class IdempotencyRecord(Base):
    """A POST made with an `Idempotency-Key`: what it asked, and the response it got.

    `status_code` is None while the first request is still running; a retry with the
    same key gets the stored response instead of running again.
    """

    __tablename__ = "idempotency_records"

    id: Mapped[int] = mapped_column(primary_key=True)
    api_key_id: Mapped[int] = mapped_column(ForeignKey("api_keys.id", ondelete="CASCADE"))
    key: Mapped[str] = mapped_column(String(255))
    request_hash: Mapped[str] = mapped_column(String(64))  # sha256 of method, path and body
    status_code: Mapped[int | None]
    body: Mapped[str | None] = mapped_column(Text)
    headers: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    __table_args__ = (UniqueConstraint("api_key_id", "key", name="uq_idempotency_key"),)


class WebhookEndpoint(Base):
    """A URL an organisation receives events at, signed with its own secret (voice/webhooks.py)."""

    __tablename__ = "webhook_endpoints"

    id: Mapped[int] = mapped_column(primary_key=True)
    organization_id: Mapped[int] = mapped_column(
        ForeignKey("organizations.id", ondelete="CASCADE"), index=True
    )
    url: Mapped[str] = mapped_column(String(2000))
    events: Mapped[list[str]] = mapped_column(JSON, default=list)
    description: Mapped[str] = mapped_column(String(200), default="")
    secret: Mapped[str] = mapped_column(String(100))  # "whsec_" + base64: needed to sign
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    disabled_at: Mapped[datetime | None]


class WebhookDelivery(Base):
    """One event sent (or to be sent) to one endpoint, with its attempts so far."""

    __tablename__ = "webhook_deliveries"

    id: Mapped[int] = mapped_column(primary_key=True)
    endpoint_id: Mapped[int] = mapped_column(
        ForeignKey("webhook_endpoints.id", ondelete="CASCADE"), index=True
    )
    message_id: Mapped[str] = mapped_column(String(40), unique=True)  # the webhook-id header
    event_type: Mapped[str] = mapped_column(String(40))
    payload: Mapped[dict[str, Any]] = mapped_column(JSON)
    status: Mapped[str] = mapped_column(String(20), default="pending")
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    next_attempt_at: Mapped[datetime | None] = mapped_column(index=True)
    last_status_code: Mapped[int | None]
    last_response_ms: Mapped[int | None]
    last_error: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    delivered_at: Mapped[datetime | None]


class AuditEvent(Base):
    """One entry of an organisation's audit trail: a hash-chained, append-only record of
    who did what, to which candidate or interview, when and from where (voice/audit.py).

    Ids of the rows it names are plain integers, not foreign keys: an entry outlives the
    rows it names and is never changed by their deletion. Personal data sits in
    `actor_data` and `subject_data` only, which voice.audit.scrub may blank.
    """

    __tablename__ = "audit_events"

    id: Mapped[int] = mapped_column(primary_key=True)
    # NULL: the chain of events without an organisation (failed sign-ins for no account).
    organization_id: Mapped[int | None] = mapped_column(ForeignKey("organizations.id"))
    seq: Mapped[int] = mapped_column(Integer)  # 1, 2, 3... within its chain
    created_at: Mapped[datetime]
    action: Mapped[str] = mapped_column(String(40))  # a word of voice.audit.ACTIONS
    actor_kind: Mapped[str] = mapped_column(String(20))  # voice.audit.ActorKind
    actor_id: Mapped[int | None]  # a user, API key or share link id
    actor_label: Mapped[str] = mapped_column(String(200), default="")  # "command line", ...
    candidate_id: Mapped[int | None] = mapped_column(Integer, index=True)
    interview_id: Mapped[int | None]
    answer_id: Mapped[int | None]
    detail: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)  # nothing personal
    actor_data: Mapped[dict[str, Any] | None] = mapped_column(JSON)  # e-mail, name, address
    actor_digest: Mapped[str] = mapped_column(String(64), default="")
    subject_data: Mapped[dict[str, Any] | None] = mapped_column(JSON)  # the candidate's name
    subject_digest: Mapped[str] = mapped_column(String(64), default="")
    prev_hash: Mapped[str] = mapped_column(String(64))
    entry_hash: Mapped[str] = mapped_column(String(64))
    scrubbed_at: Mapped[datetime | None]  # when personal data was removed

    __table_args__ = (
        Index(
            "uq_audit_events_seq",
            "organization_id",
            "seq",
            unique=True,
            postgresql_where=organization_id.isnot(None),
            sqlite_where=organization_id.isnot(None),
        ),
        Index(
            "uq_audit_events_seq_no_org",
            "seq",
            unique=True,
            postgresql_where=organization_id.is_(None),
            sqlite_where=organization_id.is_(None),
        ),
        Index("ix_audit_events_created", "organization_id", "created_at"),
        # The audit page filtered by action or person, newest first by keyset on seq
        # (migration 0017).
        Index("ix_audit_events_action", "organization_id", "action", "seq"),
        Index("ix_audit_events_actor", "organization_id", "actor_kind", "actor_id", "seq"),
    )
