"""Scores: the one aggregate over score rows (Tally) and saving a reviewer's 1-5 scores.

A reviewer has at most one score per answer and one overall score per candidate
(unique in the database), and one score per rubric criterion of an answer.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from statistics import fmean

from flask import flash, jsonify, redirect, url_for
from flask_login import current_user
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from dashboard.access import get_visible
from dashboard.auditing import record
from dashboard.flashes import flash_at
from dashboard.forms import ScoreForm
from dashboard.review import review, wants_json
from ivr.services import db
from voice.models import Answer, Candidate, CriterionScore, Score, User

DISAGREEMENT = 2  # reviewers this far apart on one thing scored are flagged
OVERALL = "overall"  # the overall score form's prefix


@dataclass
class Tally:
    """Scores of one thing scored (an answer, the candidate overall, a rubric criterion),
    or of several things together (`combine`).

    `entries` are (reviewer id, value 1-5) pairs; `mine` is the signed-in reviewer's
    Score row when the thing is an answer or the candidate (for the score form).
    """

    entries: list[tuple[int, int]] = field(default_factory=list)
    mine: Score | None = None

    @property
    def by_reviewer(self) -> dict[int, int]:
        """{reviewer id: value} (for one thing scored, each reviewer appears once)."""
        return dict(self.entries)

    @property
    def values(self) -> list[int]:
        """Every value, one per score."""
        return [value for _, value in self.entries]

    @property
    def reviewers(self) -> set[int]:
        """The ids of the reviewers who scored."""
        return {reviewer for reviewer, _ in self.entries}

    @property
    def count(self) -> int:
        """How many scores."""
        return len(self.entries)

    @property
    def mean(self) -> float | None:
        """The mean value, or None without scores."""
        return fmean(self.values) if self.entries else None

    @property
    def spread(self) -> int:
        """Highest minus lowest value (0 for fewer than two scores)."""
        values = self.values
        return max(values) - min(values) if len(values) > 1 else 0

    @property
    def disputed(self) -> bool:
        """Return True when reviewers are DISAGREEMENT or more apart."""
        return self.spread >= DISAGREEMENT

    def seen_by(self, reviewer_id: int, blind: bool) -> Tally:
        """This tally as a reviewer may see it: only their own part under blind review."""
        if not blind:
            return self
        return Tally([e for e in self.entries if e[0] == reviewer_id], self.mine)

    @classmethod
    def combine(cls, tallies) -> Tally:
        """Every score of several tallies together (the candidate's mean score)."""
        return cls([entry for tally in tallies for entry in tally.entries])


@dataclass
class Tallies:
    """A candidate's scores: by answer id (None: overall), by (answer id, criterion id),
    and the display name of everyone who scored, by user id."""

    scores: dict[int | None, Tally]
    criteria: dict[tuple[int, int], Tally]
    names: dict[int, str]


def tallies(session: Session, candidate_id: int, reviewer_id: int) -> Tallies:
    """Every score and rubric score of a candidate, in two queries."""
    scores: dict[int | None, Tally] = defaultdict(Tally)
    names: dict[int, str] = {}
    for score, name, email in session.execute(
        select(Score, User.name, User.email)
        .join(User, User.id == Score.reviewer_id)
        .where(Score.candidate_id == candidate_id)
    ):
        tally = scores[score.answer_id]
        tally.entries.append((score.reviewer_id, score.value))
        if score.reviewer_id == reviewer_id:
            tally.mine = score
        names[score.reviewer_id] = name or email
    criteria: dict[tuple[int, int], Tally] = defaultdict(Tally)
    for cs, name, email in session.execute(
        select(CriterionScore, User.name, User.email)
        .join(User, User.id == CriterionScore.reviewer_id)
        .join(Answer, Answer.id == CriterionScore.answer_id)
        .where(Answer.candidate_id == candidate_id, Answer.kept.is_(True))
    ):
        criteria[(cs.answer_id, cs.criterion_id)].entries.append((cs.reviewer_id, cs.value))
        names[cs.reviewer_id] = name or email
    return Tallies(scores, criteria, names)


def save_score(
    session: Session,
    *,
    reviewer_id: int,
    candidate_id: int,
    answer_id: int | None,
    value: int,
    note: str,
    before_commit: Callable[[], object] | None = None,
) -> Score:
    """Create or update this reviewer's one score for an answer (or overall), and commit.

    `before_commit` runs in the same transaction, just before each try to commit (the
    audit entry). Raises RuntimeError if a concurrent insert wins twice in a row.
    """
    where = [Score.reviewer_id == reviewer_id, Score.candidate_id == candidate_id]
    where.append(Score.answer_id == answer_id if answer_id else Score.answer_id.is_(None))
    for _ in range(2):
        score = session.scalar(select(Score).where(*where))
        if score is None:
            score = Score(
                reviewer_id=reviewer_id,
                candidate_id=candidate_id,
                answer_id=answer_id,
                value=value,
                note=note,
            )
            session.add(score)
        else:
            score.value, score.note = value, note
        try:
            if before_commit is not None:
                before_commit()
            session.commit()
            return score
        except IntegrityError:
            # Another request inserted the same score between our read and write.
            session.rollback()
    raise RuntimeError("could not save the score")


def save_criterion_scores(
    session: Session,
    reviewer_id: int,
    answer_id: int,
    values: dict[int, int],
    before_commit: Callable[[], object] | None = None,
) -> None:
    """Create or update this reviewer's score on each criterion ({criterion id: 1-5}), and
    commit; `before_commit` runs in the same transaction first (the audit entry).
    Raises RuntimeError if a concurrent insert wins twice in a row."""
    for _ in range(2):
        existing = {
            cs.criterion_id: cs
            for cs in session.scalars(
                select(CriterionScore).where(
                    CriterionScore.reviewer_id == reviewer_id, CriterionScore.answer_id == answer_id
                )
            )
        }
        for criterion_id, value in values.items():
            if criterion_id in existing:
                existing[criterion_id].value = value
            else:
                session.add(
                    CriterionScore(
                        reviewer_id=reviewer_id,
                        answer_id=answer_id,
                        criterion_id=criterion_id,
                        value=value,
                    )
                )
        try:
            if before_commit is not None:
                before_commit()
            session.commit()
            return
        except IntegrityError:
            session.rollback()  # a double submit raced us: read again and update
    raise RuntimeError("could not save rubric scores")


def score_prefix(answer_id: int | None) -> str:
    """The form prefix of an answer's score form, or of the overall one."""
    return f"answer-{answer_id}" if answer_id else OVERALL


def _invalid(candidate: Candidate, answer_id: int | None, form: ScoreForm):
    # candidate_page builds on this module's Tally, so it is imported when needed.
    from dashboard.review.candidate_page import render_candidate

    reason = next(iter(form.value.errors or form.note.errors), "Choose a score from 1 to 5.")
    flash(f"Your score was not saved: {reason[0].lower()}{reason[1:]}", "error")
    return render_candidate(candidate, invalid=(answer_id or OVERALL, form), status=422)


@review.post("/answers/<int:answer_id>/score")
def score_answer(answer_id: int):
    """Save the signed-in reviewer's 1-5 score and note for one answer (422 if invalid).

    A form post is answered with a redirect to the candidate page and a flash; a request
    that accepts JSON (review.js's keyboard scoring) with 200 and
    {"saved": true, "value", "answer_id", "message"}, or 409 {"error", "message"} if the
    candidate is erased (the app's CandidateErased handler)."""
    session = db()
    answer = get_visible(session, current_user, Answer, answer_id, change=True)
    form = ScoreForm(prefix=score_prefix(answer.id))
    if not form.validate():
        candidate = get_visible(session, current_user, Candidate, answer.candidate_id)
        return _invalid(candidate, answer.id, form)
    value = form.value.data
    save_score(
        session,
        reviewer_id=current_user.id,
        candidate_id=answer.candidate_id,
        answer_id=answer.id,
        value=value,
        note=(form.note.data or "").strip(),
        before_commit=lambda: record(
            "score", candidate=answer.candidate, answer_id=answer.id, detail={"value": value}
        ),
    )
    message = f"Your score for question {answer.question.position} is saved."
    if wants_json():
        return jsonify(saved=True, value=value, answer_id=answer.id, message=message)
    flash(message, "success")
    return redirect(
        url_for(
            "dashboard.candidate", candidate_id=answer.candidate_id, _anchor=f"answer-{answer.id}"
        )
    )


@review.post("/candidates/<int:candidate_id>/score")
def score_candidate(candidate_id: int):
    """Save the signed-in reviewer's overall 1-5 score and note (422 if invalid); answered
    as score_answer is (JSON where JSON is accepted)."""
    session = db()
    candidate = get_visible(session, current_user, Candidate, candidate_id, change=True)
    form = ScoreForm(prefix=score_prefix(None))
    if not form.validate():
        return _invalid(candidate, None, form)
    value = form.value.data
    save_score(
        session,
        reviewer_id=current_user.id,
        candidate_id=candidate.id,
        answer_id=None,
        value=value,
        note=(form.note.data or "").strip(),
        before_commit=lambda: record(
            "score", candidate=candidate, detail={"value": value, "overall": True}
        ),
    )
    message = f"Your overall score for {candidate.name} is saved."
    if wants_json():
        return jsonify(saved=True, value=value, answer_id=None, message=message)
    flash_at("overall", message)
    return redirect(url_for("dashboard.candidate", candidate_id=candidate.id, _anchor="overall"))
