"""The web application factory: one process serves the IVR webhooks and the dashboard.

`create_app` is a short list of register_* steps; every app-wide hook (the login guard,
security headers, template filters, error pages) is registered here and nowhere else.
"""

from __future__ import annotations

import time
from datetime import timedelta
from urllib.parse import urlsplit, urlunsplit

from flask import Flask, flash, g, jsonify, redirect, render_template, request, url_for
from flask.sessions import SecureCookieSessionInterface
from werkzeug.exceptions import HTTPException
from werkzeug.middleware.proxy_fix import ProxyFix

from config.logging import bind, setup_logging, unbind
from config.settings import Settings, load_settings
from ivr.fields import MAX_BODY_BYTES
from ivr.services import close_session, db, init_services
from ivr.views import ivr
from ivr.views.webhook import is_webhook_path, plain_error


def create_app(settings: Settings | None = None) -> Flask:
    """Build the app from settings (read from the environment when not given)."""
    settings = settings or load_settings()
    app = Flask(__name__)
    register_config(app, settings)
    register_logging(app, settings)
    init_services(app, settings)
    app.teardown_appcontext(close_session)  # one database session per request
    register_security(app)
    register_access(app)
    register_blueprints(app)
    register_metrics(app)
    register_api(app, settings)
    register_presentation(app)
    register_error_pages(app)
    return app


class DashboardSessions(SecureCookieSessionInterface):
    """Flask's signed-cookie sessions for the dashboard, and none for Twilio's webhooks.

    A webhook carries no cookie and never signs anyone in: it gets Flask's null session,
    so no signing serializer is built and no cookie is read or written (about a tenth of
    a first webhook's CPU time, bench/profile_webhooks.py). Writing to that session
    raises, which no IVR view does.
    """

    def open_session(self, app: Flask, request):
        """None (the null session) under the IVR's prefix; the signed cookie elsewhere."""
        if is_webhook_path(request.path):
            return None
        return super().open_session(app, request)


def register_config(app: Flask, settings: Settings) -> None:
    """Cookies, session lifetimes, upload size and CSRF from settings; trust one proxy if told.

    The session cookie is HttpOnly and SameSite=Lax always, and Secure in production;
    webhooks have no session (DashboardSessions).
    """
    app.session_interface = DashboardSessions()
    app.config.update(
        SECRET_KEY=settings.secret_key,
        SESSION_COOKIE_HTTPONLY=True,
        SESSION_COOKIE_SAMESITE="Lax",
        SESSION_COOKIE_SECURE=settings.is_production,
        REMEMBER_COOKIE_SECURE=settings.is_production,
        REMEMBER_COOKIE_HTTPONLY=True,
        PERMANENT_SESSION_LIFETIME=timedelta(hours=12),  # the longest any session lasts
        SESSION_IDLE_SECONDS=settings.session_idle_minutes * 60,  # dashboard.auth signs out
        MAX_CONTENT_LENGTH=2 * 1024 * 1024,
        WTF_CSRF_TIME_LIMIT=None,
        TESTING=settings.env == "test",
    )

    @app.before_request
    def limit_webhook_body():
        """Twilio's webhooks take at most ivr.fields.MAX_BODY_BYTES (413 beyond it)."""
        if request.blueprint == ivr.name:
            request.max_content_length = MAX_BODY_BYTES

    if settings.trust_proxy:
        # Behind one TLS-terminating proxy: trust its X-Forwarded-Proto/Host so that
        # Twilio signatures are checked against the URL Twilio actually called.
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=1, x_proto=1, x_host=1, x_port=1)


def register_logging(app: Flask, settings: Settings) -> None:
    """Log at the configured level and format, masking the secrets in settings; webhook
    log records carry the call's SID."""
    setup_logging(settings.log_level, settings.secrets(), settings.log_format)

    @app.before_request
    def bind_call_sid():
        """Name the call in every record a webhook logs (and nothing left from before)."""
        unbind()
        if request.blueprint == ivr.name:
            bind(call_sid=request.form.get("CallSid") or request.args.get("CallSid"))


