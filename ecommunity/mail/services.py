"""Queueing mail in the outbox and delivering it with retries."""

import logging
import smtplib
import threading
from datetime import timedelta
from email.message import EmailMessage
from email.utils import formatdate, make_msgid, parseaddr

from flask import current_app
from flask_babel import force_locale
from jinja2 import TemplateNotFound
from sqlalchemy import event, insert
from sqlalchemy.orm import Session

from ecommunity.core.render_cache import render_cache
from ecommunity.database import utcnow
from ecommunity.extensions import db
from ecommunity.mail.models import OutboxMessage, OutboxStatus

log = logging.getLogger(__name__)

MAX_BACKOFF = timedelta(hours=1)
PERMANENT_FAILURES_BEFORE_GIVING_UP = 3


# Built once: building the statement cost more than running it.
_INSERT_MESSAGE = insert(OutboxMessage.__table__).returning(OutboxMessage.__table__.c.id)


def outbox_row(
    recipient: str,
    subject: str,
    body_text: str,
    body_html: str | None = None,
    headers: dict | None = None,
    attachments: list | None = None,
) -> dict:
    """The values of a new outbox row, due now: for `queue_row`, or a statement that writes it with others.

    Whoever writes the row calls `mail_queued()`, so that the sender is woken after the commit.
    """
    now = utcnow()
    return dict(
        recipient=recipient, subject=subject, body_text=body_text, body_html=body_html,
        headers=headers or {}, attachments=attachments or [], status=OutboxStatus.PENDING.value,
        attempts=0, created_at=now, next_attempt_at=now, last_error="",
    )


def mail_queued() -> None:
    """Note that this transaction wrote an outbox row: the background sender is woken after its commit."""
    db.session.info["queued_mail"] = True


def templated_mail(
    recipient: str, template: str, locale: str, headers: dict | None = None,
    attachments: list | None = None, **context,
) -> dict:
    """The outbox row of `templates/mail/<template>.txt` (and `.html` when it exists) rendered in `locale`.

    The template's first line is the subject, after a line "Subject: ...". A mail sees only what it is
    given (and the template globals and filters), not the page's context processors: the current
    reader, their language and their form token are not the recipient's (and cost a tenth of the mail).
    """
    environment = current_app.jinja_env
    with force_locale(locale):
        rendered = environment.get_template(f"mail/{template}.txt").render(context)
        subject, _, body = rendered.partition("\n")
        subject = subject.removeprefix("Subject:").strip()
        html_name = f"mail/{template}.html"
        html = None
        if _has_template(html_name):
            html = environment.get_template(html_name).render(context, subject=subject)
    return outbox_row(recipient, subject, body.strip() + "\n", html, headers, attachments)


def queue_templated_mail(
    recipient: str, template: str, locale: str, headers: dict | None = None,
    attachments: list | None = None, **context,
) -> int:
    """Render a mail template in `locale` (`templated_mail`) and queue it; its id."""
    return queue_row(templated_mail(recipient, template, locale, headers, attachments, **context))


def queue_row(row: dict) -> int:
    """Write an outbox row (`outbox_row`, `templated_mail`) in the current transaction; its id.

    The mail leaves only if that transaction commits. A plain INSERT: through the session's unit of
    work a mail cost four times as much, and mails are often queued while a row lock is held (a
    workshop's seats).
    """
    message_id = db.session.execute(_INSERT_MESSAGE, row).scalar_one()
    mail_queued()
    return message_id


def _has_template(name: str) -> bool:
    """Whether the template exists, remembered per app (looking for a missing one searched the folders)."""
    return render_cache("mail-templates", max_entries=256).get_or_render(name, lambda: _template_exists(name))


def _template_exists(name: str) -> bool:
    try:
        current_app.jinja_env.get_template(name)
    except TemplateNotFound:
        return False
    return True


def build_email(message: OutboxMessage, sender: str) -> EmailMessage:
    """The MIME message for an outbox row; its Message-ID is stable across retries."""
    email = EmailMessage()
    email["From"] = sender
    email["To"] = message.recipient
    email["Subject"] = message.subject
    email["Date"] = formatdate(localtime=False)
    domain = parseaddr(sender)[1].partition("@")[2] or "ecommunity.localhost"
    email["Message-ID"] = message.headers.get("Message-ID") or make_msgid(
        idstring=f"outbox-{message.id}", domain=domain
    )
    for name, value in message.headers.items():
        if name != "Message-ID":
            email[name] = value
    email.set_content(message.body_text)
    if message.body_html:
        email.add_alternative(message.body_html, subtype="html")
    for attachment in message.attachments:
        maintype, _, subtype = attachment["mimetype"].partition("/")
        email.add_attachment(
            attachment["content"].encode("utf-8"), maintype=maintype, subtype=subtype,
            filename=attachment["filename"],
        )
    return email


