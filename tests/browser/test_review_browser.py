"""Reviewing in a real browser: keyboard review, transcript seeking with silence skipping,
search to the moment, and a share link opened logged out. Screenshots for people.

Runs Debian's chromium through Playwright against the real app (see
test_dashboard_browser.py for the server and browser fixtures, reused here).
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass
from datetime import timedelta

import pytest
from sqlalchemy import select, update

import tests.browser.test_dashboard_browser as base
from tests.factories import make_candidate, make_interview, make_org, make_user
from voice import erasure
from voice.models import (
    Answer,
    AnswerStatus,
    AuditEvent,
    Candidate,
    CandidateStatus,
    Score,
    ShareView,
    User,
    utcnow,
)
from voice.store import AudioStore, answer_key

playwright_api = pytest.importorskip("playwright.sync_api")
expect = playwright_api.expect
PlaywrightTimeout = playwright_api.TimeoutError

# `make test` installs Chromium; in CI a missing browser must fail, not skip.
pytestmark = pytest.mark.skipif(
    not base.CHROMIUM.exists() and not os.environ.get("CI"), reason="needs Debian's chromium"
)

# The server and browser fixtures of the dashboard's browser test, shared.
live_url = base.live_url
browser = base.browser
DESKTOP, PHONE = base.DESKTOP, base.PHONE
open_page, sign_in, shoot = base.open_page, base.sign_in, base.shoot

SEGMENTS = [
    {"start": 0.0, "end": 1.0, "text": "I drove a forklift for three years."},
    {"start": 4.0, "end": 5.0, "text": "Mostly night shifts in the cold store."},
    {"start": 5.0, "end": 6.0, "text": "I trained new starters on safety checks."},
]


def answer_mp3() -> bytes:
    """6 s: 1 s of tone, 3 s of silence, 2 s of tone (a long pause to skip)."""
    from pydub import AudioSegment
    from pydub.generators import Sine

    tone = Sine(440).to_audio_segment(duration=1000, volume=-12)
    audio = tone + AudioSegment.silent(3000) + tone + Sine(520).to_audio_segment(1000, volume=-12)
    return audio.set_channels(1).set_frame_rate(16000).export(format="mp3", bitrate="48k").read()


@dataclass
class Team:
    email: str
    interview_id: int
    first: int  # the oldest completed candidate (first in the queue)
    second: int
    first_answers: list[int]


@pytest.fixture
def team(db, settings) -> Team:
    org = make_org(db)
    user = make_user(db, org)
    interview = make_interview(
        db,
        org,
        questions=("Tell us about your last job.", "Why do you want to work with us?"),
    )
    store = AudioStore(settings.media_dir)
    ids, first_answers = [], []
    for n, name in enumerate(("Dana Diaz", "Marcus Lee")):
        candidate = make_candidate(db, interview, name=name, phone=f"+1555765432{n}")
        candidate.status = CandidateStatus.COMPLETED
        candidate.completed_at = utcnow() - timedelta(hours=5 - n)
        for question in interview.questions:
            answer = Answer(
                candidate=candidate,
                question=question,
                status=AnswerStatus.TRANSCRIBED,
                transcript=" ".join(s["text"] for s in SEGMENTS),
                segments=SEGMENTS,
                playback_seconds=6.0,
            )
            db.add(answer)
            db.flush()
            answer.playback_key = store.put(answer_key(answer.id, "playback.mp3"), answer_mp3())
            if n == 0:
                first_answers.append(answer.id)
        ids.append(candidate.id)
    colleague = make_user(db, org, email="colleague@acme.test")
    db.add(Score(reviewer=colleague, candidate_id=ids[0], answer_id=first_answers[0], value=2))
    db.commit()
    return Team(user.email, interview.id, ids[0], ids[1], first_answers)


def player(page, answer_id: int):
    return page.locator(f"#player-{answer_id}").element_handle()


def wait_for_player(page, answer_id: int, condition: str) -> None:
    """Wait until `condition` (JS, on `el`) holds for the answer's <audio>; on a timeout,
    fail with the element's state (paused, time, readiness, network, error), which is
    what tells a key that did nothing from audio that would not load."""
    try:
        page.wait_for_function(f"el => {condition}", arg=player(page, answer_id))
    except PlaywrightTimeout:
        state = page.evaluate(
            "el => ({paused: el.paused, currentTime: el.currentTime, readyState: el.readyState,"
            " networkState: el.networkState, error: el.error && el.error.code,"
            " active: document.activeElement && document.activeElement.outerHTML.slice(0, 120)})",
            player(page, answer_id),
        )
        raise AssertionError(f"player {answer_id}: {condition} never held; {state}") from None


def test_review_with_the_keyboard(browser, live_url, team, db):
    """Space plays and pauses, j/k move, 4 scores and goes on to the next answer, typing
    is ignored, N goes on."""
    page, problems = open_page(browser, DESKTOP)
    sign_in(page, live_url, "/review", team.email)
    page.get_by_role("link", name=re.compile("Start reviewing")).click()
    page.wait_for_url(f"{live_url}/candidates/{team.first}")
    first, second = team.first_answers
    page.wait_for_load_state("networkidle")
    assert page.evaluate("el => el.readyState", player(page, first)) == 0  # nothing fetched
    assert base.plays(db, first) == 0

    expect(page.locator("#next-candidate .key-hint")).to_be_visible()  # a desktop has keys
    expect(page.locator("[data-shortcuts-open]")).to_be_visible()
    page.keyboard.press("?")
    expect(page.get_by_role("dialog", name="Keyboard shortcuts")).to_be_visible()
    shoot(page, "desktop-review-shortcuts")
    page.keyboard.press("Escape")
    expect(page.locator("#shortcuts")).not_to_be_visible()

    # Which card is current on arrival follows the scroll position; k goes to the top one
    # (it stops at the first), so Space below is about the first answer on any machine.
    page.keyboard.press("k")
    expect(page.locator(f"#answer-{first}")).to_have_class(re.compile("is-current"))
    page.keyboard.press(" ")
    wait_for_player(page, first, "!el.paused && el.currentTime > 0.1")
    page.keyboard.press(" ")
    wait_for_player(page, first, "el.paused")
    assert base.plays(db, first) == 1

    page.keyboard.press("j")
    expect(page.locator(f"#answer-{second}")).to_have_class(re.compile("is-current"))
    page.keyboard.press("k")
    expect(page.locator(f"#answer-{first}")).to_have_class(re.compile("is-current"))

    page.locator("label[for=rate-2]").click()
    page.locator("label[for=rate-3]").click()
    assert page.evaluate("localStorage.getItem('screenline.playbackRate')") == "2"
    page.keyboard.press(" ")
    page.wait_for_function("el => !el.paused && el.playbackRate === 2", arg=player(page, first))
    page.keyboard.press(" ")
    assert base.plays(db, first) == 1  # resuming is the same listen

    page.keyboard.press("4")
    expect(page.locator("#review-status")).to_have_text(re.compile("Scored 4 for question 1"))
    expect(page.locator(f"#answer-{second}")).to_have_class(re.compile("is-current"))
    db.expire_all()
    assert (
        db.scalar(
            select(Score.value)
            .where(Score.answer_id == first, Score.reviewer_id != None)  # noqa: E711
            .order_by(Score.id.desc())
        )
        == 4
    )

    # Typing in a field never fires a shortcut.
    comment = page.locator(f"#answer-{first} textarea[name=body]")
    comment.fill("")
    comment.type("jk4N")
    assert comment.input_value() == "jk4N"
    expect(page.locator(f"#answer-{second}")).to_have_class(re.compile("is-current"))
    comment.fill("")
    page.locator("h1").click()

    # The colleague's 2 and my 4 disagree by 2: the page flags it.
    page.reload()
    expect(page.locator("[data-flag=disagreement]")).to_be_visible()
    shoot(page, "desktop-review-candidate")
    page.keyboard.press("Shift+N")
    page.wait_for_url(re.compile(rf"/candidates/{team.second}$"))
    # The speed is remembered on the next candidate.
    assert page.locator("input[name=playback-rate][value='2']").is_checked()
    assert problems == []


def test_seek_from_transcript_and_skip_silence(browser, live_url, team, db):
    """Clicking a line seeks and highlights; the 3 s pause is skipped; the waveform seeks,
    before anything is loaded too; one play is recorded however often it seeks."""
    page, problems = open_page(browser, DESKTOP)
    sign_in(page, live_url, f"/candidates/{team.first}", team.email)
    first = team.first_answers[0]
    audio = player(page, first)
    wave = page.locator(f"[data-waveform-for=player-{first}] img")
    page.wait_for_function("img => img.complete && img.naturalWidth > 0", arg=wave.element_handle())
    assert page.evaluate("el => el.readyState", audio) == 0

    # The waveform seeks before the audio is loaded (from the page's length), fetching nothing.
    box = wave.bounding_box()
    page.mouse.click(box["x"] + box["width"] * 0.5, box["y"] + box["height"] / 2)
    page.wait_for_function("el => Math.abs(el.currentTime - 3.0) < 0.3", arg=audio)
    assert base.plays(db, first) == 0

    line = page.get_by_role("button", name=re.compile("I trained new starters")).first
    line.click()
    page.wait_for_function("el => el.currentTime >= 5.0", arg=audio)
    page.wait_for_function(
        "el => el.getAttribute('aria-current') === 'true'", arg=line.element_handle()
    )
    page.evaluate("el => el.pause()", audio)

    # From 0.5 s, a 3 s pause lies ahead: playback jumps over it well before 3 s pass.
    page.evaluate("el => { el.currentTime = 0.5; el.play(); }", audio)
    page.wait_for_function("el => el.currentTime >= 3.6", arg=audio, timeout=2500)
    expect(page.locator("#review-status")).to_have_text(re.compile("Skipped"))
    page.evaluate("el => el.pause()", audio)

    box = wave.bounding_box()
    page.mouse.click(box["x"] + box["width"] * 0.75, box["y"] + box["height"] / 2)
    page.wait_for_function("el => Math.abs(el.currentTime - 4.5) < 0.3", arg=audio)
    assert base.plays(db, first) == 1
    shoot(page, "desktop-review-waveform")
    assert problems == []


def test_search_and_follow_a_result_to_the_moment(browser, live_url, team):
    """Search finds the words; the result opens the candidate at that moment."""
    page, problems = open_page(browser, DESKTOP)
    sign_in(page, live_url, "/search", team.email)
    page.get_by_label("Words spoken").fill("night shifts")
    page.get_by_label("Words spoken").press("Enter")
    results = page.locator("li.search-hit")
    expect(results).to_have_count(4)
    expect(results.first.locator("mark").first).to_have_text(re.compile("night", re.IGNORECASE))
    shoot(page, "desktop-search")
    link = results.first.locator("a")
    href = link.get_attribute("href")
    answer_id = int(re.search(r"answer=(\d+)", href).group(1))
    link.click()
    page.wait_for_url(re.compile(r"/candidates/\d+#t=4\.00&answer=\d+"))
    page.wait_for_function(
        "el => Math.abs(el.currentTime - 4.0) < 0.05", arg=player(page, answer_id)
    )
    expect(page.locator(f"#answer-{answer_id}")).to_have_class(re.compile("is-current"))
    expect(page.locator("#review-status")).to_have_text(re.compile("Jumped to 0:04"))
    assert problems == []


def test_share_a_link_and_open_it_logged_out(browser, live_url, team, db):
    """A manager shares a candidate; a visitor opens it without an account and listens."""
    page, problems = open_page(browser, DESKTOP)
    sign_in(page, live_url, f"/candidates/{team.first}", team.email)
    page.get_by_label("Link expires after").select_option("3")
    page.get_by_label("Label (optional)").fill("For the Leeds store manager")
    page.get_by_role("button", name="Create read-only link").click()
    url = page.get_by_label("Link").input_value()
    assert url.startswith(live_url + "/s/")
    shoot(page, "desktop-share-created")

    visitor_context = browser.new_context(
        viewport=PHONE, device_scale_factor=2, is_mobile=True, has_touch=True
    )
    visitor = visitor_context.new_page()
    visitor_problems: list[str] = []
    visitor.on("pageerror", lambda exc: visitor_problems.append(str(exc)))
    visitor.goto(url)
    shoot(visitor, "phone-share-name")
    visitor.get_by_label("Your name").fill("Pat Store")
    visitor.get_by_role("button", name="Open").click()
    expect(visitor.get_by_role("heading", name="For the Leeds store manager")).to_be_visible()
    first = team.first_answers[0]
    shared = visitor.locator(f"#player-{first}").element_handle()
    assert visitor.evaluate("el => el.readyState", shared) == 0  # nothing fetched yet
    visitor.get_by_role("button", name=re.compile("I trained new starters")).first.click()
    visitor.wait_for_function("el => el.currentTime >= 5.0", arg=shared)
    visitor.evaluate("el => el.pause()", shared)
    assert "Score" not in visitor.locator("main").inner_text()
    overflow = visitor.evaluate("document.documentElement.scrollWidth - window.innerWidth")
    assert overflow <= 0
    shoot(visitor, "phone-share-view")
    db.expire_all()
    [view] = db.scalars(select(ShareView)).all()
    assert view.viewer == "Pat Store"

    page.goto(live_url + "/share/links")
    row = page.locator("tr[data-link-id]")
    expect(row).to_contain_text("Pat Store")
    shoot(page, "desktop-share-links")
    row.get_by_role("button", name=re.compile("Revoke")).click()
    expect(page.locator("tr[data-link-id]")).to_contain_text("Revoked")
    response = visitor.goto(url)
    assert response.status == 404
    visitor_context.close()
    assert problems == [] and visitor_problems == []


def test_review_pages_fit_a_phone(browser, live_url, team):
    """Candidate, queue and search pages do not scroll sideways on a phone; screenshots."""
    page, problems = open_page(browser, PHONE, phone=True)
    sign_in(page, live_url, f"/candidates/{team.first}", team.email)
    for name, path in (
        ("phone-review-candidate", f"/candidates/{team.first}"),
        ("phone-review-queue", "/review"),
        ("phone-search", "/search?q=forklift"),
    ):
        page.goto(live_url + path)
        overflow = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
        assert overflow <= 0, f"{path} scrolls sideways by {overflow}px"
        shoot(page, name)
    # What a phone shows first, and the scores table, at their real size.
    page.goto(f"{live_url}/candidates/{team.first}")
    # A touch screen has no keys to press: no key hints, no Shortcuts button; the
    # "Next unreviewed" button keeps its words.
    next_button = page.locator("#next-candidate")
    expect(next_button).to_be_visible()
    expect(next_button).to_have_text(re.compile("Next unreviewed"))
    expect(next_button.locator(".key-hint")).to_be_hidden()
    expect(page.locator("[data-shortcuts-open]")).to_be_hidden()
    # A function, not a bare expression: Playwright polls a bare expression with eval, which
    # the pages' Content-Security-Policy refuses once the first check is false.
    page.wait_for_function("() => [...document.images].every(img => img.complete)")
    page.screenshot(path=str(base.SHOTS / "phone-review-candidate-top.png"))
    page.locator("#reviewers").scroll_into_view_if_needed()
    page.locator("#reviewers").screenshot(path=str(base.SHOTS / "phone-review-scores.png"))
    assert problems == []


@dataclass
class Three:
    email: str
    candidate: int
    answers: list[int]  # one transcribed answer per question, in order


@pytest.fixture
def three(db) -> Three:
    """One completed candidate with a transcribed, scorable answer to each of 3 questions."""
    org = make_org(db)
    user = make_user(db, org)
    interview = make_interview(
        db, org, questions=("Your last job?", "Why us?", "When can you start?")
    )
    candidate = make_candidate(db, interview, name="Ana Silva", phone="+15557654400")
    candidate.status = CandidateStatus.COMPLETED
    candidate.completed_at = utcnow() - timedelta(hours=1)
    answers = []
    for question in interview.questions:
        answer = Answer(
            candidate=candidate,
            question=question,
            status=AnswerStatus.TRANSCRIBED,
            transcript="I can start on Monday.",
        )
        db.add(answer)
        db.flush()
        answers.append(answer.id)
    db.commit()
    return Three(user.email, candidate.id, answers)


def below_toolbar(page, answer_id: int) -> None:
    """Wait until the answer's card, scrolled to, starts just below the sticky toolbar."""
    page.wait_for_function(
        """id => {
          const bar = document.querySelector('.review-toolbar').getBoundingClientRect();
          const card = document.getElementById('answer-' + id).getBoundingClientRect();
          return card.top >= bar.bottom && card.top <= bar.bottom + 40;
        }""",
        arg=answer_id,
    )


