"""Mail goes through the outbox: written with the action, delivered with retries, never lost."""

import time
from datetime import timedelta

import pytest

from ecommunity.database import utcnow
from ecommunity.extensions import db
from ecommunity.mail.models import OutboxMessage, OutboxStatus
from ecommunity.mail.services import backoff_after, deliver_due, outbox_row, queue_row, start_background_sender
from tests.conftest import free_port


def _queue(recipient="nfp@example.org", **kwargs):
    message_id = queue_row(outbox_row(recipient, kwargs.pop("subject", "Workshop reminder"),
                                      kwargs.pop("body", "See you in Nairobi."), **kwargs))
    db.session.commit()
    return db.session.get(OutboxMessage, message_id)


def _make_due(message):
    message.next_attempt_at = utcnow() - timedelta(seconds=1)
    db.session.commit()


def test_a_queued_mail_arrives_at_the_smtp_server(mailbox):
    _queue(headers={"List-Unsubscribe": "<https://example.org/u/1>"}, body_html="<p>See you</p>")

    assert mailbox.deliver() == {"sent": 1, "retry": 0, "failed": 0}

    [received] = mailbox.to("nfp@example.org")
    assert received["Subject"] == "Workshop reminder"
    assert received["List-Unsubscribe"] == "<https://example.org/u/1>"
    assert mailbox.text_of(received).strip() == "See you in Nairobi."
    assert received.get_body(preferencelist=("html",)).get_content().strip() == "<p>See you</p>"
    assert db.session.scalars(db.select(OutboxMessage)).one().status == OutboxStatus.SENT


def test_mail_queued_in_a_rolled_back_transaction_is_never_sent(mailbox):
    queue_row(outbox_row("nfp@example.org", "Should not leave", "The action failed."))
    db.session.rollback()

    assert mailbox.deliver()["sent"] == 0
    assert mailbox.messages == []
    assert db.session.scalar(db.select(db.func.count()).select_from(OutboxMessage)) == 0


def test_a_mail_server_that_is_down_delays_mail_and_loses_none(app, smtp_server):
    app.config.update(MAIL_SERVER="127.0.0.1", MAIL_PORT=free_port())  # nothing listens there
    message = _queue()

    assert deliver_due() == {"sent": 0, "retry": 1, "failed": 0}
    db.session.refresh(message)
    assert message.status == OutboxStatus.PENDING
    assert message.attempts == 1
    assert message.next_attempt_at > utcnow()
    assert "ConnectionRefused" in message.last_error
    assert deliver_due()["retry"] == 0  # not due yet: backoff is respected

    app.config.update(MAIL_PORT=smtp_server.port)  # the server is back
    _make_due(message)
    assert deliver_due()["sent"] == 1
    assert len(smtp_server.to("nfp@example.org")) == 1


def test_a_temporary_refusal_is_retried(mailbox):
    mailbox.refuse_with = "451 4.3.0 Try again later"
    message = _queue()
    assert mailbox.deliver()["retry"] == 1

    mailbox.refuse_with = None
    _make_due(message)
    assert mailbox.deliver()["sent"] == 1


def test_a_permanent_refusal_is_kept_as_failed_after_three_attempts(mailbox):
    mailbox.refuse_with = "550 5.1.1 No such user"
    message = _queue("nobody@example.org")
    for _ in range(2):
        assert mailbox.deliver()["retry"] == 1
        _make_due(message)
    assert mailbox.deliver()["failed"] == 1

    db.session.refresh(message)
    assert message.status == OutboxStatus.FAILED
    assert "550" in message.last_error
    assert mailbox.deliver() == {"sent": 0, "retry": 0, "failed": 0}


def test_backoff_doubles_and_is_capped_at_an_hour():
    assert [backoff_after(n) for n in (1, 2, 3, 4)] == [
        timedelta(minutes=1), timedelta(minutes=2), timedelta(minutes=4), timedelta(minutes=8)
    ]
    assert backoff_after(30) == timedelta(hours=1)


def test_one_failing_message_does_not_hold_up_the_others(mailbox):
    mailbox.refuse_with = None
    _queue("first@example.org")
    _queue("second@example.org")
    assert mailbox.deliver()["sent"] == 2
    assert {m["To"] for m in mailbox.messages} == {"first@example.org", "second@example.org"}


def test_the_message_id_stays_the_same_across_retries(app, mailbox):
    mailbox.refuse_with = "451 later"
    message = _queue(headers={"Message-ID": "<fixed-id@ecommunity.localhost>"})
    mailbox.deliver()
    mailbox.refuse_with = None
    _make_due(message)
    mailbox.deliver()
    assert mailbox.messages[0]["Message-ID"] == "<fixed-id@ecommunity.localhost>"


def test_the_send_command_delivers_the_outbox(mailbox, runner):
    _queue()
    result = runner.invoke(args=["mail", "send"])
    assert result.exit_code == 0, result.output
    assert "sent 1" in result.output
    assert len(mailbox.messages) == 1


def test_without_a_mail_server_mail_is_printed_to_the_console(app, capsys):
    app.config["MAIL_SERVER"] = ""
    _queue(subject="Printed instead")
    assert deliver_due()["sent"] == 1
    assert "Printed instead" in capsys.readouterr().out


def test_the_background_sender_delivers_soon_after_the_commit(mailbox, app):
    sender = start_background_sender(app, interval=30)
    try:
        _queue()
        deadline = time.monotonic() + 5
        while not mailbox.messages and time.monotonic() < deadline:
            time.sleep(0.05)
    finally:
        sender.stop()
    assert len(mailbox.messages) == 1, "the commit should wake the sender well before its 30 s poll"


@pytest.mark.parametrize("attachments", [[{"filename": "event.ics", "mimetype": "text/calendar",
                                           "content": "BEGIN:VCALENDAR\r\nEND:VCALENDAR\r\n"}]])
def test_attachments_arrive(mailbox, attachments):
    _queue(attachments=attachments)
    mailbox.deliver()
    [part] = list(mailbox.messages[0].iter_attachments())
    assert part.get_filename() == "event.ics"
    assert part.get_content_type() == "text/calendar"
