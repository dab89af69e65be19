"""The forum pages through HTTP: reading, writing, bad input, moderation and permissions."""

import re

import pytest
from sqlalchemy import event

from ecommunity.accounts.models import Role
from ecommunity.extensions import db
from ecommunity.forums import services
from ecommunity.forums.models import MAX_POST_LENGTH, ModerationAction, Post, Report, State, Topic
from tests.conftest import csrf_token_from, submit
from tests.forums.conftest import sign_in

TOKEN = re.compile(r'name="submission" value="([^"]+)"')


def page(response) -> str:
    return response.get_data(as_text=True)


def test_anonymous_readers_are_sent_to_login(client, categories, member, make_topic):
    topic = make_topic(categories["open"], member)
    for url in ["/forums/", "/forums/c/national-reporting/", f"/forums/t/{topic.id}/", "/forums/unread"]:
        response = client.get(url)
        assert response.status_code == 302 and "/login" in response.headers["Location"]


def test_index_lists_categories_with_counts_and_last_activity(client, categories, member, other, make_topic):
    make_topic(categories["open"], member, title="Reporting deadline for COP15", replies=2, repliers=[other])
    sign_in(client, member)
    html = page(client.get("/forums/"))
    assert "National reporting" in html and "Africa" in html and "Staff room" not in html
    assert "1 topic" in html and "3 posts" in html
    assert "Reporting deadline for COP15" in html and "Moussa Ndiaye" in html
    assert len(html.encode()) < 40_000


def test_category_names_follow_the_reader_language(client, categories, make_user):
    sign_in(client, make_user(language="fr"))
    assert "Rapports nationaux" in page(client.get("/forums/"))


def test_restricted_categories_are_not_found_for_others(client, categories, make_user):
    sign_in(client, make_user(region="europe"))
    assert client.get("/forums/c/africa/").status_code == 404
    assert client.get("/forums/c/staff-room/").status_code == 404
    assert client.get("/forums/c/africa/new").status_code == 404


def test_topic_list_puts_pinned_first_then_last_activity(client, categories, member, moderator, make_topic):
    old = make_topic(categories["open"], member, title="Old but pinned")
    make_topic(categories["open"], member, title="Quiet topic")
    make_topic(categories["open"], member, title="Busy topic")
    services.moderate_topic(old, moderator, "pin")
    db.session.commit()
    sign_in(client, member)
    html = page(client.get("/forums/c/national-reporting/"))
    assert html.index("Old but pinned") < html.index("Busy topic") < html.index("Quiet topic")


def test_topic_pages_have_twenty_posts_and_a_link_to_the_first_unread(client, categories, member, other, make_topic):
    topic = make_topic(categories["open"], member, replies=44)
    sign_in(client, other)
    first = page(client.get(f"/forums/t/{topic.id}/"))
    assert first.count('<article class="post') == 20 and 'id="p20"' in first and 'id="p21"' not in first
    assert "Page 1 of 3" in first
    third = page(client.get(f"/forums/t/{topic.id}/?page=3"))
    assert third.count('<article class="post') == 5 and 'id="p45"' in third
    # Read up to 20, then the first unread is 21.
    response = client.get(f"/forums/t/{topic.id}/unread")
    assert response.headers["Location"].endswith(f"/forums/t/{topic.id}/?page=3#p45")
    assert client.get(f"/forums/t/{topic.id}/?page=9").status_code == 302


def test_first_unread_after_reading_part_of_a_topic(client, categories, member, other, make_topic):
    topic = make_topic(categories["open"], member, replies=24)
    sign_in(client, other)
    client.get(f"/forums/t/{topic.id}/")  # reads 1-20
    response = client.get(f"/forums/t/{topic.id}/unread")
    assert response.headers["Location"].endswith("?page=2#p21")
    html = page(client.get("/forums/unread"))
    assert topic.title in html


def test_posting_a_topic_and_a_reply(client, categories, member):
    sign_in(client, member)
    response = submit(client, "/forums/c/national-reporting/new", {
        "title": "Multi-stakeholder workshop for the national report",
        "body": "We held one in **Nairobi**. <script>alert(1)</script>",
        "submission": "x" * 24, "link": "https://ecommunity.example/manual/national-reporting/",
    })
    assert response.status_code == 302
    topic = db.session.scalars(db.select(Topic)).one()
    assert (topic.link_kind, topic.link_ref) == ("manual", "national-reporting")
    html = page(client.get(f"/forums/t/{topic.id}/"))
    assert "<strong>Nairobi</strong>" in html and "<script>alert" not in html
    assert 'href="/manual/national-reporting"' in html
    token = TOKEN.search(html).group(1)
    response = client.post(f"/forums/t/{topic.id}/reply", data={
        "csrf_token": csrf_token_from(html), "submission": token, "body": "And a follow-up."})
    assert response.status_code == 302 and response.headers["Location"].endswith("#p2")