def test_saving_a_score_keeps_the_keyboard_on_that_answer(browser, live_url, three, db):
    """Scoring answer 2 with the keyboard and "Save score" reloads at #answer-N with answer
    2 current: j goes on to answer 3, and 3 scores it (not "cannot be scored")."""
    page, problems = open_page(browser, DESKTOP)
    sign_in(page, live_url, f"/candidates/{three.candidate}", three.email)
    first, second, third = three.answers
    expect(page.locator(f"#answer-{first}")).to_have_class(re.compile("is-current"))
    page.keyboard.press("j")
    expect(page.locator(f"#answer-{second}")).to_have_class(re.compile("is-current"))

    # Keyboard only: focus the 4, Space chooses it, Enter submits the form ("Save score").
    page.locator(f"#answer-{second} input.score-input[value='4']").focus()
    page.keyboard.press("Space")
    page.keyboard.press("Enter")
    page.wait_for_url(f"{live_url}/candidates/{three.candidate}#answer-{second}")
    expect(page.locator(".flashes")).to_contain_text("Your score for question 2 is saved.")
    expect(page.locator(f"#answer-{second}")).to_have_class(re.compile("is-current"))
    expect(page.locator("[data-answer-card].is-current")).to_have_count(1)
    below_toolbar(page, second)  # its "Question 2" is not hidden under the sticky toolbar
    shoot(page, "desktop-review-after-save")

    page.locator("h1").click()  # focus out of the flash, as a reviewer reading on would
    page.keyboard.press("j")
    expect(page.locator(f"#answer-{third}")).to_have_class(re.compile("is-current"))
    below_toolbar(page, third)
    page.keyboard.press("3")  # the last answer: it stays, and says which is left to score
    expect(page.locator("#review-status")).to_have_text(
        "Scored 3 for question 3. This is the last answer to score; not scored yet: "
        "question 1. Shift+N opens the next unreviewed candidate."
    )
    expect(page.locator(f"#answer-{third}")).to_have_class(re.compile("is-current"))
    page.keyboard.press("j")  # past the last answer: said, and the place is kept
    expect(page.locator("#review-status")).to_have_text(
        "This is the last answer. Shift+N opens the next unreviewed candidate."
    )
    expect(page.locator(f"#answer-{third}")).to_have_class(re.compile("is-current"))
    db.expire_all()
    mine = dict(db.execute(select(Score.answer_id, Score.value)).all())
    assert mine == {second: 4, third: 3}
    assert problems == []


