"""The rules, through the service layer: counts, states, moderation, reading and concurrency."""

import threading

import pytest

from ecommunity.accounts.models import AccountStatus, Role, User
from ecommunity.extensions import db
from ecommunity.forums import services
from ecommunity.forums.models import Category, ModerationAction, Post, PostRevision, Report, State, Topic, TopicUser
from ecommunity.forums.services import DuplicateSubmission, ForumError


def counts(category_id, topic_id=None):
    db.session.expire_all()
    category = db.session.get(Category, category_id)
    result = {"category_topics": category.topic_count, "category_posts": category.post_count}
    if topic_id:
        topic = db.session.get(Topic, topic_id)
        visible = db.session.scalar(
            db.select(db.func.count()).where(Post.topic_id == topic_id, Post.state == State.VISIBLE)
        )
        result.update(topic_posts=topic.post_count, visible_posts=visible, last=topic.last_post_number)
    return result


def test_topic_and_replies_keep_counts_and_numbers(categories, member, other, make_topic):
    topic = make_topic(categories["open"], member, replies=2, repliers=[other])
    assert counts(categories["open"].id, topic.id) == {
        "category_topics": 1, "category_posts": 3, "topic_posts": 3, "visible_posts": 3, "last": 3,
    }
    numbers = db.session.scalars(db.select(Post.number).where(Post.topic_id == topic.id).order_by(Post.id)).all()
    assert numbers == [1, 2, 3]
    assert topic.last_poster_id == other.id


def test_hide_restore_and_delete_keep_counts_right(categories, member, other, moderator, make_topic):
    topic = make_topic(categories["open"], member, replies=3, repliers=[other])
    last = services.post_by_number(topic, 4)
    assert services.moderate_post(last, moderator, "hide", "spam")
    db.session.commit()
    assert counts(categories["open"].id, topic.id) == {
        "category_topics": 1, "category_posts": 3, "topic_posts": 3, "visible_posts": 3, "last": 3,
    }
    assert not services.moderate_post(last, moderator, "hide")  # already hidden: nothing changes
    assert services.moderate_post(last, moderator, "restore")
    db.session.commit()
    assert counts(categories["open"].id, topic.id)["last"] == 4
    services.delete_own_post(services.post_by_number(topic, 3), other)
    db.session.commit()
    assert counts(categories["open"].id, topic.id) == {
        "category_topics": 1, "category_posts": 3, "topic_posts": 3, "visible_posts": 3, "last": 4,
    }
    actions = db.session.scalars(db.select(ModerationAction.action).order_by(ModerationAction.id)).all()
    assert actions == ["post-hide", "post-restore"]


def test_hiding_and_moving_a_topic_moves_its_counts(categories, member, moderator, make_topic):
    open_, staff = categories["open"], categories["staff"]
    topic = make_topic(open_, member, replies=4)
    services.moderate_topic(topic, moderator, "hide")
    db.session.commit()
    assert counts(open_.id) == {"category_topics": 0, "category_posts": 0}
    services.moderate_topic(topic, moderator, "restore")
    services.move_topic(topic, staff, moderator)
    db.session.commit()
    assert counts(open_.id) == {"category_topics": 0, "category_posts": 0}
    assert counts(staff.id) == {"category_topics": 1, "category_posts": 5}
    log = db.session.scalars(db.select(ModerationAction).order_by(ModerationAction.id)).all()
    assert [a.action for a in log] == ["topic-hide", "topic-restore", "topic-move"]
    assert all(a.actor_id == moderator.id and a.created_at is not None for a in log)
    assert "national-reporting → staff-room" in log[-1].detail


def test_deleting_the_first_post_deletes_the_topic(categories, member, make_topic):
    topic = make_topic(categories["open"], member, replies=1)
    services.delete_own_post(services.post_by_number(topic, 1), member)
    db.session.commit()
    assert db.session.get(Topic, topic.id).state == State.DELETED
    assert counts(categories["open"].id) == {"category_topics": 0, "category_posts": 0}


