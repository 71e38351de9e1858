"""The dashboard in a real browser: sign in, listen, seek by transcript, score; screenshots.

Runs Debian's chromium through Playwright against the real app served by werkzeug in
a thread. Screenshots land in artifacts/screenshots/ for a person to look at.
"""

from __future__ import annotations

import os
import threading
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy import func, select
from werkzeug.serving import make_server

from dashboard.app import create_app
from tests.factories import PASSWORD, make_candidate, make_interview, make_org, make_user
from tests.support import ROOT, free_port
from voice.models import Answer, AnswerStatus, AuditEvent, CandidateStatus, Score, utcnow
from voice.store import AudioStore, answer_key

playwright_api = pytest.importorskip("playwright.sync_api")

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless=new",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--autoplay-policy=no-user-gesture-required",
]
SHOTS = ROOT / "artifacts" / "screenshots"
DESKTOP = {"width": 1280, "height": 800}
PHONE = {"width": 390, "height": 844}

# `make test` installs Chromium; in CI a missing browser must fail, not skip.
pytestmark = pytest.mark.skipif(
    not CHROMIUM.exists() and not os.environ.get("CI"), reason="needs Debian's chromium"
)


def spoken_mp3(seconds: int = 6) -> bytes:
    """A small real MP3: a different tone each second, so seeking is audible."""
    from pydub import AudioSegment
    from pydub.generators import Sine

    audio = AudioSegment.silent(duration=0)
    for n in range(seconds):
        audio += Sine(330 + 60 * n).to_audio_segment(duration=1000, volume=-12)
    buffer = audio.set_channels(1).set_frame_rate(16000).export(format="mp3", bitrate="48k")
    return buffer.read()


@dataclass
class Seeded:
    email: str
    interview_id: int
    candidate_id: int
    answer_id: int


@pytest.fixture
def seeded(db, settings) -> Seeded:
    org = make_org(db)
    user = make_user(db, org)
    interview = make_interview(
        db,
        org,
        questions=(
            "Tell us about your last job.",
            "Why do you want to work in our warehouse?",
            "Which shifts can you work?",
        ),
    )
    dana = make_candidate(db, interview)
    dana.status = CandidateStatus.COMPLETED
    dana.started_at = utcnow() - timedelta(hours=2, minutes=5)
    dana.completed_at = utcnow() - timedelta(hours=2)
    q1, q2, q3 = interview.questions
    answer = Answer(
        candidate=dana,
        question=q1,
        status=AnswerStatus.TRANSCRIBED,
        recording_sid="RE" + "a" * 32,
        transcript="I drove a forklift at a distribution centre for three years, "
        "mostly night shifts. I trained new starters on safety checks.",
        segments=[
            {"start": 0.0, "end": 2.0, "text": "I drove a forklift at a distribution centre"},
            {"start": 2.0, "end": 4.0, "text": "for three years, mostly night shifts."},
            {"start": 4.0, "end": 6.0, "text": "I trained new starters on safety checks."},
        ],
        playback_seconds=6.0,
    )
    db.add(answer)
    db.add(
        Answer(
            candidate=dana,
            question=q2,
            status=AnswerStatus.FAILED,
            recording_sid="RE" + "b" * 32,
            attempts_failed=3,
            error="Download failed after 3 tries: HTTP 404 from api.twilio.com",
        )
    )
    db.add(
        Answer(
            candidate=dana, question=q3, status=AnswerStatus.STORED, recording_sid="RE" + "c" * 32
        )
    )
    db.flush()
    answer.playback_key = AudioStore(settings.media_dir).put(
        answer_key(answer.id, "playback.mp3"), spoken_mp3()
    )
    for name, status in (
        ("Marcus Lee", CandidateStatus.IN_PROGRESS),
        ("Priya Natarajan", CandidateStatus.ABANDONED),
        ("Tom O'Brien", CandidateStatus.INVITED),
    ):
        other = make_candidate(db, interview, name=name, phone=None)
        other.status = status
    colleague = make_user(db, org, email="colleague@acme.test")
    db.add(Score(reviewer=colleague, candidate_id=dana.id, answer_id=None, value=4))
    make_interview(db, org, phone_number="+15550100777", title="Night shift supervisor")
    db.commit()
    return Seeded(user.email, interview.id, dana.id, answer.id)


@pytest.fixture
def live_url(settings, db) -> Iterator[str]:
    """The real app on a free port, served by werkzeug in a thread."""
    app = create_app(settings)
    server = make_server("127.0.0.1", free_port(), app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}"
    finally:
        server.shutdown()
        thread.join(5)
        services = app.extensions["screenline"]
        if "session_factory" in services.__dict__:
            services.session_factory.kw["bind"].dispose()


@pytest.fixture
def browser():
    with playwright_api.sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        yield browser
        browser.close()


def open_page(browser, viewport, *, phone: bool = False):
    context = browser.new_context(
        viewport=viewport,
        device_scale_factor=2 if phone else 1,
        is_mobile=phone,
        has_touch=phone,
    )
    page = context.new_page()
    problems: list[str] = []
    page.on("console", lambda msg: problems.append(msg.text) if msg.type == "error" else None)
    page.on("pageerror", lambda exc: problems.append(str(exc)))
    return page, problems


def sign_in(page, base: str, path: str, email: str) -> None:
    page.goto(base + path)
    assert page.url.startswith(base + "/login")
    page.get_by_label("Email").fill(email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url(base + path)


def shoot(page, name: str) -> None:
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / f"{name}.png"), full_page=True)