def stay_after_a_score(db, email: str) -> None:
    """Turn the user's "After a score key, go to the next answer" setting off."""
    db.execute(update(User).where(User.email == email).values(advance_after_score=False))
    db.commit()


def test_a_score_key_goes_on_to_the_next_answer(browser, live_url, three, db):
    """By default 4 on answer 1 saves it and makes answer 2 current, scrolled to below the
    toolbar; on the last answer a score key stays and says every answer is scored."""
    page, problems = open_page(browser, DESKTOP)
    sign_in(page, live_url, f"/candidates/{three.candidate}", three.email)
    first, second, third = three.answers
    expect(page.locator(f"#answer-{first}")).to_have_class(re.compile("is-current"))
    page.keyboard.press("4")
    status = page.locator("#review-status")
    expect(status).to_have_text("Scored 4 for question 1. Question 2 of 3: Why us?")
    expect(page.locator(f"#answer-{second}")).to_have_class(re.compile("is-current"))
    expect(page.locator("[data-answer-card].is-current")).to_have_count(1)
    below_toolbar(page, second)
    db.expire_all()
    assert dict(db.execute(select(Score.answer_id, Score.value)).all()) == {first: 4}

    page.keyboard.press("2")
    expect(page.locator(f"#answer-{third}")).to_have_class(re.compile("is-current"))
    page.keyboard.press("5")
    expect(status).to_have_text(
        "Scored 5 for question 3. All answers scored. Shift+N opens the next unreviewed candidate."
    )
    expect(page.locator(f"#answer-{third}")).to_have_class(re.compile("is-current"))
    db.expire_all()
    scores = dict(db.execute(select(Score.answer_id, Score.value)).all())
    assert scores == {first: 4, second: 2, third: 5}
    page.keyboard.press("?")
    expect(page.get_by_role("dialog", name="Keyboard shortcuts")).to_contain_text(
        "Score the current answer and go to the next answer to score"
    )
    assert problems == []


