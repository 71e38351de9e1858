"""A reviewer's own settings: blind review (others' scores hidden until they score)."""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, request, url_for
from flask_login import current_user

from dashboard.access import is_admin
from dashboard.review import checked, review
from ivr.services import db
from voice.models import User


@review.route("/settings/review", methods=["GET", "POST"])
def my_settings():
    """Show or save the signed-in user's review settings."""
    session = db()
    me = session.get(User, current_user.id)  # the signed-in user's own row
    if me is None:
        abort(404)
    if request.method == "POST":
        me.blind_review = checked("blind_review")
        session.commit()
        flash(
            "Blind review is on: others' scores stay hidden until you score a candidate."
            if me.blind_review
            else "Blind review is off.",
            "success",
        )
        return redirect(url_for(".my_settings"))
    return render_template("review_settings.html", me=me, is_admin=is_admin(current_user))
