"""Every page type at 390x844 and 1280x800, measured in a real browser: a compact header
on a phone (its account details in a menu, every link reachable without JavaScript), an
email that reads whole or clearly cut short, no word broken across lines, buttons one
line high, nothing scrolling sideways.

Runs Debian's chromium through Playwright against the real app (the fixtures of
test_dashboard_browser.py and test_layout_browser.py). Screenshots land in
artifacts/screenshots/fit-*.png for a person to look at.
"""

from __future__ import annotations

import os

import pytest
from sqlalchemy import select

import tests.browser.test_dashboard_browser as base
import tests.browser.test_layout_browser as layout
from voice.models import Candidate, Comment, Organization, User

playwright_api = pytest.importorskip("playwright.sync_api")

pytestmark = pytest.mark.skipif(
    not base.CHROMIUM.exists() and not os.environ.get("CI"), reason="needs Debian's chromium"
)

live_url, browser, seeded = base.live_url, base.browser, layout.seeded
DESKTOP, PHONE = base.DESKTOP, base.PHONE
open_page, sign_in, shoot = base.open_page, base.sign_in, base.shoot
box, overflow = layout.box, layout.overflow

EMAIL = "hiring.manager@northwind-logistics.example"
NAV = ("Interviews", "Team", "Audit", "API", "Review", "Search", "Settings")
# The trial's phone header took 200 of 844 px; a brand row and a nav row take about 90,
# and an administrator's seven links, wrapped onto two rows, about 124.
PHONE_HEADER_MAX = 130

# Every word (split where a browser may break a line anyway) drawn on more than one line;
# a word too long for any column (a recording SID) may break, one that fits must not.
BROKEN_WORDS = """(root) => {
  const broken = [];
  const walker = document.createTreeWalker(root, NodeFilter.SHOW_TEXT);
  for (let node = walker.nextNode(); node; node = walker.nextNode()) {
    const text = node.textContent;
    for (const match of text.matchAll(/[^\\s\\-\\/.,?&=_\\u2013\\u2014]+/g)) {
      if (match[0].length > 20) continue;
      const range = document.createRange();
      range.setStart(node, match.index);
      range.setEnd(node, match.index + match[0].length);
      const tops = new Set([...range.getClientRects()].filter(r => r.width > 0)
                                                      .map(r => Math.round(r.top)));
      if (tops.size > 1) broken.push(match[0] + ' in "' + text.trim().slice(0, 60) + '"');
    }
  }
  return broken;
}"""

# Every visible button drawn on more than one line: its text's height over its line height.
TALL_BUTTONS = """() => [...document.querySelectorAll('.btn, button, input[type=submit]')]
  .filter(el => el.getClientRects().length && getComputedStyle(el).visibility !== 'hidden')
  .map(el => {
    const s = getComputedStyle(el), px = name => parseFloat(s[name]) || 0;
    const line = parseFloat(s.lineHeight) || 1.2 * px('fontSize');
    const text = el.getBoundingClientRect().height - px('paddingTop') - px('paddingBottom')
      - px('borderTopWidth') - px('borderBottomWidth');
    return {label: (el.innerText || el.value || '').trim(), lines: Math.round(text / line)};
  })
  .filter(button => button.lines > 1)"""


@pytest.fixture
def pages(db, seeded) -> dict[str, str]:
    """Each page type's path, for a manager with a long email in "Northwind Logistics"."""
    user = db.scalar(select(User).where(User.email == seeded.email))
    user.email = EMAIL
    db.get(Organization, user.organization_id).name = "Northwind Logistics"
    candidate = db.scalar(select(Candidate.id).where(Candidate.name == "Jordan Rivera"))
    db.commit()
    return {
        "interviews": "/",
        "interview": f"/interviews/{seeded.interview_id}",
        "add_candidate": f"/interviews/{seeded.interview_id}/candidates/new",
        "candidate": f"/candidates/{candidate}",
        "review": "/review",
        "search": "/search?q=night",
        "settings": "/settings/review",
        "builder": "/interviews/new",
        "audit": "/audit",
    }