def test_with_the_setting_off_a_score_key_stays(browser, live_url, three, db):
    """With "After a score key, go to the next answer" off, 4 on answer 1 saves it and
    answer 1 stays current; the shortcuts dialog says so."""
    stay_after_a_score(db, three.email)
    page, problems = open_page(browser, DESKTOP)
    sign_in(page, live_url, f"/candidates/{three.candidate}", three.email)
    first = three.answers[0]
    expect(page.locator(f"#answer-{first}")).to_have_class(re.compile("is-current"))
    page.keyboard.press("4")
    expect(page.locator("#review-status")).to_have_text("Scored 4 for question 1.")
    expect(page.locator(f"#answer-{first}")).to_have_class(re.compile("is-current"))
    expect(page.locator("[data-answer-card].is-current")).to_have_count(1)
    db.expire_all()
    assert dict(db.execute(select(Score.answer_id, Score.value)).all()) == {first: 4}
    page.keyboard.press("?")
    expect(page.get_by_role("dialog", name="Keyboard shortcuts")).to_contain_text(
        "Score the current answer (and stay on it)"
    )
    assert problems == []


def viewed(db) -> int:
    """How many "candidate_viewed" audit entries there are."""
    db.expire_all()
    return len(db.scalars(select(AuditEvent).where(AuditEvent.action == "candidate_viewed")).all())


