"""In real Chromium: a member starts a topic, another replies, the first gets the mail at the SMTP server,
follows its link to the unread post, and a secretariat member locks the topic."""

from urllib.parse import urlsplit

import pytest

from ecommunity.accounts.models import Role
from ecommunity.extensions import db
from ecommunity.forums import services
from ecommunity.forums.models import Topic
from tests.conftest import PASSWORD
from tests.support.browser import log_in
from tests.support.live_server import serve

pytestmark = pytest.mark.browser


@pytest.fixture
def live_server(app, mailbox, categories):
    with serve(app) as server:
        yield server


def signed_in(browsing, email):
    page = browsing.new_context().new_page()
    problem = log_in(page, email, PASSWORD)
    assert problem is None, problem
    return page


def test_topic_reply_mail_unread_link_and_lock(browsing, live_server, mailbox, make_user):
    from playwright.sync_api import expect

    make_user(email="wanjiru@example.org", full_name="Wanjiru Kamau")
    make_user(email="moussa@example.org", full_name="Moussa Ndiaye", language="en")
    make_user(email="jonas@example.org", full_name="Jonas Weber", role=Role.SECRETARIAT)
    db.session.remove()

    # Wanjiru starts a topic.
    first = signed_in(browsing, "wanjiru@example.org")
    first.get_by_role("navigation", name="Main").get_by_role("link", name="Forums").click()
    first.get_by_role("link", name="National reporting").first.click()
    first.get_by_role("link", name="Start a topic").click()
    first.get_by_label("Title").fill("Who validates the national report?")
    first.get_by_label("Message").fill("In Kenya the **validation meeting** is in May. And you?")
    first.get_by_role("button", name="Post topic").click()
    expect(first.get_by_role("heading", level=1)).to_have_text("Who validates the national report?")
    expect(first.locator(".post-body strong")).to_have_text("validation meeting")
    topic_url = first.url

    # Moussa replies.
    second = signed_in(browsing, "moussa@example.org")
    second.goto(urlsplit(topic_url).path)
    second.get_by_label("Your reply").fill("In Senegal the ministry validates it in a national workshop.")
    second.get_by_role("button", name="Post reply").click()
    expect(second.locator("#p2")).to_contain_text("national workshop")

    # The notification reaches Wanjiru's mailbox; its link leads to the unread post.
    assert mailbox.deliver()["sent"] >= 1
    mails = mailbox.to("wanjiru@example.org")
    assert len(mails) == 1 and "Who validates the national report?" in mails[0]["Subject"]
    link = next(url for url in mailbox.links_in(mails[0]) if url.endswith("/unread"))
    assert link.startswith(live_server.url)
    first.goto(link)
    assert urlsplit(first.url).fragment == "p2"
    expect(first.locator("#p2 .badge-new")).to_be_visible()
    expect(first.locator("#p2")).to_contain_text("national workshop")

    # A secretariat member locks the topic; the reply form is gone and the reason is shown.
    moderator = signed_in(browsing, "jonas@example.org")
    moderator.goto(urlsplit(topic_url).path)
    moderator.get_by_role("button", name="Lock", exact=True).click()
    expect(moderator.locator(".flash")).to_contain_text("locked")
    second.reload()
    expect(second.get_by_text("This topic is locked: it accepts no new replies.")).to_be_visible()
    expect(second.get_by_label("Your reply")).to_have_count(0)
    db.session.expire_all()
    topic = db.session.scalars(db.select(Topic)).one()
    assert topic.locked and topic.post_count == 2
    assert services.moderation_log(1).items[0].action == "topic-lock"
    assert browsing.blocked == []