@pytest.mark.parametrize("action", ["lock", "hide"])
def test_closed_topics_refuse_replies(categories, member, other, moderator, make_topic, action):
    topic = make_topic(categories["open"], member)
    services.moderate_topic(topic, moderator, action)
    db.session.commit()
    with pytest.raises(ForumError) as refused:
        services.reply(topic=topic, author=other, body="Late reply")
    assert refused.value.reason == ("locked" if action == "lock" else "closed")
    db.session.rollback()
    assert counts(categories["open"].id, topic.id)["visible_posts"] == 1


def test_same_submission_token_makes_one_post(categories, member, make_topic):
    topic = make_topic(categories["open"], member)
    first = services.reply(topic=topic, author=member, body="Once", token="t" * 24, notify=False)
    db.session.commit()
    with pytest.raises(DuplicateSubmission) as twice:
        services.reply(topic=topic, author=member, body="Once", token="t" * 24, notify=False)
    assert twice.value.post.id == first.id
    assert counts(categories["open"].id, topic.id)["topic_posts"] == 2


def test_edit_keeps_history(categories, member, make_topic):
    topic = make_topic(categories["open"], member, title="Old title", body="Old text")
    post = services.post_by_number(topic, 1)
    services.edit_post(post, member, "New **text**", title="New title")
    db.session.commit()
    db.session.expire_all()
    post = db.session.get(Post, post.id)
    assert post.edited_at is not None and post.edit_count == 1 and "<strong>text</strong>" in post.body_html
    assert post.topic.title == "New title"
    revision = db.session.scalars(db.select(PostRevision)).one()
    assert (revision.body, revision.title, revision.replaced_by_id) == ("Old text", "Old title", member.id)


def test_only_authors_edit_and_delete(categories, member, other, make_topic):
    topic = make_topic(categories["open"], member)
    post = services.post_by_number(topic, 1)
    with pytest.raises(ForumError):
        services.edit_post(post, other, "Not mine")
    with pytest.raises(ForumError):
        services.delete_own_post(post, other)


@pytest.mark.parametrize(("role", "region", "readable"), [
    (Role.MEMBER, "africa", {"national-reporting", "africa"}),
    (Role.MEMBER, "europe", {"national-reporting"}),
    (Role.SECRETARIAT, "europe", {"national-reporting", "staff-room", "africa"}),
    (Role.ADMIN, "asia", {"national-reporting", "staff-room", "africa"}),
])
def test_who_reads_which_category(categories, make_user, role, region, readable):
    user = make_user(role=role, region=region)
    assert {c.slug for c in services.categories_for(user)} == readable
    assert {row[0].slug for row in services.category_overview(user)} == readable
    for category in categories.values():
        assert services.can_read(user, category) == (category.slug in readable)


def test_inactive_accounts_read_nothing(categories, make_user):
    user = make_user(status=AccountStatus.DEACTIVATED)
    assert services.categories_for(user) == []


def test_reports_queue_and_decisions(categories, member, other, moderator, make_topic):
    topic = make_topic(categories["open"], member, replies=1, repliers=[other])
    post = services.post_by_number(topic, 2)
    report = services.report_post(post, member, "offensive", "Not respectful")
    db.session.commit()
    with pytest.raises(ForumError):
        services.report_post(post, member, "spam")
    db.session.rollback()
    assert services.open_reports(1).total == 1
    services.resolve_report(report, moderator, "hide")
    db.session.commit()
    assert db.session.get(Post, post.id).state == State.HIDDEN
    assert db.session.get(Report, report.id).resolution == "hidden"
    assert services.open_reports(1).total == 0


def test_unread_tracking_and_new_since_last_visit(categories, member, other, make_topic):
    from datetime import timedelta

    from ecommunity.database import utcnow

    topic = make_topic(categories["open"], member)
    member_row, _ = services.note_visit(other, at=utcnow() - timedelta(hours=2))
    db.session.commit()
    assert services.unread_topics(other, member_row, 1).total == 1
    state = services.topic_state_for(other, topic)
    assert services.first_unread_number(topic, state, member_row) == 1
    services.mark_read(other, topic, 1, state)
    db.session.commit()
    assert services.unread_topics(other, member_row, 1).total == 0
    services.reply(topic=topic, author=member, body="More", notify=False)
    db.session.commit()
    topic = db.session.get(Topic, topic.id)
    assert services.first_unread_number(topic, services.topic_state_for(other, topic), member_row) == 2
    member_row, changed = services.note_visit(other)  # a new visit after two hours away
    db.session.commit()
    assert changed and member_row.last_visit_at is not None
    assert services.new_since_last_visit(other, member_row, 1).total == 1
    services.mark_all_read(other)
    db.session.commit()
    assert services.unread_topics(other, member_row, 1).total == 0


