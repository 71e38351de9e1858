"""The candidate page: ONE view model (CandidatePage), built in the view from a fixed
number of queries, whatever the number of questions, answers or scores.

The template only reads the model; it runs no query and decides no rule: blind review
is applied here (a blinded reviewer's tallies hold only their own scores), and so are
the flags (reviewers disagree, waiting for a decision).
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import UTC, datetime

from flask import render_template, request, url_for
from flask_login import current_user
from sqlalchemy import select
from sqlalchemy.orm import Session, joinedload

from dashboard.access import can_decide, can_manage, can_see_pin, can_see_texts, is_admin
from dashboard.forms import SCORE_LABELS, ScoreForm, TranscriptForm
from dashboard.presenters import (
    AUTOMATIC_SENDER,
    Segment,
    api_key_sender,
    segments_of,
)
from dashboard.review.candidate_calls import CallLine, calls_of, consents_of
from dashboard.review.queue import WAITING_DAYS
from dashboard.review.scoring import DISAGREEMENT, OVERALL, Tally, score_prefix, tallies
from dashboard.review.transcripts import transcript_prefix
from ivr.outbound import nothing_to_ask
from ivr.services import db
from voice import corrections
from voice.attempts import is_answer
from voice.erasure import ErasureState, state_of
from voice.messages import INVITATION, MESSAGE_LANGUAGES, message_language
from voice.models import (
    Answer,
    ApiKey,
    Candidate,
    CandidateStatus,
    Comment,
    Decision,
    Interview,
    Message,
    Question,
    RubricCriterion,
    User,
)
from voice.reliability import language_name
from voice.retention import Retention, retention_of
from voice.reviews import is_scorable

# The sections a redirect back to the page may name, where its flash shows (dashboard/flashes.py).
FLASH_SPOTS = ("overall", "decision")


@dataclass(frozen=True)
class CriterionView:
    """One rubric criterion of an answer: its scores as the reviewer may see them."""

    criterion: RubricCriterion
    tally: Tally
    mine: int | None  # the signed-in reviewer's value, 1-5


@dataclass(frozen=True)
class AnswerView:
    """One question of the interview and what the candidate answered to it."""

    question: Question
    answer: Answer | None  # the kept attempt (or the latest, if none is kept)
    attempts: int
    tally: Tally  # as the reviewer may see it
    form: ScoreForm | None  # None: nothing to hear or read, so nothing to score
    segments: list[Segment]
    criteria: list[CriterionView]
    comments: list[Comment]
    # Checking and correcting the transcript (voice/corrections.py): the form (None when
    # there is no transcript to correct), whether it opens at once (it was posted with
    # an error), and who checked or corrected it ("A former teammate" once removed).
    transcript_form: TranscriptForm | None = None
    transcript_open: bool = False
    checked_by: str | None = None
    edited_by: str | None = None

    @property
    def to_check(self) -> bool:
        """Whether the transcript is flagged and nobody has checked it yet."""
        return corrections.to_check(self.answer)

    @property
    def corrected(self) -> bool:
        """Whether a person's text replaced the machine's."""
        return corrections.is_corrected(self.answer)


@dataclass(frozen=True)
class ScoreColumn:
    """One column of the scores-by-reviewer table: a question's answer, or overall."""

    label: str
    tally: Tally


