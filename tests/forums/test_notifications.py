"""Forum mail as it arrives at the SMTP server: watching, mentions, one mail until read, unsubscribe, digest."""

from datetime import timedelta
from urllib.parse import urlsplit

from ecommunity.database import utcnow
from ecommunity.extensions import db
from ecommunity.forums import services
from ecommunity.forums.models import CategoryWatch, ForumMember, Topic, TopicUser
from ecommunity.mail.models import OutboxMessage
from tests.forums.conftest import sign_in


def path_of(url: str) -> str:
    parts = urlsplit(url)
    return parts.path + (f"?{parts.query}" if parts.query else "")


def reply(topic, author, body="A reply"):
    post = services.reply(topic=topic, author=author, body=body)
    db.session.commit()
    return post


def test_watchers_get_one_mail_per_topic_until_they_read_it(app, client, mailbox, categories, member, other):
    topic = services.create_topic(category=categories["open"], author=member, title="Deadline for reports",
                                  body="When is it?")
    db.session.commit()
    reply(topic, other, "Six months before the COP.")
    reply(topic, other, "And here is a second reply.")
    mailbox.deliver()
    mails = mailbox.to(member.email)
    assert len(mails) == 1
    assert mails[0]["Subject"] == "New reply in “Deadline for reports”"
    text = mailbox.text_of(mails[0])
    assert "Moussa Ndiaye replied" in text and "Six months before the COP." in text
    link = next(url for url in mailbox.links_in(mails[0]) if "/unread" in url)
    sign_in(client, member)
    response = client.get(path_of(link))
    assert response.headers["Location"].endswith(f"/forums/t/{topic.id}/?page=1#p2")
    client.get(f"/forums/t/{topic.id}/")  # reading the topic makes the next reply worth a mail again
    reply(topic, other, "Third reply.")
    mailbox.deliver()
    assert len(mailbox.to(member.email)) == 2


def test_mail_carries_a_signed_one_click_unsubscribe(app, client, mailbox, categories, member, other):
    topic = services.create_topic(category=categories["open"], author=member, title="Flyway atlas", body="Hi")
    db.session.commit()
    reply(topic, other)
    mailbox.deliver()
    mail = mailbox.to(member.email)[0]
    header = mail["List-Unsubscribe"]
    assert header.startswith("<http") and "/forums/unsubscribe/" in header
    assert mail["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    url = path_of(header.strip("<>"))
    assert url in [path_of(u) for u in mailbox.links_in(mail)]
    # A mail client's one-click POST (RFC 8058): no session, no CSRF token.
    anonymous = app.test_client()
    assert anonymous.get(url).status_code == 200
    assert services.topic_state_for(member, topic).watch == "watching"  # GET only asks
    response = anonymous.post(url, data={"List-Unsubscribe": "One-Click"})
    assert response.status_code == 200 and "no longer receive" in response.get_data(as_text=True)
    assert services.topic_state_for(member, topic).watch is None
    assert anonymous.post(url[:-3] + "xyz").status_code == 404  # a tampered token does nothing


def test_mentions_notify_the_member_named(app, mailbox, categories, member, other, make_user):
    seini = make_user(full_name="Seini Tuilagi", region="oceania")
    services.create_topic(category=categories["open"], author=member, title="Sharks MOU report",
                          body="@Seini.Tuilagi could you share the Fiji template? @Nobody.Here too")
    db.session.commit()
    mailbox.deliver()
    mail = mailbox.to(seini.email)
    assert len(mail) == 1 and "mentioned you" in mail[0]["Subject"]
    assert mailbox.to(other.email) == []


def test_mentions_in_a_restricted_category_do_not_leak(app, mailbox, categories, member, make_user):
    outsider = make_user(full_name="Ingrid Solberg", region="europe")
    services.create_topic(category=categories["africa"], author=member, title="Regional matter",
                          body="@Ingrid.Solberg what do you think?")
    db.session.commit()
    mailbox.deliver()
    assert mailbox.to(outsider.email) == []


def test_category_watchers_hear_about_new_topics_and_muted_topics_stay_quiet(app, mailbox, categories, member,
                                                                              other):
    other.language = "fr"
    db.session.add(CategoryWatch(user_id=other.id, category_id=categories["open"].id))
    db.session.commit()
    topic = services.create_topic(category=categories["open"], author=member, title="COP15 side events",
                                  body="Ideas?")
    db.session.commit()
    mailbox.deliver()
    subjects = [m["Subject"] for m in mailbox.to(other.email)]
    assert len(subjects) == 1  # Moussa reads French: the category's French name, the topic's own title
    assert "Rapports nationaux" in subjects[0] and "COP15 side events" in subjects[0]
    services.set_topic_watch(other, topic, "muted")
    services.mark_read(other, topic, 1, None)
    db.session.commit()
    reply(topic, member)
    mailbox.deliver()
    assert len(mailbox.to(other.email)) == 1


def test_mail_is_in_the_readers_language(app, mailbox, categories, member, other):
    other.language = "fr"
    topic = services.create_topic(category=categories["open"], author=other, title="Rapport national", body="?")
    db.session.commit()
    reply(topic, member)
    mailbox.deliver()
    mail = mailbox.to(other.email)[0]
    assert "Rapports nationaux" in mailbox.text_of(mail)  # the category's French name


def test_digest_command_sends_new_topics_once_per_period(app, runner, mailbox, categories, member, other):
    db.session.add(ForumMember(user_id=other.id, digest="daily"))
    db.session.commit()
    services.create_topic(category=categories["open"], author=member, title="Open topic", body="x", notify=False)
    services.create_topic(category=categories["staff"], author=_secretariat(app), title="Secret", body="x",
                          notify=False)
    db.session.commit()
    result = runner.invoke(args=["forums", "digest"])
    assert result.exit_code == 0 and "digests queued: 1" in result.output
    result = runner.invoke(args=["forums", "digest"])
    assert "digests queued: 0" in result.output
    mailbox.deliver()
    mail = mailbox.to(other.email)
    assert len(mail) == 1 and "forums" in mail[0]["Subject"]
    text = mailbox.text_of(mail[0])
    assert "Open topic" in text and "Secret" not in text
    assert mail[0]["List-Unsubscribe"]
    # A day later with nothing new: no mail.
    member_row = db.session.get(ForumMember, other.id)
    member_row.digest_sent_at = utcnow() - timedelta(days=1)
    db.session.execute(db.update(Topic).values(created_at=utcnow() - timedelta(days=2)))
    db.session.commit()
    assert "digests queued: 0" in runner.invoke(args=["forums", "digest"]).output


def _secretariat(app):
    from ecommunity.accounts.models import Role, User

    user = db.session.scalars(db.select(User).where(User.role == Role.SECRETARIAT)).first()
    if user is None:
        from ecommunity.accounts.models import AccountStatus

        user = User(email="staff@example.org", full_name="Staff", country="DE", region="europe",
                    role=Role.SECRETARIAT, status=AccountStatus.ACTIVE, password_hash="x")
        db.session.add(user)
        db.session.commit()
    return user


def test_a_rolled_back_reply_sends_nothing(app, categories, member, other):
    topic = services.create_topic(category=categories["open"], author=member, title="T", body="x")
    db.session.commit()
    services.reply(topic=topic, author=other, body="Never mind")
    db.session.rollback()
    assert db.session.scalar(db.select(db.func.count()).select_from(OutboxMessage)) == 0
    assert db.session.get(TopicUser, (member.id, topic.id)).notified_number is None
