"""Candidates in bulk and one by one: the interview's filtered list, CSV import, adding
one candidate, SMS invitations, accommodations, "Call me now", one candidate's invitation
and a candidate's own copy of their data.

The `candidates` blueprint's URLs are listed here in one table; each module holds one
concern (listing.py: the interview page; csv_import.py: the import page over
voice/candidate_import.py; add_one.py: "Add a candidate"; invitations.py: the one path
invitations take, shared with the command line; manage.py: one candidate;
data_export.py: "Export candidate data"; country.py: the organisation's default country
for phone numbers).
"""

from __future__ import annotations

from flask import Blueprint

from dashboard.candidates import add_one, country, csv_import, data_export, invitations, manage
from dashboard.candidates.listing import Filters, interview_page

__all__ = ["Filters", "candidates", "interview_page"]

candidates = Blueprint("candidates", __name__)

candidates.add_url_rule(
    "/interviews/<int:interview_id>/import",
    view_func=csv_import.import_candidates,
    methods=["GET", "POST"],
)
candidates.add_url_rule(
    "/interviews/<int:interview_id>/candidates/new",
    view_func=add_one.add_one,
    methods=["GET", "POST"],
)
candidates.add_url_rule(
    "/interviews/<int:interview_id>/invite", view_func=invitations.invite, methods=["POST"]
)
candidates.add_url_rule("/candidates/<int:candidate_id>/manage", view_func=manage.manage)
candidates.add_url_rule(
    "/candidates/<int:candidate_id>/accommodations",
    view_func=manage.accommodations,
    methods=["POST"],
)
candidates.add_url_rule(
    "/candidates/<int:candidate_id>/call", view_func=manage.call_now, methods=["POST"]
)
candidates.add_url_rule(
    "/candidates/<int:candidate_id>/invite", view_func=manage.text_invitation, methods=["POST"]
)
candidates.add_url_rule(
    "/candidates/<int:candidate_id>/export", view_func=data_export.export_data, methods=["POST"]
)
candidates.add_url_rule(
    "/settings/phones", view_func=country.phone_settings, methods=["GET", "POST"]
)
