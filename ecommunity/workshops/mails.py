"""Mail about a registration, queued in the outbox in the participant's language."""

from flask_babel import force_locale

from ecommunity.events.feeds import render_ics
from ecommunity.forums.notifications import external_url, mail_context
from ecommunity.mail.services import queue_row, templated_mail
from ecommunity.workshops.models import Registration, RegistrationState


def _send(registration: Registration, template: str, attach_ics: bool = False, **context) -> None:
    queue_row(_mail(registration, template, attach_ics, **context))


def _mail(registration: Registration, template: str, attach_ics: bool = False, **context) -> dict:
    """The outbox row of a mail about the registration, rendered in the person's language."""
    from ecommunity.workshops.services import waitlist_position

    position = registration.position
    if position is None and registration.state == RegistrationState.WAITLISTED:
        position = waitlist_position(registration)
    user = registration.user
    language = user.language if user.language in ("en", "fr", "es") else "en"
    event = registration.workshop.event
    with mail_context():
        attachments = None
        if attach_ics:
            with force_locale(language):
                calendar = render_ics([event], language, event.title_in(language))
            attachments = [{"filename": f"workshop-{event.id}.ics", "mimetype": "text/calendar",
                            "content": calendar}]
        return templated_mail(
            user.email, template, language, headers={"Auto-Submitted": "auto-generated"},
            attachments=attachments, person=user, registration=registration, event=event,
            title=event.title_in(language), position=position,
            link=external_url("workshops.mine"),
            event_link=external_url("events.detail", event_id=event.id), **context,
        )


def registered(registration: Registration) -> dict:
    """The mail of a new registration: received (awaiting approval), confirmed or waitlisted, by its state.

    Returned as an outbox row, not queued: `services.register` writes it with the registration.
    """
    if registration.state == RegistrationState.CONFIRMED:
        return _mail(registration, "workshop_confirmed", attach_ics=True)
    if registration.state == RegistrationState.PENDING:
        return _mail(registration, "workshop_received")
    return _mail(registration, "workshop_waitlisted")


def confirmed(registration: Registration) -> None:
    _send(registration, "workshop_confirmed", attach_ics=True)


def promoted(registration: Registration) -> None:
    confirmed_now = registration.state == RegistrationState.CONFIRMED
    _send(registration, "workshop_promoted", attach_ics=confirmed_now, confirmed_now=confirmed_now)


def rejected(registration: Registration) -> None:
    _send(registration, "workshop_rejected")


def withdrawn(registration: Registration) -> None:
    _send(registration, "workshop_withdrawn")


def reminder(registration: Registration) -> None:
    _send(registration, "workshop_reminder", attach_ics=True)
