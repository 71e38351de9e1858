"""Read-only links to one candidate or a shortlist, for someone without an account.

A link's token is random (`secrets.token_urlsafe(32)`) and only its sha256 is stored,
so the database never holds a usable link; the URL is shown once, when it is made.
Links expire (1 to 30 days) and can be revoked. The visitor gives a name once per
browser session; each such opening is recorded as a ShareView. The shared page shows
answers, transcripts and audio of exactly the linked candidates, nothing else.
"""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from flask import (
    Blueprint,
    abort,
    flash,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask_login import current_user
from sqlalchemy import func, select

from dashboard.access import (
    ERASED_MESSAGE,
    erased_skipped,
    find_in_organization,
    get_visible,
    public,
    require_manager,
    select_in_organization,
    select_visible,
    split_erased,
)
from dashboard.auditing import address, record
from dashboard.auth import safe_next
from dashboard.local_dates import read_for
from dashboard.media import (
    audio_response,
    playable,
    silences_response,
    starts_playing,
    waveform_response,
)
from dashboard.presenters import segments_of
from dashboard.review import posted_ids
from dashboard.review.candidate_page import answers_by_question, render_candidate
from ivr.services import db
from voice import corrections
from voice.audit import Actor
from voice.models import Answer, Candidate, Organization, ShareLink, ShareView, User

share = Blueprint("share", __name__)

MAX_DAYS = 30
MAX_CANDIDATES = 50
MAX_LABEL = 200  # characters of a link's label (ShareLink.label String(200))
MAX_VIEWER = 200  # characters of the name a visitor gives (ShareView.viewer String(200))
SESSION_KEY = "share_viewers"  # {link id: the name the visitor gave}


def token_hash(token: str) -> str:
    """The sha256 hex digest stored for a link's token."""
    return hashlib.sha256(token.encode()).hexdigest()


def link_state(link: ShareLink, now: datetime | None = None) -> str:
    """'revoked', 'expired' or 'active' at `now` (aware; default: the current time)."""
    now = now or datetime.now(UTC)
    if link.revoked_at is not None:
        return "revoked"
    if link.expires_at <= now:
        return "expired"
    return "active"


@share.after_request
def private_headers(response):
    """Keep share pages out of Referer headers, search engines and shared caches."""
    # Tokens sit in these URLs: never leak them in a Referer, never let a proxy keep a copy.
    response.headers["Referrer-Policy"] = "no-referrer"
    response.headers["X-Robots-Tag"] = "noindex, nofollow"
    if request.endpoint in ("share.create", "share.public_view"):
        response.headers["Cache-Control"] = "no-store"
    return response


@share.errorhandler(404)
def not_found(_error):
    """Explain a link that does not open (expired, revoked or mistyped)."""
    return (
        render_template(
            "error.html",
            title="This link doesn't work",
            message="It may have expired or been revoked, or it was copied incompletely. "
            "Ask the person who sent it for a new link.",
        ),
        404,
    )


# ---------------------------------------------------------------- managing links


@dataclass(frozen=True)
class ShareForm:
    """A refused "Share without a login" form as it was sent, to show again (422).

    `days` and `label` are the posted text, whole (the label is never cut); `field` is
    what the refusal is about ("candidate_ids", "days" or "label"); `problem` says why in
    one sentence."""

    days: str
    label: str
    field: str
    problem: str


@share.post("/share")
@require_manager
def create():
    """Create a read-only link to 1 to MAX_CANDIDATES candidates the manager may see;
    erased candidates are left out (none left: nothing is made).

    A refusal makes nothing and answers 422 with the form as it was sent and why: on the
    candidate's page when it shares one candidate, else on a page of its own that lists
    the candidates chosen. Only erased candidates: a flash and back (to `next` or the
    links), as every action on an erased candidate. Another organisation's candidate is
    404."""
    db_session = db()
    ids = posted_ids("candidate_ids")
    found: list[Candidate] = []
    erased: list[Candidate] = []
    if ids and len(ids) <= MAX_CANDIDATES:
        found = list(
            db_session.scalars(
                select_visible(current_user, Candidate)
                .where(Candidate.id.in_(ids))
                .order_by(Candidate.name)
            )
        )
        if len(found) != len(ids):
            abort(404)
        found, erased = split_erased(found)
    days = request.form.get("days", type=int) or 0
    typed = request.form.get("label", "")
    label = typed.strip()
    refused = None
    if not ids or len(ids) > MAX_CANDIDATES:
        refused = ("candidate_ids", f"Select 1 to {MAX_CANDIDATES} candidates to share.")
    elif not found:  # erased, as every action on an erased candidate: a flash and back
        flash(ERASED_MESSAGE if len(erased) == 1 else erased_skipped(len(erased)), "error")
        return redirect(safe_next(request.form.get("next")) or url_for(".links"))
    elif not 1 <= days <= MAX_DAYS:
        refused = ("days", f"Choose an expiry of 1 to {MAX_DAYS} days.")
    elif len(label) > MAX_LABEL:  # ShareLink.label String(200): refused, never cut
        refused = (
            "label",
            f"Keep the link's label to at most {MAX_LABEL} characters: no link was made.",
        )
    if erased:
        flash(erased_skipped(len(erased)) + " The link leaves them out.", "warning")
    if refused is not None:
        sent = ShareForm(request.form.get("days", ""), typed, *refused)
        if len(found) == 1 and not erased:  # the form it was typed in: the candidate's page
            return render_candidate(found[0], share_invalid=sent, status=422)
        return render_template("share_form.html", candidates=found, sent=sent), 422
    if not label:
        label = found[0].name if len(found) == 1 else f"Shortlist of {len(found)}"
    token = secrets.token_urlsafe(32)
    link = ShareLink(
        organization_id=current_user.organization_id,
        token_hash=token_hash(token),
        label=label,
        candidate_ids=[c.id for c in found],
        created_by_id=current_user.id,
        expires_at=datetime.now(UTC) + timedelta(days=days),
    )
    db_session.add(link)
    db_session.flush()
    _record(link, "share_link_created", detail={"days": days})
    db_session.commit()
    url = url_for(".public_view", token=token, _external=True)
    return render_template("share_created.html", link=link, url=url, candidates=found, days=days)


@share.get("/share/links")
@require_manager
def links():
    """List the organisation's share links with who opened them and when."""
    db_session = db()
    creator = User.__table__.alias("creator")
    views = (
        select(
            ShareView.share_link_id.label("link_id"),
            func.count(ShareView.id).label("views"),
            func.max(ShareView.opened_at).label("last_opened"),
        )
        .group_by(ShareView.share_link_id)
        .subquery()
    )
    rows = db_session.execute(
        select_visible(current_user, ShareLink)
        .add_columns(
            func.coalesce(creator.c.name, creator.c.email),
            func.coalesce(views.c.views, 0),
            views.c.last_opened,
        )
        .outerjoin(creator, creator.c.id == ShareLink.created_by_id)
        .outerjoin(views, views.c.link_id == ShareLink.id)
        .order_by(ShareLink.created_at.desc(), ShareLink.id.desc())
        .limit(200)
    ).all()
    link_ids = [row[0].id for row in rows]
    recent: dict[int, list[ShareView]] = {}
    names: dict[int, str] = {}
    if link_ids:
        for view in db_session.scalars(
            select(ShareView)
            .where(ShareView.share_link_id.in_(link_ids))
            .order_by(ShareView.opened_at.desc())
        ):
            recent.setdefault(view.share_link_id, []).append(view)
        wanted = {cid for row in rows for cid in row[0].candidate_ids or []}
        if wanted:
            names = dict(
                (c.id, c.name)
                for c in db_session.scalars(
                    select_in_organization(current_user.organization_id, Candidate).where(
                        Candidate.id.in_(wanted)
                    )
                )
            )
    return render_template(
        "share_links.html",
        rows=rows,
        recent=recent,
        names=names,
        state=link_state,
        now=datetime.now(UTC),
    )


@share.post("/share/links/<int:link_id>/revoke")
@require_manager
def revoke(link_id: int):
    """Revoke a link: it stops opening at once."""
    db_session = db()
    link = get_visible(db_session, current_user, ShareLink, link_id)
    if link.revoked_at is None:
        link.revoked_at = datetime.now(UTC)
        _record(link, "share_link_revoked")
        db_session.commit()
    flash(f"The link “{link.label}” is revoked: it no longer opens.", "success")
    return redirect(url_for(".links"))


def _record(link: ShareLink, action: str, actor: Actor | None = None, detail=None) -> None:
    """Audit a share link's event: its id and candidates; its label (which may name a
    candidate) as removable subject data; the candidate's id when it lists only one."""
    ids = [int(i) for i in link.candidate_ids or []]
    record(
        action,
        actor=actor,
        organization_id=link.organization_id,
        candidate_id=ids[0] if len(ids) == 1 else None,
        detail={"link_id": link.id, "candidate_ids": ids, **(detail or {})},
        subject={"label": link.label} if link.label else None,
    )


# ---------------------------------------------------------------- the public side


def _live_link(token: str) -> ShareLink:
    if not token or len(token) > 128:
        abort(404)
    link = db().scalar(select(ShareLink).where(ShareLink.token_hash == token_hash(token)))
    if link is None or link_state(link) != "active":
        abort(404)
    return link


def _viewer(link: ShareLink) -> str | None:
    return (session.get(SESSION_KEY) or {}).get(str(link.id))


@share.route("/s/<token>", methods=["GET", "POST"])
@public
def public_view(token: str):
    """Ask the visitor's name once, then show the linked candidates' answers, with dates in
    the sharing organisation's time zone."""
    link = _live_link(token)
    read_for(db().get(Organization, link.organization_id))
    error = None
    if request.method == "POST":
        name = " ".join(request.form.get("viewer", "").split())
        if not name:
            error = "Enter your name to open the shared interviews."
        elif len(name) > MAX_VIEWER:  # ShareView.viewer String(200): refused, never cut
            error = f"Keep your name to at most {MAX_VIEWER} characters."
        else:
            db_session = db()
            db_session.add(
                ShareView(
                    share_link_id=link.id,
                    viewer=name,
                    ip_address=(request.remote_addr or "")[:64],
                    user_agent=(request.user_agent.string or "")[:300],
                )
            )
            _record(link, "share_link_opened", actor=Actor.share_link(link.id, name, address()))
            db_session.commit()
            viewers = dict(session.get(SESSION_KEY) or {})
            viewers[str(link.id)] = name
            session[SESSION_KEY] = viewers
            return redirect(url_for(".public_view", token=token))
    viewer = _viewer(link)
    if viewer is None:
        return render_template("share_name.html", link=link, error=error), (422 if error else 200)
    people = []
    for candidate_id in link.candidate_ids or []:
        candidate = find_in_organization(db(), link.organization_id, Candidate, candidate_id)
        if candidate is None:
            continue
        # A corrected transcript is shown as its text: the timed segments are the machine's.
        items = [
            (qa, [] if corrections.is_corrected(qa.answer) else segments_of(qa.answer))
            for qa in answers_by_question(candidate)
        ]
        people.append((candidate, items))
    return render_template("share_view.html", link=link, token=token, people=people, viewer=viewer)


def _shared_answer(token: str, answer_id: int) -> Answer:
    """An answer of one of the link's candidates, once the visitor has given a name."""
    link = _live_link(token)
    if _viewer(link) is None:
        abort(404)
    answer = db().scalar(
        select_in_organization(link.organization_id, Answer).where(
            Answer.id == answer_id,
            Answer.candidate_id.in_([int(i) for i in link.candidate_ids or []]),
        )
    )
    return playable(answer)


@share.get("/s/<token>/audio/<int:item>.mp3")
@public
def public_audio(token: str, item: int):
    """Serve a shared answer's playback MP3; audit the play ("answer_played")."""
    answer = _shared_answer(token, item)
    if starts_playing():
        link = _live_link(token)
        record(
            "answer_played",
            actor=Actor.share_link(link.id, _viewer(link) or "", address()),
            organization_id=link.organization_id,
            candidate_id=answer.candidate_id,
            answer_id=answer.id,
            detail={"link_id": link.id},
        )
        db().commit()
    return audio_response(answer)


@share.get("/s/<token>/waveform/<int:item>.svg")
@public
def public_waveform(token: str, item: int):
    """Serve a shared answer's waveform picture."""
    return waveform_response(_shared_answer(token, item))


@share.get("/s/<token>/silences/<int:item>.json")
@public
def public_silences(token: str, item: int):
    """Serve a shared answer's long silences."""
    return silences_response(_shared_answer(token, item))