@dataclass
class CandidatePage:
    """Everything the candidate page shows (see candidate.html)."""

    candidate: Candidate
    interview: Interview
    items: list[AnswerView]
    overall: Tally  # the overall score, as the reviewer may see it
    overall_form: ScoreForm
    everything: Tally  # every answer and overall score together
    blind: bool  # others' scores are hidden from this reviewer for now
    reviewers: list[tuple[int, str]]  # (user id, name), the signed-in reviewer first
    columns: list[ScoreColumn]
    comments: list[Comment]  # about the candidate as a whole
    decisions: list[Decision]  # newest first
    messages: list[tuple[Message, str]]  # (text, who sent it), newest first
    waiting_days: int | None  # days since completion without a decision, if too many
    consents: list[str]  # one consent line per call that asked, oldest call first
    calls: list[CallLine]  # every call of the candidate's, newest first
    next_step: str | None  # after a "call me now" that did not reach them, what to do
    can_manage: bool  # may decide, share and edit rubrics
    shows_pin: bool  # may see the candidate's PIN (dashboard.access.can_see_pin)
    shows_texts: bool  # may read the texts sent to them (dashboard.access.can_see_texts)
    shows_waiting: bool  # may decide, so is waited on (dashboard.access.can_decide)
    is_admin: bool  # may erase the candidate and set a legal hold
    retention: Retention  # when their data is due for deletion, or what holds it
    erasure: ErasureState | None  # an erasure under way or done
    max_spread: int  # the widest disagreement on any one thing scored
    next_url: str
    taken_in: str | None  # the call's language by name ("Spanish"), if not the main one
    main_language: str  # the interview's main language by name ("English")
    texts_in: str  # which language a decision text goes in, and why (decision_language_hint)
    score_labels: dict[int, str] = field(default_factory=lambda: dict(SCORE_LABELS))
    advance_after_score: bool = True  # a score key (1-5) goes on to the next answer

    @property
    def answered(self) -> int:
        """How many questions are answered (voice.attempts: an attempt Twilio kept no
        audio for is not an answer), out of len(items)."""
        return sum(1 for item in self.items if is_answer(item.answer))

    @property
    def invitation(self) -> Message | None:
        """The newest invitation text queued for the candidate, if any."""
        return next((m for m, _ in self.messages if m.kind == INVITATION), None)

    @property
    def shows_invitation(self) -> bool:
        """Whether the facts show the invitation's state: always once one was queued, but
        "Not invited yet" only while the candidate has not started (once they have called
        in, whether they were texted no longer matters)."""
        return self.invitation is not None or self.candidate.status == CandidateStatus.INVITED

    @property
    def disputed(self) -> bool:
        """Return True when reviewers disagree on something (never shown blind)."""
        return not self.blind and self.max_spread >= DISAGREEMENT


@dataclass(frozen=True)
class QuestionAnswer:
    """A question paired with the candidate's answer to it and how many attempts."""

    question: Question
    answer: Answer | None
    attempts: int


def answers_by_question(candidate: Candidate) -> list[QuestionAnswer]:
    """Pair each question of the interview with the candidate's kept (or latest) answer.

    Needs candidate.interview.questions and candidate.answers loaded.
    """
    by_question: dict[int, list[Answer]] = defaultdict(list)
    for answer in candidate.answers:
        by_question[answer.question_id].append(answer)
    pairs = []
    for question in candidate.interview.questions:
        attempts = sorted(by_question.get(question.id, []), key=lambda a: (a.kept, a.attempt))
        pairs.append(QuestionAnswer(question, attempts[-1] if attempts else None, len(attempts)))
    return pairs


def _score_form(answer_id: int | None, tally: Tally, invalid) -> ScoreForm:
    if invalid is not None and invalid[0] == (answer_id or OVERALL):
        return invalid[1]
    data = {"value": tally.mine.value, "note": tally.mine.note} if tally.mine else {}
    # formdata=None: only the form that was posted shows what was posted.
    return ScoreForm(prefix=score_prefix(answer_id), formdata=None, data=data)


def _transcript_form(answer: Answer, invalid) -> TranscriptForm:
    if invalid is not None and invalid[0] == answer.id:
        return invalid[1]
    return TranscriptForm(
        prefix=transcript_prefix(answer.id), formdata=None, data={"text": answer.transcript or ""}
    )


def _people(session: Session, answers: list[Answer]) -> dict[int, str]:
    """{user id: name or e-mail} of whoever checked or corrected these answers'
    transcripts; one query, none when nobody did."""
    ids = {
        ident
        for a in answers
        for ident in (a.transcript_checked_by_id, a.transcript_edited_by_id)
        if ident is not None
    }
    if not ids:
        return {}
    rows = session.execute(select(User.id, User.name, User.email).where(User.id.in_(ids)))
    return {ident: name or email for ident, name, email in rows}


def _who(people: dict[int, str], ident: int | None, when: datetime | None) -> str | None:
    """Who did it (a removed user's id is NULL: "A former teammate"); None if nobody did."""
    return None if when is None else people.get(ident or 0, "A former teammate")


def _criteria(session: Session, questions: list[Question]) -> dict[int, list[RubricCriterion]]:
    found: dict[int, list[RubricCriterion]] = defaultdict(list)
    if questions:
        for criterion in session.scalars(
            select(RubricCriterion)
            .where(RubricCriterion.question_id.in_([q.id for q in questions]))
            .order_by(RubricCriterion.position, RubricCriterion.id)
        ):
            found[criterion.question_id].append(criterion)
    return found