@pytest.mark.parametrize(("role", "region", "new_topics"), [
    (Role.MEMBER, "africa", 2),
    (Role.MEMBER, "europe", 1),
    (Role.SECRETARIAT, "europe", 3),
])
def test_new_since_last_visit_counts_only_what_the_reader_may_read(categories, moderator, make_user, make_topic,
                                                                   role, region, new_topics):
    from datetime import timedelta

    from ecommunity.database import utcnow

    reader = make_user(role=role, region=region)
    services.note_visit(reader, at=utcnow() - timedelta(hours=2))
    db.session.commit()
    for category in categories.values():
        make_topic(category, moderator)
    services.note_visit(reader)
    db.session.commit()
    member_row, count = services.member_and_new_count(reader)
    assert count == new_topics
    assert services.count_new_since_last_visit(reader, member_row) == new_topics
    assert services.new_since_last_visit(reader, member_row, 1).total == new_topics


def test_topics_linking_to_respects_visibility(categories, member, make_user, app):
    services.create_topic(category=categories["africa"], author=member, title="Workshop logistics", body="Visas",
                          link=("event", "12"), notify=False)
    services.create_topic(category=categories["open"], author=member, title="Agenda item 5", body="Draft",
                          link=("event", "12"), notify=False)
    db.session.commit()
    europe = make_user(region="europe")
    assert {t.title for t in services.topics_linking_to("event", "12", member)} == {
        "Workshop logistics", "Agenda item 5"}
    assert [t.title for t in services.topics_linking_to("event", 12, europe)] == ["Agenda item 5"]
    assert services.topics_linking_to("event", "12", None) == []


def _run_at_once(app, work, count):
    barrier = threading.Barrier(count)
    errors = []

    def run(i):
        try:
            with app.app_context():
                prepared = work(i, None)
                barrier.wait(timeout=10)
                work(i, prepared)
                db.session.commit()
                db.session.remove()
        except Exception as error:  # noqa: BLE001 - reported to the test below
            errors.append(error)

    threads = [threading.Thread(target=run, args=(i,)) for i in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert errors == []


def test_replies_at_the_same_moment_are_all_kept_with_right_counts(app, categories, member, make_user, make_topic):
    """Several connections reply to one topic at once, in rounds: no reply lost, no count wrong."""
    topic = make_topic(categories["open"], member)
    people = [make_user(full_name=f"Replier {i}") for i in range(4)]
    ids = [p.id for p in people]
    topic_id = topic.id
    services.set_category_watch(member, categories["open"], True)
    db.session.commit()

    def work(i, prepared):
        if prepared is None:
            return db.session.get(Topic, topic_id), db.session.get(User, ids[i])
        services.reply(topic=prepared[0], author=prepared[1], body=f"Simultaneous reply from {i}")

    for _ in range(3):
        _run_at_once(app, work, len(people))
    total = 1 + 3 * len(people)
    assert counts(categories["open"].id, topic.id) == {
        "category_topics": 1, "category_posts": total, "topic_posts": total, "visible_posts": total, "last": total,
    }
    numbers = db.session.scalars(db.select(Post.number).where(Post.topic_id == topic.id)).all()
    assert sorted(numbers) == list(range(1, total + 1))
    watcher = db.session.get(TopicUser, (member.id, topic.id))
    assert watcher.notified_number is not None  # mailed once, then not again while unread


def test_new_topics_at_the_same_moment_keep_category_counts(app, categories, make_user):
    people = [make_user() for _ in range(4)]
    ids = [p.id for p in people]
    category_id = categories["open"].id

    def work(i, prepared):
        if prepared is None:
            return db.session.get(Category, category_id), db.session.get(User, ids[i])
        services.create_topic(category=prepared[0], author=prepared[1], title=f"Topic {i}", body="Text")

    _run_at_once(app, work, len(people))
    assert counts(category_id) == {"category_topics": 4, "category_posts": 4}