def test_a_keyboard_score_keeps_the_place_on_reload_and_logs_no_view(browser, live_url, three, db):
    """With "After a score key, go to the next answer" off, pressing 4 on answer 2 saves
    it without a page load (no extra "viewed" audit entry) and stays on it: the address
    names answer 2, and a reload comes back with answer 2 current."""
    stay_after_a_score(db, three.email)
    page, problems = open_page(browser, DESKTOP)
    sign_in(page, live_url, f"/candidates/{three.candidate}", three.email)
    first, second, _ = three.answers
    expect(page.locator(f"#answer-{first}")).to_have_class(re.compile("is-current"))
    views = viewed(db)
    page.keyboard.press("j")
    page.keyboard.press("4")
    expect(page.locator("#review-status")).to_have_text("Scored 4 for question 2.")
    expect(page.locator("#review-status")).not_to_have_class(re.compile("is-error"))
    assert page.evaluate("window.location.hash") == f"#answer-{second}"
    db.expire_all()
    assert dict(db.execute(select(Score.answer_id, Score.value)).all()) == {second: 4}
    assert viewed(db) == views

    page.reload()
    expect(page.locator(f"#answer-{second}")).to_have_class(re.compile("is-current"))
    expect(page.locator("[data-answer-card].is-current")).to_have_count(1)
    expect(page.locator(".flashes")).to_have_count(0)  # no "score saved" flash left over
    page.keyboard.press("j")
    expect(page.locator(f"#answer-{three.answers[2]}")).to_have_class(re.compile("is-current"))
    assert problems == []