def header_facts(page) -> dict:
    """The header's height (px) and how its email is drawn."""
    return page.evaluate(
        """() => {
          const email = [...document.querySelectorAll('.account-email')]
            .find(el => el.getClientRects().length);
          const s = email && getComputedStyle(email);
          return {height: document.querySelector('header.topbar').getBoundingClientRect().height,
                  email: email && {lines: email.getClientRects().length,
                                   height: email.getBoundingClientRect().height,
                                   line: parseFloat(s.lineHeight) || 1.2 * parseFloat(s.fontSize),
                                   ellipsis: s.textOverflow === 'ellipsis'
                                             && s.whiteSpace === 'nowrap',
                                   title: email.getAttribute('title')}};
        }"""
    )


def test_the_header_is_compact_on_a_phone(browser, live_url, pages):
    """At 390x844 the header is a brand row and an administrator's nav links (two rows), at
    most 130 px on every page; the organisation, the email (one line, cut short with an
    ellipsis, the whole address in its title) and Password/Sign out sit in an "Account"
    menu."""
    page, problems = open_page(browser, PHONE, phone=True)
    sign_in(page, live_url, "/", EMAIL)
    for name, path in pages.items():
        page.goto(live_url + path)
        facts = header_facts(page)
        assert facts["height"] <= PHONE_HEADER_MAX, (path, facts)
        for link in NAV:
            assert page.locator("nav.mainnav").get_by_role("link", name=link).is_visible(), link
        assert page.get_by_role("button", name="Sign out").count() == 0  # in the closed menu
        current = page.locator("nav.mainnav [aria-current=page]")
        if current.count():  # scrolled into the nav's view
            nav, link = box(page.locator("nav.mainnav")), box(current)
            assert nav["left"] <= link["left"] and link["right"] <= nav["right"], (path, link)
        shoot(page, f"fit-phone-{name}")

    page.goto(live_url + "/")
    page.locator("summary", has_text="Account").click()
    shoot(page, "fit-phone-account-menu")
    facts = header_facts(page)
    assert facts["email"]["ellipsis"] and facts["email"]["title"] == EMAIL, facts
    assert facts["email"]["height"] < 1.5 * facts["email"]["line"], facts  # one line
    menu = box(page.locator("header .account"))
    assert menu["right"] <= PHONE["width"] and menu["left"] >= 0, menu
    assert page.locator(".account-org:visible").inner_text() == "Northwind Logistics"
    assert page.get_by_role("link", name="Password").is_visible()
    page.get_by_role("button", name="Sign out").click()
    page.wait_for_url(live_url + "/login")
    assert problems == []


def test_every_header_link_is_reachable_by_keyboard_without_javascript(browser, live_url, pages):
    """With JavaScript off, Tab at 390px walks every nav link and the Account menu; Enter
    opens the menu and Tab then reaches Password and Sign out."""
    context = browser.new_context(viewport=PHONE, java_script_enabled=False)
    page = context.new_page()
    sign_in(page, live_url, "/", EMAIL)
    focused = []
    for _ in range(12):
        page.keyboard.press("Tab")
        focused.append(page.evaluate("document.activeElement.textContent.trim()"))
        if focused[-1] == "Account":
            break
    assert focused[:2] == ["Skip to main content", "Screenline"], focused
    assert focused[2:] == [*NAV, "Account"], focused  # the nav left to right, then Account
    page.keyboard.press("Enter")
    after = []
    for _ in range(2):
        page.keyboard.press("Tab")
        after.append(page.evaluate("document.activeElement.textContent.trim()"))
    assert after == ["Password", "Sign out"], after
    context.close()