def test_a_double_click_on_post_makes_one_post(client, categories, member, make_topic):
    topic = make_topic(categories["open"], member)
    sign_in(client, member)
    html = page(client.get(f"/forums/t/{topic.id}/"))
    data = {"csrf_token": csrf_token_from(html), "submission": TOKEN.search(html).group(1), "body": "Only once"}
    first = client.post(f"/forums/t/{topic.id}/reply", data=data)
    second = client.post(f"/forums/t/{topic.id}/reply", data=data)
    assert first.status_code == second.status_code == 302
    assert first.headers["Location"] == second.headers["Location"]
    assert db.session.scalar(db.select(db.func.count()).select_from(Post).where(Post.body == "Only once")) == 1


def test_posting_too_fast_is_refused_with_the_text_kept(app, client, categories, member, make_topic):
    from ecommunity.extensions import limiter

    app.config["FORUM_POST_RATE_LIMIT"] = "2 per minute"
    limiter.reset()
    topic = make_topic(categories["open"], member)
    sign_in(client, member)
    for number in (1, 2):
        response = submit(client, f"/forums/t/{topic.id}/reply",
                          {"body": f"Reply {number}", "submission": f"{number}" * 24})
        assert response.status_code == 302

    response = submit(client, f"/forums/t/{topic.id}/reply", {"body": "Reply three, typed with care",
                                                              "submission": "3" * 24})

    html = page(response)
    assert response.status_code == 429
    assert re.search(r'id="body-error">[^<]*posting faster than the forums allow', html)
    assert "Reply three, typed with care" in html
    assert db.session.scalar(db.select(db.func.count()).select_from(Post).where(Post.topic_id == topic.id)) == 3


@pytest.mark.parametrize(("body", "message"), [
    ("", "Write something before posting."),
    ("   \n  ", "Write something before posting."),
    ("x" * (MAX_POST_LENGTH + 1), "at most 50000 characters"),
])
def test_empty_or_oversized_posts_get_a_message_beside_the_field(client, categories, member, make_topic, body,
                                                                  message):
    topic = make_topic(categories["open"], member)
    sign_in(client, member)
    response = submit(client, f"/forums/t/{topic.id}/reply", {"body": body, "submission": "y" * 24})
    html = page(response)
    assert response.status_code == 400
    assert re.search(r'id="body-error">[^<]*' + re.escape(message), html)
    assert 'aria-describedby="body-hint body-error"' in html or 'aria-describedby="body-error"' in html


def test_a_topic_needs_a_title(client, categories, member):
    sign_in(client, member)
    response = submit(client, "/forums/c/national-reporting/new", {"title": "", "body": "x", "submission": "z" * 24})
    assert response.status_code == 400 and 'id="title-error"' in page(response)


def test_a_bad_link_gets_a_message(client, categories, member):
    sign_in(client, member)
    response = submit(client, "/forums/c/national-reporting/new",
                      {"title": "T", "body": "x", "submission": "z" * 24, "link": "https://evil.example/phish"})
    assert response.status_code == 400 and 'id="link-error"' in page(response)


def test_form_library_messages_come_in_the_reader_s_language(client, categories, make_user):
    """WTForms' own messages (here a length limit) follow each reader's language, request after request."""
    french = make_user(language="fr")
    for reader, message in ((french, "Le champ ne peut pas contenir plus de 500 caractères."),
                            (make_user(language="en"), "Field cannot be longer than 500 characters.")):
        sign_in(client, reader)
        response = submit(client, "/forums/c/national-reporting/new",
                          {"title": "T", "body": "x", "submission": "y" * 24, "link": "https://a.example/" + "a" * 500})
        assert response.status_code == 400 and message in page(response)