def test_a_keyboard_score_on_a_candidate_erased_meanwhile_says_it_was_refused(
    browser, live_url, three, db
):
    """The page is open, the candidate is erased elsewhere, then 4 is pressed: the status
    line shows the refusal as an error, the choice is undone, and nothing is stored."""
    page, _ = open_page(browser, DESKTOP)
    sign_in(page, live_url, f"/candidates/{three.candidate}", three.email)
    first = three.answers[0]
    expect(page.locator(f"#answer-{first}")).to_have_class(re.compile("is-current"))
    views = viewed(db)
    erasure.erase_candidate(db, db.get(Candidate, three.candidate))  # "another tab"
    db.commit()

    page.keyboard.press("4")
    status = page.locator("#review-status")
    expect(status).to_have_text("This candidate's data is erased; nothing was changed.")
    expect(status).to_have_class(re.compile("is-error"))
    expect(page.locator(f"#answer-{first} input.score-input[value='4']")).not_to_be_checked()
    db.expire_all()
    assert db.scalars(select(Score)).all() == []
    assert viewed(db) == views  # no redirect was followed to the candidate page
    page.reload()
    expect(page.locator(".flashes")).to_have_count(0)  # the refusal was not left as a flash
    shoot(page, "desktop-review-score-refused-erased")