def _comments(session: Session, candidate_id: int) -> dict[int | None, list[Comment]]:
    found: dict[int | None, list[Comment]] = defaultdict(list)
    for comment in session.scalars(
        select(Comment)
        .options(joinedload(Comment.author))
        .where(Comment.candidate_id == candidate_id)
        .order_by(Comment.created_at, Comment.id)
    ):
        found[comment.answer_id].append(comment)
    return found


def _messages(session: Session, candidate_id: int) -> list[tuple[Message, str]]:
    """The candidate's texts, newest first, each with who sent it: an API key as
    `api_key_sender` names it, else the user's name (or e-mail), else Screenline."""
    sender = User.__table__.alias("sender")
    key = ApiKey.__table__.alias("key")
    return [
        (message, api_key_sender(key_name) if key_name else name or email or AUTOMATIC_SENDER)
        for message, key_name, name, email in session.execute(
            select(Message, key.c.name, sender.c.name, sender.c.email)
            .outerjoin(key, key.c.id == Message.sent_by_api_key_id)
            .outerjoin(sender, sender.c.id == Message.sent_by_id)
            .where(Message.candidate_id == candidate_id)
            .order_by(Message.created_at.desc(), Message.id.desc())
        )
    ]


def taken_in(candidate: Candidate) -> str | None:
    """The language the candidate took the interview in, by name ("Spanish"), when it is
    not the interview's main language; None when it is, or when no call chose one.

    Two codes of one language (en-GB on an en-US interview) keep the code: "English (en-GB)".
    Needs candidate.interview loaded.
    """
    chosen, main = candidate.language, candidate.interview.language
    if not chosen or chosen == main:
        return None
    name = language_name(chosen)
    return f"{name} ({chosen})" if name == language_name(main) else name


def decision_language_hint(candidate: Candidate) -> str:
    """The decision form's words on the language of the text (voice.messages.message_language)
    and on the manager's note, which is sent as typed: "Sam took the interview in Spanish:
    the text goes in Spanish; your note is sent as you write it." Needs candidate.interview
    loaded."""
    first = candidate.name.split()[0] if candidate.name.strip() else "The candidate"
    goes = language_name(message_language(candidate))
    note = "your note is sent as you write it."
    if candidate.language:
        took = language_name(candidate.language)
        said = f"{first} took the interview in {took}: the text goes in {goes}"
    else:  # no call chose a language yet: the interview's main language
        took = language_name(candidate.interview.language)
        said = f"The text to {first} goes in {goes}"
        if took == goes:
            return f"{said}, the interview's language; {note}"
    if took != goes:
        written = " and ".join(language_name(code) for code in MESSAGE_LANGUAGES)
        said += f" (texts are written in {written} only)"
    return f"{said}; {note}"


def waiting_days(candidate: Candidate, now: datetime | None = None) -> int | None:
    """Days since a completed candidate finished without a decision, if WAITING_DAYS+."""
    if candidate.status != CandidateStatus.COMPLETED or candidate.decision is not None:
        return None
    if candidate.erasure_requested_at is not None:
        return None
    if candidate.completed_at is None:
        return None
    days = ((now or datetime.now(UTC)) - candidate.completed_at).days
    return days if days >= WAITING_DAYS else None