@pytest.mark.parametrize("action", ["lock", "hide"])
def test_replies_to_locked_or_hidden_topics_are_refused_with_a_message(client, categories, member, other,
                                                                        moderator, make_topic, action):
    topic = make_topic(categories["open"], member)
    sign_in(client, member)
    html = page(client.get(f"/forums/t/{topic.id}/"))
    services.moderate_topic(topic, moderator, action)
    db.session.commit()
    response = client.post(f"/forums/t/{topic.id}/reply", data={
        "csrf_token": csrf_token_from(html), "submission": TOKEN.search(html).group(1), "body": "Too late"})
    if action == "lock":
        assert response.status_code == 409
        assert "This topic is locked: it accepts no new replies." in page(response)
        assert "This topic is locked" in page(client.get(f"/forums/t/{topic.id}/"))
    else:
        assert response.status_code == 404  # members no longer see a hidden topic
    assert db.session.scalar(db.select(db.func.count()).select_from(Post)) == 1


def test_quote_starts_the_reply_with_the_post(client, categories, member, other, make_topic):
    topic = make_topic(categories["open"], member, body="Deadline is **six months** before COP")
    sign_in(client, other)
    post = services.post_by_number(topic, 1)
    html = page(client.get(f"/forums/t/{topic.id}/reply?quote={post.id}"))
    assert "&gt; **Wanjiru Kamau:**" in html and "&gt; Deadline is **six months** before COP" in html


def test_edit_own_post_shows_the_mark_and_history_to_moderators(client, categories, member, moderator, make_topic):
    topic = make_topic(categories["open"], member, body="First version")
    post = services.post_by_number(topic, 1)
    sign_in(client, member)
    response = submit(client, f"/forums/p/{post.id}/edit", {"title": topic.title, "body": "Second version"})
    assert response.status_code == 302
    html = page(client.get(f"/forums/t/{topic.id}/"))
    assert "Second version" in html and "edited" in html
    assert client.get(f"/forums/p/{post.id}/history").status_code == 403
    sign_in(client, moderator)
    history = page(client.get(f"/forums/p/{post.id}/history"))
    assert "First version" in history and "Second version" in history


def test_others_cannot_edit_or_delete(client, categories, member, other, make_topic):
    topic = make_topic(categories["open"], member)
    post = services.post_by_number(topic, 1)
    sign_in(client, other)
    assert client.get(f"/forums/p/{post.id}/edit").status_code == 403
    assert client.get(f"/forums/p/{post.id}/delete").status_code == 403


def test_delete_own_reply(client, categories, member, other, make_topic):
    topic = make_topic(categories["open"], member, replies=1, repliers=[other])
    reply = services.post_by_number(topic, 2)
    sign_in(client, other)
    assert submit(client, f"/forums/p/{reply.id}/delete").status_code == 302
    assert db.session.get(Post, reply.id).state == State.DELETED
    assert "This post was deleted by its author." in page(client.get(f"/forums/t/{topic.id}/"))


def test_report_goes_to_the_queue_and_a_moderator_hides_the_post(client, categories, member, other, moderator,
                                                                  make_topic):
    topic = make_topic(categories["open"], member, replies=1, repliers=[other])
    reply = services.post_by_number(topic, 2)
    sign_in(client, member)
    assert submit(client, f"/forums/p/{reply.id}/report", {"reason": "offensive", "details": "Rude"}).status_code == 302
    response = submit(client, f"/forums/p/{reply.id}/report", {"reason": "spam"})
    assert response.status_code == 302 and db.session.scalar(db.select(db.func.count()).select_from(Report)) == 1
    assert client.get("/forums/moderation/reports").status_code == 403
    sign_in(client, moderator)
    queue = page(client.get("/forums/moderation/reports"))
    assert "Offensive or disrespectful" in queue and "Rude" in queue
    report = db.session.scalars(db.select(Report)).one()
    response = submit(client, f"/forums/moderation/reports/{report.id}", {"decision": "hide"},
                      page="/forums/moderation/reports")
    assert response.status_code == 302
    assert db.session.get(Post, reply.id).state == State.HIDDEN
    sign_in(client, member)
    assert "This post was removed by a moderator." in page(client.get(f"/forums/t/{topic.id}/"))