def test_keyboard_review_starts_on_the_first_recorded_answer(browser, live_url, db, settings):
    """A candidate whose first answer was keyed in (yes/no) opens with the recorded answer
    after it current: Space plays that one and 3 scores it (not "cannot be scored")."""
    org = make_org(db)
    user = make_user(db, org)
    interview = make_interview(
        db,
        org,
        questions=(
            {"kind": "yes_no", "prompt": "Are you 18 or over?"},
            "Tell us about your last job.",
        ),
    )
    candidate = make_candidate(db, interview, name="Kim Park", phone="+15557654500")
    candidate.status = CandidateStatus.COMPLETED
    candidate.completed_at = utcnow() - timedelta(hours=1)
    keyed = Answer(
        candidate=candidate,
        question=interview.questions[0],
        status=AnswerStatus.KEYPAD,
        digits="1",
    )
    spoken = Answer(
        candidate=candidate,
        question=interview.questions[1],
        status=AnswerStatus.TRANSCRIBED,
        transcript=" ".join(s["text"] for s in SEGMENTS),
        segments=SEGMENTS,
        playback_seconds=6.0,
    )
    db.add_all([keyed, spoken])
    db.flush()
    spoken.playback_key = AudioStore(settings.media_dir).put(
        answer_key(spoken.id, "playback.mp3"), answer_mp3()
    )
    db.commit()

    page, problems = open_page(browser, DESKTOP)
    sign_in(page, live_url, f"/candidates/{candidate.id}", user.email)
    expect(page.locator(f"#answer-{keyed.id} .keypad-answer")).to_contain_text("Yes")
    expect(page.locator(f"#answer-{spoken.id}")).to_have_class(re.compile("is-current"))
    expect(page.locator("[data-answer-card].is-current")).to_have_count(1)
    page.keyboard.press(" ")
    wait_for_player(page, spoken.id, "!el.paused && el.currentTime > 0.1")
    page.keyboard.press(" ")
    wait_for_player(page, spoken.id, "el.paused")
    assert base.plays(db, spoken.id) == 1
    page.keyboard.press("3")  # the only answer to score: it stays there
    expect(page.locator("#review-status")).to_have_text(
        "Scored 3 for question 2. All answers scored. Shift+N opens the next unreviewed candidate."
    )
    expect(page.locator(f"#answer-{spoken.id}")).to_have_class(re.compile("is-current"))
    db.expire_all()
    assert dict(db.execute(select(Score.answer_id, Score.value)).all()) == {spoken.id: 3}
    assert problems == []


def in_view_and_uncovered(page, locator) -> None:
    """Wait until the element is inside the window and what is drawn at its centre is it
    (or inside it): not scrolled off, nor hidden under the sticky review toolbar."""
    locator.wait_for()
    locator.evaluate(
        """el => new Promise((resolve, reject) => {
          const deadline = Date.now() + 5000;
          (function check() {
            const r = el.getBoundingClientRect();
            const x = r.left + r.width / 2, y = r.top + r.height / 2;
            const bar = document.querySelector('.review-toolbar').getBoundingClientRect();
            const hit = document.elementFromPoint(x, y);
            const ok = r.top >= bar.bottom && r.bottom <= window.innerHeight
              && hit !== null && el.contains(hit);
            if (ok) return resolve(true);
            if (Date.now() > deadline) {
              return reject(new Error(`not in view: top ${r.top}, bottom ${r.bottom}, `
                + `toolbar bottom ${bar.bottom}, hit ${hit && hit.outerHTML.slice(0, 80)}`));
            }
            requestAnimationFrame(check);
          })();
        })"""
    )


def test_a_saved_decision_and_overall_score_are_confirmed_where_the_page_lands(
    browser, live_url, three, db
):
    """ "Save decision" and the overall "Save score" come back at #decision and #overall
    (1280x800): the confirmation and the current decision are in the window, below the
    sticky toolbar, not covered by it."""
    page, problems = open_page(browser, DESKTOP)
    url = f"/candidates/{three.candidate}"
    sign_in(page, live_url, url, three.email)

    page.locator("#decision-hold").check()
    page.get_by_role("button", name="Save decision").click()
    page.wait_for_url(f"{live_url}{url}#decision")
    saved = page.locator("#decision .flash", has_text="Decision saved for Ana Silva: hold.")
    current = page.locator("#decision p", has_text="Current decision: Hold")
    in_view_and_uncovered(page, saved)
    in_view_and_uncovered(page, current)
    shoot(page, "desktop-decision-saved")

    page.locator("#overall input.score-input[value='4']").focus()
    page.keyboard.press("Space")
    page.locator("#overall").get_by_role("button", name="Save score").click()
    page.wait_for_url(f"{live_url}{url}#overall")
    confirmed = page.locator(
        "#overall .flash", has_text="Your overall score for Ana Silva is saved."
    )
    in_view_and_uncovered(page, confirmed)
    expect(page.locator(".flashes")).to_have_count(1)  # in the section, not at the top too
    db.expire_all()
    assert db.scalar(select(Candidate.decision).where(Candidate.id == three.candidate)) == "hold"
    assert db.scalar(select(Score.value).where(Score.answer_id.is_(None))) == 4
    assert problems == []