def plays(db, answer_id: int) -> int:
    """How many "answer_played" audit entries name the answer, read fresh."""
    db.expire_all()
    return db.scalar(
        select(func.count())
        .select_from(AuditEvent)
        .where(AuditEvent.action == "answer_played", AuditEvent.answer_id == answer_id)
    )


def test_review_a_candidate_in_the_browser(browser, live_url, seeded, db):
    """Sign in, play the answer, seek by clicking a transcript line, score it; no JS errors.
    Opening the page fetches no audio and records no play; playing records one."""
    page, problems = open_page(browser, DESKTOP)
    candidate_path = f"/candidates/{seeded.candidate_id}"
    sign_in(page, live_url, candidate_path, seeded.email)
    shoot(page, "desktop-candidate")

    player = page.locator(f"#player-{seeded.answer_id}")
    page.wait_for_load_state("networkidle")
    assert player.evaluate("el => el.readyState") == 0  # nothing fetched
    assert plays(db, seeded.answer_id) == 0
    player.evaluate("el => el.play()")
    page.wait_for_function("el => !el.paused && el.currentTime > 0.2", arg=player.element_handle())
    assert player.evaluate("el => el.duration") > 5

    third = page.get_by_role("button", name="I trained new starters")
    third.click()
    page.wait_for_function("el => el.currentTime >= 4.0", arg=player.element_handle())
    page.wait_for_function(
        "el => el.getAttribute('aria-current') === 'true'", arg=third.element_handle()
    )
    player.evaluate("el => el.pause()")
    assert plays(db, seeded.answer_id) == 1  # the seek was no new play
    shoot(page, "desktop-candidate-seeked")

    # Score with the keyboard: pick 3, then arrow to 4 as a keyboard user would.
    card = page.locator(f"#answer-{seeded.answer_id}")
    card.get_by_text("Fair").click()
    card.get_by_label("3 Fair").press("ArrowRight")
    assert card.get_by_label("4 Good").is_checked()
    SHOTS.mkdir(parents=True, exist_ok=True)
    card.locator("fieldset").screenshot(path=str(SHOTS / "desktop-score-keyboard-focus.png"))
    card.get_by_label("Note (optional)").fill("Specific, safety-minded.")
    card.get_by_role("button", name="Save score").click()
    page.wait_for_url(f"{live_url}{candidate_path}#answer-{seeded.answer_id}")
    assert "Your score for question 1 is saved." in page.locator(".flashes").inner_text()
    assert page.locator(f"#answer-{seeded.answer_id}").get_by_label("4 Good").is_checked()

    db.expire_all()
    [score] = db.scalars(select(Score).where(Score.answer_id == seeded.answer_id)).all()
    assert (score.value, score.note) == (4, "Specific, safety-minded.")
    shoot(page, "desktop-candidate-scored")

    page.goto(f"{live_url}/interviews/{seeded.interview_id}")
    shoot(page, "desktop-interview")
    page.goto(live_url + "/")
    shoot(page, "desktop-interviews")
    assert problems == []


def test_pages_fit_a_phone(browser, live_url, seeded):
    """On a 390px-wide phone nothing scrolls sideways; screenshots of every page."""
    page, problems = open_page(browser, PHONE, phone=True)
    page.goto(live_url + "/login")
    shoot(page, "phone-login")
    sign_in(page, live_url, f"/candidates/{seeded.candidate_id}", seeded.email)
    for name, path in (
        ("phone-candidate", f"/candidates/{seeded.candidate_id}"),
        ("phone-interview", f"/interviews/{seeded.interview_id}"),
        ("phone-interviews", "/"),
        ("phone-audit", "/audit"),
    ):
        page.goto(live_url + path)
        overflow = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
        assert overflow <= 0, f"{path} scrolls sideways by {overflow}px"
        shoot(page, name)
    assert problems == []


def test_login_page_on_desktop(browser, live_url, seeded):
    """The sign-in page shows an error for a wrong password; screenshot."""
    page, problems = open_page(browser, DESKTOP)
    page.goto(live_url + "/login")
    page.get_by_label("Email").fill(seeded.email)
    page.get_by_label("Password").fill("not the password")
    page.get_by_role("button", name="Sign in").click()
    assert page.get_by_role("alert").inner_text() == (
        "That email and password don't match an account."
    )
    shoot(page, "desktop-login-error")
    assert problems == []


def test_wide_tables_scroll_inside_their_card_on_desktop(browser, live_url, seeded):
    """At 1280px no page scrolls sideways, full-width pages line up with the header, and
    the interview page's wide candidate table scrolls inside its card."""
    page, problems = open_page(browser, DESKTOP)
    sign_in(page, live_url, f"/interviews/{seeded.interview_id}", seeded.email)
    pages = (f"/interviews/{seeded.interview_id}", f"/candidates/{seeded.candidate_id}", "/")
    for path in (*pages, "/audit"):
        page.goto(live_url + path)
        overflow = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
        assert overflow <= 0, f"{path} scrolls sideways by {overflow}px"
    for path in (f"/interviews/{seeded.interview_id}", "/"):  # the full-width pages
        page.goto(live_url + path)
        header, main = page.evaluate(
            """() => [document.querySelector('.topbar-inner'), document.querySelector('main')]
                .map(el => { const r = el.getBoundingClientRect(); return [r.left, r.right]; })"""
        )
        assert main == header, f"{path}: main {main} is out of line with the header {header}"
    page.goto(f"{live_url}/interviews/{seeded.interview_id}")
    wrap = page.locator(".table-wrap").first
    card = wrap.evaluate("el => el.getBoundingClientRect().right")
    assert card <= page.evaluate("document.querySelector('main').getBoundingClientRect().right")
    shoot(page, "desktop-interview-layout")
    assert problems == []