class Transport:
    """Sends one EmailMessage through SMTP, or prints it when no server is configured."""

    def __init__(self, config):
        self.config = config

    def send(self, email: EmailMessage) -> None:
        cfg = self.config
        if not cfg["MAIL_SERVER"]:
            print(f"\n----- mail (no MAIL_SERVER set, printed instead) -----\n{email}\n-----", flush=True)
            return
        smtp_class = smtplib.SMTP_SSL if cfg["MAIL_USE_SSL"] else smtplib.SMTP
        with smtp_class(cfg["MAIL_SERVER"], cfg["MAIL_PORT"], timeout=cfg["MAIL_TIMEOUT"]) as smtp:
            if cfg["MAIL_USE_TLS"]:
                smtp.starttls()
            if cfg["MAIL_USERNAME"]:
                smtp.login(cfg["MAIL_USERNAME"], cfg["MAIL_PASSWORD"])
            smtp.send_message(email)


def _is_permanent(error: Exception) -> bool:
    """A 5xx answer about this message; anything else (server down, 4xx) is worth retrying."""
    if isinstance(error, smtplib.SMTPRecipientsRefused):
        return all(code >= 500 for code, _ in error.recipients.values())
    code = getattr(error, "smtp_code", None)
    return isinstance(code, int) and code >= 500


def backoff_after(attempts: int) -> timedelta:
    """1, 2, 4, 8... minutes between attempts, never more than an hour."""
    return min(timedelta(minutes=2 ** max(attempts - 1, 0)), MAX_BACKOFF)


def _claim_due_ids(limit: int) -> list[int]:
    query = (
        db.select(OutboxMessage.id)
        .where(
            OutboxMessage.status == OutboxStatus.PENDING,
            OutboxMessage.next_attempt_at <= utcnow(),
        )
        .order_by(OutboxMessage.next_attempt_at, OutboxMessage.id)
        .limit(limit)
    )
    return list(db.session.scalars(query))


def deliver_due(limit: int = 100, transport: Transport | None = None) -> dict:
    """Try every due message once; each in its own transaction so one failure stops nothing.

    Returns counts of sent, retried and failed messages.
    """
    transport = transport or Transport(current_app.config)
    sender = current_app.config["MAIL_DEFAULT_SENDER"]
    counts = {"sent": 0, "retry": 0, "failed": 0}
    ids = _claim_due_ids(limit)
    db.session.rollback()
    for message_id in ids:
        # SKIP LOCKED: on PostgreSQL several senders may run; each message goes out once.
        message = db.session.scalars(
            db.select(OutboxMessage)
            .where(OutboxMessage.id == message_id, OutboxMessage.status == OutboxStatus.PENDING)
            .with_for_update(skip_locked=True)
        ).first()
        if message is None:
            db.session.rollback()
            continue
        now = utcnow()
        message.attempts += 1
        message.last_attempt_at = now
        try:
            transport.send(build_email(message, sender))
        except (TimeoutError, smtplib.SMTPException, OSError) as error:
            message.last_error = f"{type(error).__name__}: {error}"[:2000]
            if _is_permanent(error) and message.attempts >= PERMANENT_FAILURES_BEFORE_GIVING_UP:
                message.status = OutboxStatus.FAILED
                counts["failed"] += 1
            else:
                message.next_attempt_at = now + backoff_after(message.attempts)
                counts["retry"] += 1
            log.warning("mail %s to %s not sent: %s", message.id, message.recipient, error)
        else:
            message.status = OutboxStatus.SENT
            message.sent_at = now
            message.last_error = ""
            counts["sent"] += 1
        db.session.commit()
    return counts


# A background sender per web process for `make run`: woken after a commit that queued mail.
_wake = threading.Event()


@event.listens_for(Session, "after_commit")
def _wake_sender(session):
    # A released SAVEPOINT sends after_commit too; the mail is committed with the outer transaction.
    if not session.in_nested_transaction() and session.info.pop("queued_mail", False):
        _wake.set()


@event.listens_for(Session, "after_rollback")
def _forget_queued_mail(session):
    session.info.pop("queued_mail", None)


def start_background_sender(app, interval: float = 10.0):
    """Start the app's background sender once: it drains the outbox after commits that queued mail."""
    from ecommunity.core.background import start_background_worker

    return start_background_worker(app, "outbox-sender", deliver_due, _wake, interval)
