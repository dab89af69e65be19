"""A newcomer's first steps in real Chromium: sign-up, email check, approval, the site in French."""

from pathlib import Path
from urllib.parse import urlsplit

import pytest
from babel.messages.pofile import read_po

from ecommunity.accounts.models import AccountStatus, Role, User
from ecommunity.config import PROJECT_ROOT
from ecommunity.extensions import db
from tests.conftest import PASSWORD
from tests.support.browser import log_in
from tests.support.crawl import path_of

pytestmark = pytest.mark.browser

SCREENSHOT = Path("/tmp/journey-fr.png")
FRENCH_CATALOGUE = PROJECT_ROOT / "ecommunity" / "translations" / "fr" / "LC_MESSAGES" / "messages.po"

NAME = "Awa Sarr"
EMAIL = "awa.sarr@example.org"
NEW_PASSWORD = "dunes of the sine-saloum 2024"
SIGNUP = {
    "full_name": NAME,
    "email": EMAIL,
    "password": NEW_PASSWORD,
    "password_confirm": NEW_PASSWORD,
    "organisation": "Direction des Parcs nationaux",
    "position": "Conservatrice",
}
SIGNUP_CHOICES = {"country": "SN", "region": "africa", "language": "en", "timezone": "Africa/Dakar"}


def french(msgid: str) -> str | None:
    """The French translation the catalogue holds for `msgid` (None when missing or fuzzy)."""
    with FRENCH_CATALOGUE.open("rb") as file:
        message = read_po(file).get(msgid)
    if message is None or message.fuzzy or not message.string:
        return None
    return message.string


def account(email: str) -> User:
    """The account as the server last committed it."""
    db.session.expire_all()
    user = db.session.scalar(db.select(User).where(User.email == email))
    assert user is not None, f"no account for {email}"
    return user


def test_sign_up_verify_approve_and_switch_to_french(browsing, mailbox, make_user):
    from playwright.sync_api import expect

    # A National Focal Point asks for an account.
    person = browsing.new_context().new_page()
    person.goto("/signup")
    form = person.locator("main form").filter(has=person.get_by_role("button", name="Request an account"))
    for name, value in SIGNUP.items():
        form.locator(f"[name={name}]").fill(value)
    for name, value in SIGNUP_CHOICES.items():
        form.locator(f"select[name={name}]").select_option(value)
    form.locator("input[name=instruments][value=cms]").check()
    with person.expect_navigation():
        form.get_by_role("button", name="Request an account").click()
    expect(person.locator(".error-summary")).to_have_count(0)
    assert urlsplit(person.url).path != "/signup", person.inner_text("main")
    assert account(EMAIL).status == AccountStatus.UNVERIFIED

    # The verification mail reaches the SMTP server; its first link confirms the address.
    mailbox.deliver()
    mails = mailbox.to(EMAIL)
    assert len(mails) == 1, f"expected one verification mail, got {[m['Subject'] for m in mails]}"
    verification = mails[0]
    link = mailbox.links_in(verification)[0]
    assert "/verify-email/" in link, mailbox.text_of(verification)
    response = person.goto(path_of(link))  # on this live server, whatever host the mail names
    assert response.ok, person.inner_text("body")
    assert account(EMAIL).status == AccountStatus.PENDING

    # The secretariat approves the request from its review list.
    staff = make_user(email="desk@example.org", role=Role.SECRETARIAT, full_name="Desk Officer")
    desk = browsing.new_context().new_page()
    assert log_in(desk, staff.email, PASSWORD) is None
    desk.goto("/secretariat/accounts")
    row = desk.get_by_role("row").filter(has_text=EMAIL)
    with desk.expect_navigation():
        row.get_by_role("button", name="Approve").click()
    assert account(EMAIL).status == AccountStatus.ACTIVE
    mailbox.deliver()
    assert len(mailbox.to(EMAIL)) == 2, "no mail telling the person the account is approved"

    # The new member logs in, then picks French in the header.
    assert log_in(person, EMAIL, NEW_PASSWORD) is None
    person.goto("/")
    expect(person.get_by_role("heading", level=1)).to_have_text(f"Welcome, {NAME}")
    with person.expect_navigation():
        person.locator("header").get_by_role("button", name="Français").click()
    expect(person.locator("html")).to_have_attribute("lang", "fr")
    welcome = french("Welcome, %(name)s")
    if welcome:
        hint = "the French catalogue translates the welcome; is it compiled (make translations)?"
        expect(person.get_by_role("heading", level=1), hint).to_have_text(welcome % {"name": NAME})
    else:  # not translated yet: the page is French, its heading still falls back to English
        expect(person.get_by_role("heading", level=1)).to_have_text(f"Welcome, {NAME}")
    assert account(EMAIL).language == "fr"
    person.screenshot(path=str(SCREENSHOT), full_page=True)