def test_moderators_pin_lock_move_hide_and_restore_and_it_is_logged(client, categories, member, moderator,
                                                                      make_topic):
    topic = make_topic(categories["open"], member)
    sign_in(client, moderator)
    url = f"/forums/t/{topic.id}/moderate"
    for action in ["pin", "lock", "hide", "restore", "unlock", "unpin"]:
        assert submit(client, url, {"action": action}, page=f"/forums/t/{topic.id}/").status_code == 302
    response = submit(client, f"/forums/t/{topic.id}/move", {"category": categories["staff"].id})
    assert response.status_code == 302
    assert db.session.get(Topic, topic.id).category_id == categories["staff"].id
    log = page(client.get("/forums/moderation/log"))
    for words in ["Pinned the topic", "Locked the topic", "Hid the topic", "Restored the topic", "Moved the topic"]:
        assert words in log
    assert "Jonas Weber" in log
    assert db.session.scalar(db.select(db.func.count()).select_from(ModerationAction)) == 7


@pytest.mark.parametrize(("role", "status"), [(Role.MEMBER, 403), (Role.SECRETARIAT, 302), (Role.ADMIN, 302)])
def test_moderation_permissions(client, categories, member, make_user, make_topic, role, status):
    topic = make_topic(categories["open"], member)
    sign_in(client, make_user(role=role))
    response = submit(client, f"/forums/t/{topic.id}/moderate", {"action": "lock"}, page=f"/forums/t/{topic.id}/")
    assert response.status_code == status


@pytest.mark.parametrize(("role", "status"), [(Role.MEMBER, 403), (Role.SECRETARIAT, 403), (Role.ADMIN, 200)])
def test_only_admins_manage_categories(client, categories, make_user, role, status):
    sign_in(client, make_user(role=role))
    assert client.get("/forums/admin/categories").status_code == status
    assert client.get("/forums/admin/categories/new").status_code == status


def test_admin_creates_a_regional_category(client, categories, make_user):
    sign_in(client, make_user(role=Role.ADMIN))
    response = submit(client, "/forums/admin/categories/new", {
        "name": "Oceania", "name_fr": "Océanie", "name_es": "Oceanía", "slug": "oceania", "position": 9,
        "access": "region", "region": "",
    })
    assert response.status_code == 400 and 'id="region-error"' in page(response)
    response = submit(client, "/forums/admin/categories/new", {
        "name": "Oceania", "slug": "oceania", "position": 9, "access": "region", "region": "oceania"})
    assert response.status_code == 302
    response = submit(client, "/forums/admin/categories/new", {
        "name": "Again", "slug": "oceania", "position": 9, "access": "members"})
    assert response.status_code == 400 and "already has this address name" in page(response)


def test_watch_and_mute_buttons(client, categories, member, other, make_topic):
    topic = make_topic(categories["open"], member)
    sign_in(client, other)
    submit(client, f"/forums/t/{topic.id}/watch", {"watch": "watching"}, page=f"/forums/t/{topic.id}/")
    assert services.topic_state_for(other, topic).watch == "watching"
    assert "You watch this topic." in page(client.get(f"/forums/t/{topic.id}/"))
    submit(client, "/forums/c/national-reporting/watch", {"watch": "on"}, page="/forums/c/national-reporting/")
    assert services.is_watching_category(other, categories["open"])
    assert "Stop watching this category" in page(client.get("/forums/c/national-reporting/"))


def test_home_page_shows_latest_discussions(client, categories, member, moderator, make_topic):
    make_topic(categories["open"], member, title="Integrating migratory species into NBSAPs")
    make_topic(categories["staff"], moderator, title="Staff only planning")
    sign_in(client, member)
    html = page(client.get("/"))
    assert "Latest discussions" in html and "Integrating migratory species into NBSAPs" in html
    assert "Staff only planning" not in html


class QueryCounter:
    def __init__(self, engine):
        self.engine = engine
        self.count = 0

    def __enter__(self):
        event.listen(self.engine, "before_cursor_execute", self._count)
        return self

    def __exit__(self, *exc):
        event.remove(self.engine, "before_cursor_execute", self._count)

    def _count(self, *args):
        self.count += 1


def _queries(client, url) -> int:
    client.get(url)  # first view writes the read mark; the second is the steady state
    with QueryCounter(db.engine) as counter:
        assert client.get(url).status_code == 200
    return counter.count