@pytest.mark.parametrize("width", [1200, DESKTOP["width"]])
def test_the_desktop_header_is_one_row_with_the_account_beside_the_nav(
    browser, live_url, pages, width
):
    """From 1200px (and at 1280) the header stays one row: the nav, then the organisation
    over the email (one line, whole or cut short) and the Password and Sign out buttons; no Account
    menu. Below 1200px an administrator's account wrapped onto a second row (114px at
    1100px with this email), so the Account menu takes over there."""
    page, problems = open_page(browser, {**DESKTOP, "width": width})
    sign_in(page, live_url, "/", EMAIL)
    facts = header_facts(page)
    assert facts["height"] < 64, facts
    assert facts["email"]["height"] < 1.5 * facts["email"]["line"], facts
    assert page.locator(".account-email:visible").inner_text() == EMAIL
    assert not page.locator("summary", has_text="Account").is_visible()
    nav = box(page.locator("nav.mainnav"))
    sign_out = box(page.get_by_role("button", name="Sign out"))
    assert sign_out["left"] > nav["right"] and sign_out["top"] < nav["bottom"], (nav, sign_out)
    assert page.get_by_role("link", name="Password").is_visible()
    assert problems == []


@pytest.mark.parametrize("width", [721, 800, 1000, 1100, 1199])
def test_a_mid_width_header_is_one_row_with_an_account_menu(browser, live_url, pages, width):
    """From 721 to 1199px the account does not fit beside the nav: the header stays one row
    (it took two, 113px, at 721-1000px) with an Account button at its end, which opens the
    organisation, the email and Password/Sign out as a panel inside the window; every nav
    link stays reachable (the nav scrolls sideways where an administrator's do not fit)."""
    page, problems = open_page(browser, {"width": width, "height": 800})
    sign_in(page, live_url, "/", EMAIL)
    for path in ("/", pages["interview"]):
        page.goto(live_url + path)
        assert header_facts(page)["height"] < 64, (width, path, header_facts(page))
        assert overflow(page) <= 0, (width, path)
    assert page.get_by_role("button", name="Sign out").count() == 0  # in the closed menu
    account = box(page.locator("summary", has_text="Account"))
    header = box(page.locator("header"))
    assert account["right"] <= width and account["bottom"] <= header["bottom"], account
    for link in NAV:
        assert page.locator("nav.mainnav").get_by_role("link", name=link).count() == 1, link
    summary = page.locator("summary", has_text="Account")
    summary.click()
    assert page.get_by_role("button", name="Sign out").is_visible()
    page.keyboard.press("Escape")  # closes as a menu does, focus back on its button
    assert not page.get_by_role("button", name="Sign out").is_visible()
    assert page.evaluate("document.activeElement.textContent.trim()") == "Account"
    summary.click()
    page.locator("main h1").click()  # a click elsewhere closes it too
    assert not page.get_by_role("button", name="Sign out").is_visible()
    summary.click()
    shoot(page, f"fit-{width}-account-menu")
    panel = box(page.locator("header .account"))
    assert panel["left"] >= 0 and panel["right"] <= width, panel
    assert page.locator(".account-email:visible").inner_text() == EMAIL
    assert page.get_by_role("link", name="Password").is_visible()
    page.get_by_role("button", name="Sign out").click()
    page.wait_for_url(live_url + "/login")
    assert problems == []


# Where each nav link is drawn, and whether it is the thing drawn at its own centre (not
# cut off by a scrolling box or covered), with the nav's and the document's widths.
NAV_FACTS = """(nav) => ({
  links: [...nav.querySelectorAll('a')].map(a => {
    const r = a.getBoundingClientRect();
    const hit = document.elementFromPoint(r.left + r.width / 2, r.top + r.height / 2);
    return {label: a.textContent.trim(), left: r.left, right: r.right, top: r.top,
            lines: a.getClientRects().length, drawn: !!hit && hit.closest('a') === a};
  }),
  navScroll: nav.scrollWidth - nav.clientWidth,
  docScroll: document.documentElement.scrollWidth - document.documentElement.clientWidth,
})"""


