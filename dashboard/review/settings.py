"""The settings page: a reviewer's own settings (blind review: others' scores hidden until
they score; whether a score key goes on to the next answer) and links to the
organisation's settings pages this user's role may open."""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, request, url_for
from flask_login import current_user

from dashboard.access import can_manage, is_admin
from dashboard.review import checked, review
from ivr.services import db
from voice.models import User

# (endpoint, link text, what the page holds): shared links are for admins and recruiters
# (`require_manager`), the other pages for admins only (`require_role(Role.ADMIN)`).
SHARED_LINKS = (
    "share.links",
    "Shared links",
    "Read-only links to candidates for people without an account, and who opened them.",
)
ADMIN_PAGES = (
    (
        "review.message_templates",
        "Decision messages",
        "The text a candidate receives when you tell them a decision.",
    ),
    (
        "privacy.retention_settings",
        "Retention",
        "How long candidates' personal data is kept when an interview sets no period of its own.",
    ),
    (
        "candidates.phone_settings",
        "Phone numbers",
        "The country of phone numbers written without a country code.",
    ),
    (
        "time_zone.time_zone_settings",
        "Time zone",
        "The time zone every date is shown in: texts, calls and these pages.",
    ),
)


def settings_pages(user) -> list[tuple[str, str, str]]:
    """Return the organisation settings pages `user` may open, as (endpoint, name,
    description) tuples: none for a reviewer."""
    pages = [SHARED_LINKS] if can_manage(user) else []
    if is_admin(user):
        pages.extend(ADMIN_PAGES)
    return pages


def saved_message(me: User) -> str:
    """What the settings page says after saving `me`'s review settings: each setting's
    state, in words."""
    blind = (
        "Blind review is on: others' scores stay hidden until you score a candidate."
        if me.blind_review
        else "Blind review is off."
    )
    advance = (
        "A score key goes on to the next answer."
        if me.advance_after_score
        else "A score key stays on the answer it scored."
    )
    return f"{blind} {advance}"


@review.get("/settings")
def settings_home():
    """/settings, typed by hand: the Settings page the header links to (/settings/review)."""
    return redirect(url_for(".my_settings"))


@review.route("/settings/review", methods=["GET", "POST"])
def my_settings():
    """Show or save the signed-in user's review settings."""
    session = db()
    me = session.get(User, current_user.id)  # the signed-in user's own row
    if me is None:
        abort(404)
    if request.method == "POST":
        me.blind_review = checked("blind_review")
        me.advance_after_score = checked("advance_after_score")
        session.commit()
        flash(saved_message(me), "success")
        return redirect(url_for(".my_settings"))
    return render_template("review_settings.html", me=me, pages=settings_pages(current_user))