def test_query_counts_do_not_grow_with_the_number_of_posts(client, categories, member, other, make_topic):
    small = make_topic(categories["open"], member, title="Small", replies=9, repliers=[other])
    big = make_topic(categories["africa"], member, title="Big", replies=999, repliers=[other, member])
    assert big.last_number == 1000
    sign_in(client, other)
    small_counts = [_queries(client, f"/forums/t/{small.id}/"), _queries(client, "/forums/c/national-reporting/")]
    big_counts = [_queries(client, f"/forums/t/{big.id}/"), _queries(client, "/forums/c/africa/")]
    assert small_counts == big_counts
    assert _queries(client, f"/forums/t/{big.id}/?page=50") == small_counts[0]
    index = _queries(client, "/forums/")
    make_topic(categories["open"], member, replies=30)
    assert _queries(client, "/forums/") == index
    # The member, the topic with their read mark, the posts; the member, the category with their watch, the topics.
    assert small_counts == [3, 3], small_counts
    assert index <= 4, index  # the member, their forum row with the "new" count, the categories, their last topics


def test_editing_the_first_post_cannot_empty_the_topic_title(client, categories, member, make_topic):
    topic = make_topic(categories["open"], member, title="Preparing the national report")
    post = services.post_by_number(topic, 1)
    sign_in(client, member)

    response = submit(client, f"/forums/p/{post.id}/edit", {"title": "   ", "body": "changed"})

    assert response.status_code == 400
    assert "Give your topic a title." in page(response)
    db.session.expire_all()
    assert db.session.get(Topic, topic.id).title == "Preparing the national report"
    assert db.session.get(Post, post.id).body != "changed"


def test_editing_a_reply_needs_no_title(client, categories, member, other, make_topic):
    topic = make_topic(categories["open"], other, replies=1, repliers=[member])
    reply = services.post_by_number(topic, 2)
    sign_in(client, member)

    response = submit(client, f"/forums/p/{reply.id}/edit", {"body": "corrected reply"})

    assert response.status_code == 302
    db.session.expire_all()
    assert db.session.get(Post, reply.id).body == "corrected reply"


@pytest.mark.parametrize("path", ["/forums/c/national-reporting/", "/forums/new", "/forums/unread",
                                  "/forums/moderation/reports", "/forums/moderation/log", "/events/",
                                  "/library", "/members", "/secretariat/accounts"])
def test_an_absurd_page_number_is_not_an_error(client, categories, member, moderator, make_topic, path):
    make_topic(categories["open"], member)
    sign_in(client, moderator)

    response = client.get(path + "?page=99999999999999999999")

    assert response.status_code in (200, 404)


def test_watch_lists_leave_out_what_the_member_may_no_longer_read(client, categories, member, other, moderator,
                                                                   make_topic):
    topic = make_topic(categories["open"], other, title="Sensitive matter")
    sign_in(client, member)
    assert submit(client, f"/forums/t/{topic.id}/watch", {"watch": "watching"},
                  page=f"/forums/t/{topic.id}/").status_code == 302
    # Watches kept from when the member could read these categories (a role or region since changed).
    for category in (categories["open"], categories["staff"]):
        services.set_category_watch(db.session.merge(member), category, True)
    db.session.commit()
    html = page(client.get("/forums/settings"))
    assert "Sensitive matter" in html and "National reporting" in html

    services.move_topic(db.session.get(Topic, topic.id), categories["staff"], db.session.merge(moderator))
    db.session.commit()

    html = page(client.get("/forums/settings"))
    assert client.get(f"/forums/t/{topic.id}/").status_code == 404
    assert "Sensitive matter" not in html
    assert "Staff room" not in html
    assert "National reporting" in html


def test_reporting_a_hidden_post_says_why_it_is_refused(client, categories, member, other, moderator, make_topic):
    topic = make_topic(categories["open"], other, replies=1, repliers=[member])
    post = services.post_by_number(topic, 2)
    services.moderate_post(post, db.session.merge(moderator), "hide")
    db.session.commit()
    sign_in(client, member)

    response = submit(client, f"/forums/p/{post.id}/report", {"reason": "spam"}, follow_redirects=True)

    assert "This post was hidden or deleted: it cannot be reported." in page(response)
    assert "You already reported this post" not in page(response)
    assert db.session.scalar(db.select(db.func.count()).select_from(Report)) == 0


def test_a_quoted_post_id_no_row_can_have_is_ignored(client, categories, member, make_topic):
    topic = make_topic(categories["open"], member)
    sign_in(client, member)

    response = client.get(f"/forums/t/{topic.id}/reply?quote=99999999999999999999")

    assert response.status_code == 200