def register_security(app: Flask) -> None:
    """Sign-in and CSRF (dashboard.auth), and security headers on every response."""
    from dashboard.auth import init_auth

    init_auth(app)

    @app.after_request
    def security_headers(response):
        """Forbid framing and sniffing; only this site's scripts, media and images."""
        response.headers.setdefault("X-Content-Type-Options", "nosniff")
        response.headers.setdefault("X-Frame-Options", "DENY")
        response.headers.setdefault("Referrer-Policy", "same-origin")
        response.headers.setdefault(
            "Content-Security-Policy",
            "default-src 'self'; img-src 'self' data:; media-src 'self'; "
            "style-src 'self' 'unsafe-inline'; frame-ancestors 'none'",
        )
        return response


def register_access(app: Flask) -> None:
    """Every page needs a signed-in user except the IVR (Twilio signs it), the API (keys,
    dashboard/api/auth.py) and `@public` views."""
    from dashboard.access import require_login
    from dashboard.api import API_BLUEPRINTS

    app.extensions["screenline.public_blueprints"] = frozenset({ivr.name, *API_BLUEPRINTS})
    app.before_request(require_login)


def register_blueprints(app: Flask) -> None:
    """The IVR webhooks and every dashboard blueprint."""
    from dashboard import (
        admin,
        audit,
        candidates,
        export,
        insights,
        integrations,
        interviews,
        privacy,
        search,
        share,
        time_zone,
    )
    from dashboard.media import media_files
    from dashboard.review import review
    from dashboard.views import dashboard

    app.register_blueprint(ivr)
    app.register_blueprint(dashboard)
    app.register_blueprint(media_files)
    app.register_blueprint(admin.admin)
    app.register_blueprint(audit.audit_page)
    app.register_blueprint(integrations.integrations)
    app.register_blueprint(interviews.builder)
    app.register_blueprint(candidates.candidates)
    app.register_blueprint(insights.insights)
    app.register_blueprint(export.export)
    app.register_blueprint(review)
    app.register_blueprint(share.share)
    app.register_blueprint(search.search)
    app.register_blueprint(privacy.privacy)
    app.register_blueprint(time_zone.time_zone)


def register_metrics(app: Flask) -> None:
    """/healthz, /readyz and /metrics (dashboard/ops.py), and every webhook's latency by
    route and status (config/metrics.py)."""
    from config.metrics import WEBHOOK_SECONDS
    from dashboard.ops import ops

    app.register_blueprint(ops)

    @app.before_request
    def start_clock():
        """Note when a webhook request began."""
        if request.blueprint == ivr.name:
            g.webhook_started = time.perf_counter()

    @app.after_request
    def time_webhook(response):
        """Observe the webhook's time, labelled by its route pattern (never its values)."""
        started = g.pop("webhook_started", None)
        if started is not None:
            route = request.url_rule.rule if request.url_rule else "unmatched"
            WEBHOOK_SECONDS.labels(route, str(response.status_code)).observe(
                time.perf_counter() - started
            )
        return response


def register_api(app: Flask, settings: Settings) -> None:
    """The REST API under /api/v1 (dashboard/api/): keys, rate limits, OpenAPI, problem details."""
    from dashboard.api import init_api

    init_api(app, settings)


def register_presentation(app: Flask) -> None:
    """Template filters (dates in the reader's time zone among them) and the status words
    and tones every template uses."""
    from dashboard import local_dates, presenters

    presenters.init_app(app)
    local_dates.init_app(app)


def _kept_headers(error: HTTPException) -> list[tuple[str, str]]:
    """The error's own headers (Allow on a 405, Retry-After on a 429) without its
    Content-Type, for a page rendered in its place."""
    return [(k, v) for k, v in error.get_headers() if k.lower() != "content-type"]


def upload_limit_words(limit: int) -> str:
    """A byte limit as people say it: 2097152 -> "2 MB", 524288 -> "512 KB"."""
    if limit % 2**20 == 0:
        return f"{limit // 2**20} MB"
    if limit % 2**10 == 0:
        return f"{limit // 2**10} KB"
    return f"{limit:,} bytes"


def _same_site_referrer() -> str | None:
    """The page the request came from, when it is one of this site's (a way back)."""
    referrer = request.referrer
    if not referrer:
        return None
    parts = urlsplit(referrer)
    if parts.netloc != request.host or parts.scheme not in ("http", "https"):
        return None
    return urlunsplit(("", "", parts.path or "/", parts.query, ""))