@pytest.mark.parametrize("width", [390, 320, 1100, 1200])
def test_every_nav_link_is_in_view_at_any_width(browser, live_url, pages, width):
    """An administrator's seven nav links are each drawn whole inside the window, none
    behind a sideways scroll (a phone's nav scrolled with only a faint fade at its edge,
    and people did not see that more links existed), nor does the page scroll sideways; on
    a phone they wrap onto a second row in reading order, at 1100px they stay one row."""
    phone = width < 721
    page, problems = open_page(browser, {"width": width, "height": 844}, phone=phone)
    sign_in(page, live_url, "/", EMAIL)
    base.SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(base.SHOTS / f"fit-nav-{width}.png"))  # the window, not the page
    for path in ("/", "/audit", "/settings/review"):
        page.goto(live_url + path)
        facts = page.locator("nav.mainnav").evaluate(NAV_FACTS)
        links = facts["links"]
        assert [link["label"] for link in links] == list(NAV), (path, links)
        for link in links:
            assert link["left"] >= 0 and link["right"] <= width, (width, path, link)
            assert link["drawn"] and link["lines"] == 1, (width, path, link)
        assert facts["navScroll"] <= 0 and facts["docScroll"] <= 0, (width, path, facts)
        tops = [round(link["top"]) for link in links]
        assert tops == sorted(tops), (width, path, tops)  # row by row, left to right
        if not phone:
            assert len(set(tops)) == 1, (path, tops)
    assert problems == []


@pytest.mark.parametrize("viewport", [DESKTOP, PHONE], ids=["desktop", "phone"])
def test_no_page_breaks_a_word_wraps_a_button_or_scrolls_sideways(
    browser, live_url, pages, viewport
):
    """On every page type no word that fits a line is broken across two, no button takes
    more than one line ("Start reviewing (2)" on /review included), and nothing scrolls
    sideways."""
    phone = viewport is PHONE
    page, problems = open_page(browser, viewport, phone=phone)
    sign_in(page, live_url, "/", EMAIL)
    for name, path in pages.items():
        page.goto(live_url + path)
        if phone:  # the menu's contents too
            page.locator("summary", has_text="Account").click()
        assert overflow(page) <= 0, f"{path} scrolls sideways by {overflow(page)}px"
        broken = page.locator("body").evaluate(BROKEN_WORDS)
        assert broken == [], (path, broken)
        assert page.evaluate(TALL_BUTTONS) == [], path
        if not phone:
            shoot(page, f"fit-desktop-{name}")
    page.goto(live_url + "/review")
    assert page.get_by_role("link", name="Start reviewing (2)").is_visible()
    assert problems == []


@pytest.mark.parametrize("viewport", [DESKTOP, PHONE], ids=["desktop", "phone"])
def test_an_unbroken_transcript_or_comment_wraps_inside_its_card(
    browser, live_url, db, pages, viewport
):
    """A corrected transcript of 5,000 characters without a space, and a comment like it,
    wrap inside the answer card: a trial's 20,000-character transcript made the candidate
    page 189,627 px wide."""
    candidate = db.scalar(select(Candidate).where(Candidate.name == "Jordan Rivera"))
    answer = next(a for a in candidate.answers if a.transcript)
    answer.machine_transcript, answer.transcript = answer.transcript, "x" * 5000  # corrected
    author = db.scalar(select(User.id).where(User.email == EMAIL))
    db.add(
        Comment(candidate_id=candidate.id, author_id=author, answer_id=answer.id, body="y" * 3000)
    )
    db.commit()
    page, problems = open_page(browser, viewport, phone=viewport is PHONE)
    sign_in(page, live_url, pages["candidate"], EMAIL)
    text = box(page.locator(f"#transcript-text-{answer.id}"))
    assert text["right"] <= viewport["width"], text
    assert overflow(page) <= 0, overflow(page)
    assert problems == []