def build(
    session: Session,
    user,
    candidate: Candidate,
    *,
    invalid: tuple[int | str, ScoreForm] | None = None,
    transcript_invalid: tuple[int, TranscriptForm] | None = None,
    queue_interview: int | None = None,
) -> CandidatePage:
    """Build the candidate page for `user` (the signed-in reviewer).

    `candidate` comes from dashboard.access with its interview, questions and answers
    loaded; `invalid` is (answer id or "overall", the posted form) to show again with its
    errors, `transcript_invalid` (answer id, the posted transcript form) likewise;
    `queue_interview` keeps "next unreviewed" within one interview's queue.
    """
    me = session.get(User, user.id)
    scored = tallies(session, candidate.id, user.id)
    blind = bool(me and me.blind_review and user.id not in scored.names)
    shown = [user.id] if blind else list(scored.names)
    reviewers = sorted(
        ((i, "You" if i == user.id else scored.names[i]) for i in shown if i in scored.names),
        key=lambda r: (r[0] != user.id, r[1].lower()),
    )
    pairs = answers_by_question(candidate)
    criteria = _criteria(session, candidate.interview.questions)
    comments = _comments(session, candidate.id)
    people = _people(session, [qa.answer for qa in pairs if qa.answer is not None])

    def seen(tally: Tally | None) -> Tally:
        """A tally as this reviewer may see it (blind review applied)."""
        return (tally or Tally()).seen_by(user.id, blind)

    items, columns = [], []
    for qa in pairs:
        answer = qa.answer
        tally = scored.scores.get(answer.id) if answer else None
        form = None
        if is_scorable(answer):
            # Only what a reviewer can hear or read gets a score form (voice.reviews).
            form = _score_form(answer.id, tally or Tally(), invalid)
        rubric = []
        if answer is not None:
            for criterion in criteria.get(qa.question.id, []):
                full = scored.criteria.get((answer.id, criterion.id)) or Tally()
                rubric.append(CriterionView(criterion, seen(full), full.by_reviewer.get(user.id)))
            columns.append(ScoreColumn(f"Q{qa.question.position}", seen(tally)))
        items.append(
            AnswerView(
                question=qa.question,
                answer=answer,
                attempts=qa.attempts,
                tally=seen(tally),
                form=form,
                segments=segments_of(answer),
                criteria=rubric,
                comments=comments.get(answer.id, []) if answer else [],
                transcript_form=(
                    _transcript_form(answer, transcript_invalid)
                    if corrections.can_correct(answer)
                    else None
                ),
                transcript_open=bool(
                    answer and transcript_invalid and transcript_invalid[0] == answer.id
                ),
                checked_by=(
                    _who(people, answer.transcript_checked_by_id, answer.transcript_checked_at)
                    if answer
                    else None
                ),
                edited_by=(
                    _who(people, answer.transcript_edited_by_id, answer.transcript_edited_at)
                    if answer
                    else None
                ),
            )
        )
    overall = scored.scores.get(None) or Tally()
    columns.append(ScoreColumn("Overall", seen(overall)))
    decisions = session.scalars(
        select(Decision)
        .options(joinedload(Decision.decided_by), joinedload(Decision.decided_by_api_key))
        .where(Decision.candidate_id == candidate.id)
        .order_by(Decision.created_at.desc(), Decision.id.desc())
    ).all()
    calls, next_step = calls_of(session, candidate.id)
    if nothing_to_ask(candidate) is not None:
        next_step = None  # no "call again": a call would only say goodbye (ivr.outbound)
    next_args = {"after": candidate.id}
    if queue_interview is not None:
        next_args["interview_id"] = queue_interview
    return CandidatePage(
        candidate=candidate,
        interview=candidate.interview,
        items=items,
        overall=seen(overall),
        overall_form=_score_form(None, overall, invalid),
        everything=Tally.combine(scored.scores.values()),
        blind=blind,
        reviewers=reviewers,
        columns=columns,
        comments=comments.get(None, []),
        decisions=list(decisions),
        messages=_messages(session, candidate.id),
        waiting_days=waiting_days(candidate),
        consents=consents_of(session, candidate),
        calls=calls,
        next_step=next_step,
        can_manage=can_manage(user),
        shows_pin=can_see_pin(user),
        shows_texts=can_see_texts(user),
        shows_waiting=can_decide(user),
        is_admin=is_admin(user),
        retention=retention_of(session, candidate),
        erasure=state_of(candidate),
        max_spread=max(
            (t.spread for t in [*scored.scores.values(), *scored.criteria.values()]), default=0
        ),
        next_url=url_for("review.next_candidate", **next_args),
        taken_in=taken_in(candidate),
        main_language=language_name(candidate.interview.language),
        texts_in=decision_language_hint(candidate),
        advance_after_score=me.advance_after_score if me else True,
    )


def render_candidate(
    candidate: Candidate,
    *,
    invalid=None,
    transcript_invalid=None,
    comment_invalid: tuple[int | None, str, str] | None = None,
    decision_invalid=None,
    share_invalid=None,
    status: int = 200,
):
    """Render the candidate page for the signed-in reviewer; returns (html, status).
    `invalid` and `transcript_invalid` are `build`'s; `comment_invalid` is a refused
    comment's (answer id or None for the candidate, its text, why), shown in its box;
    `decision_invalid` a refused decision form (dashboard.review.decisions.DecisionForm)
    and `share_invalid` a refused share form (dashboard.share.ShareForm), each shown as
    it was sent with why."""
    page = build(
        db(),
        current_user,
        candidate,
        invalid=invalid,
        transcript_invalid=transcript_invalid,
        queue_interview=request.args.get("queue", type=int),
    )
    return (
        render_template(
            "candidate.html",
            page=page,
            candidate=candidate,
            interview=candidate.interview,
            comment_invalid=comment_invalid,
            decision_invalid=decision_invalid,
            share_invalid=share_invalid,
            flash_spots=FLASH_SPOTS,
        ),
        status,
    )