def register_error_pages(app: Flask) -> None:
    """Friendly 403, 404 and 405 pages for people, a 413 naming the upload limit
    (MAX_CONTENT_LENGTH) with a way back, and the same page naming any other HTTP error;
    every error under /ivr/ is one text/plain line for Twilio's debugger
    (ivr.views.webhook.plain_error); the API answers every error as problem details. A
    change refused because the candidate is erased (dashboard.access.CandidateErased) is
    a flash and the candidate's page for people, 409 JSON {"error": "candidate-erased",
    "message"} for the page's own script (dashboard.review.wants_json), 409
    `candidate-erased` on the API."""
    from dashboard.access import CandidateErased
    from dashboard.api import api_error, is_api_request
    from dashboard.api.problems import Problem, problem_response, too_large_detail
    from dashboard.review import wants_json

    pages = {
        403: ("Not allowed", "Your role doesn't allow this. Ask an admin of your organisation."),
        404: ("Not found", "There is nothing here, or it belongs to another organisation."),
        # A form's address opened as a page: reloading after a form answered with an error
        # (the address bar keeps the form's action), or a bookmark of one.
        405: (
            "Not a page",
            "This address is where a form is sent, so it cannot be opened as a page. "
            "Go back to the page the form was on and send it from there.",
        ),
    }

    def error_page(error):
        """A page for people; one text/plain line for Twilio under /ivr/ (routed there or
        not: ivr.views.webhook.plain_error); problem details for the API."""
        if is_api_request():
            return api_error(error)
        if is_webhook_path(request.path):
            return plain_error(error)
        title, message = pages[error.code]
        page = render_template("error.html", title=title, message=message)
        return page, error.code, _kept_headers(error)

    def too_large(error: HTTPException):
        """A request over MAX_CONTENT_LENGTH: the limit in plain words, worded by what was
        sent (a file upload form, multipart/form-data, or text such as a long comment),
        and the way back to the form; the API and /ivr/ keep their own forms (the IVR's
        own, smaller limit included), the API's `detail` naming the limit too."""
        if is_api_request():
            limit = upload_limit_words(
                request.max_content_length or app.config["MAX_CONTENT_LENGTH"]
            )
            return problem_response(Problem("too-large", too_large_detail(limit)))
        if is_webhook_path(request.path):
            return plain_error(error)
        limit = upload_limit_words(app.config["MAX_CONTENT_LENGTH"])
        # The Back button returns to the form as it was left (most browsers keep what was
        # typed); "Go back" does the same with JavaScript (static/app.js), and without it
        # the link opens the form's page again, empty: its label says so then.
        back = "Go back with your browser's Back button: most browsers keep what you typed."
        if request.mimetype == "multipart/form-data":
            title = "File too large"
            message = (
                f"A file sent to Screenline can be at most {limit} (with the rest of its "
                f"form); this one was larger. Nothing was saved. {back} Then choose a "
                "smaller file: a long candidate list can be split into several files."
            )
        else:
            title = "Text too large"
            message = (
                f"The text sent was too large: a form sent to Screenline can hold at most "
                f"{limit}. Nothing was saved. {back} Then shorten the text, or send it in "
                "parts."
            )
        page = render_template(
            "error.html", title=title, message=message, back=_same_site_referrer()
        )
        return page, 413, _kept_headers(error)

    def other_error(error: HTTPException):
        """Problem details on API URLs; one text/plain line under /ivr/; elsewhere the
        dashboard's error page naming the error and Werkzeug's description of it (a
        redirect the router raises, such as a missing trailing slash, stays one)."""
        if is_api_request():
            return api_error(error)
        if is_webhook_path(request.path):
            return plain_error(error)
        if error.code is None or error.code < 400:
            return error
        page = render_template("error.html", title=error.name, message=error.description)
        return page, error.code, _kept_headers(error)

    def erased(error: CandidateErased):
        """Nothing written (the request's session is rolled back); say so where asked."""
        db().rollback()
        if is_api_request():
            return problem_response(Problem("candidate-erased", str(error)))
        if wants_json():  # the page's script (review.js): no redirect for fetch to follow
            return jsonify(error="candidate-erased", message=str(error)), 409
        flash(str(error), "error")
        return redirect(url_for("dashboard.candidate", candidate_id=error.candidate_id))

    for code in pages:
        app.register_error_handler(code, error_page)
    app.register_error_handler(413, too_large)
    app.register_error_handler(HTTPException, other_error)
    app.register_error_handler(CandidateErased, erased)
