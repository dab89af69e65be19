"""Secretariat staff create, edit, postpone and cancel events; bad input is answered beside the field."""

import re
from datetime import UTC, date, datetime

import pytest

from ecommunity.accounts.models import Role
from ecommunity.events.models import Event, EventStatus
from ecommunity.extensions import db
from tests.conftest import submit
from tests.events.conftest import NAIROBI_DAY, form_data


def text(response) -> str:
    return response.get_data(as_text=True)


def field_error(html: str, field_id: str) -> str:
    """The message shown beside a field; asserts the field points at it for screen readers."""
    match = re.search(rf'<p class="error" id="{re.escape(field_id)}-error">(.*?)</p>', html, re.S)
    assert match, f"no message beside {field_id}"
    assert re.search(rf'id="{re.escape(field_id)}"[^>]*aria-describedby="[^"]*{re.escape(field_id)}-error'
                     rf'|aria-describedby="[^"]*{re.escape(field_id)}-error"[^>]*id="{re.escape(field_id)}"', html), \
        f"{field_id} is not tied to its message"
    return match.group(1)


ORGANISER_PAGES = ["/events/new", "/events/{id}/edit", "/events/{id}/postpone", "/events/{id}/cancel"]


@pytest.mark.parametrize("path", ORGANISER_PAGES)
@pytest.mark.parametrize(("role", "status"), [
    (None, 302), (Role.MEMBER, 403), (Role.SECRETARIAT, 200), (Role.ADMIN, 200),
])
def test_only_secretariat_staff_organise(client, as_role, make_event, path, role, status):
    event = make_event()
    as_role(role)
    response = client.get(path.format(id=event.id))
    assert response.status_code == status
    if role is None:
        assert "/login" in response.headers["Location"]


@pytest.mark.parametrize("path", ORGANISER_PAGES)
def test_members_cannot_post_to_the_organiser_forms(client, as_role, make_event, path):
    event = make_event()
    as_role(Role.MEMBER)
    response = client.post(path.format(id=event.id), data=form_data())
    assert response.status_code in (400, 403)  # refused: no token, or no permission
    assert db.session.get(Event, event.id).sequence == 0


def test_secretariat_creates_an_event_with_agenda_and_documents(client, login_as):
    author = login_as(Role.SECRETARIAT)
    response = submit(client, "/events/new", form_data())
    assert response.status_code == 302, text(response)[:2000]
    event = db.session.scalars(db.select(Event)).one()
    assert response.headers["Location"].endswith(f"/events/{event.id}")
    assert event.starts_at == datetime(2030, 3, 5, 6, tzinfo=UTC)
    assert event.ends_at == datetime(2030, 3, 7, 14, tzinfo=UTC)
    assert event.instruments == ["aewa", "cms"] and event.created_by_id == author.id
    assert [s.title for s in event.sessions] == ["Opening"]  # the blank agenda row is ignored
    assert [(d.title, d.url) for d in event.documents] == [("Programme", "https://www.example.org/programme.pdf")]
    page = text(client.get(f"/events/{event.id}"))
    assert "Regional preparatory workshop for COP15: Africa" in page and "The event was created." in page


def test_an_all_day_event_ignores_the_times(client, as_role):
    as_role(Role.SECRETARIAT)
    response = submit(client, "/events/new", form_data(all_day="y", start_time="", end_time="",
                                                       **{"sessions-0-day": "", "sessions-0-start_time": "",
                                                          "sessions-0-end_time": "", "sessions-0-title": ""}))
    assert response.status_code == 302
    event = db.session.scalars(db.select(Event)).one()
    assert event.all_day and (event.start_date, event.end_date) == (date(2030, 3, 5), date(2030, 3, 7))


@pytest.mark.parametrize(("changes", "field", "message"), [
    ({"end_date": "2030-03-04"}, "end_date", "cannot end before it starts"),
    ({"end_date": "2030-03-05", "end_time": "08:00"}, "end_time", "must end after it starts"),
    ({"timezone": "Africa/Atlantis"}, "timezone", "Choose a time zone from the list"),
    ({"timezone": "Europe/Berlin", "start_date": "2027-03-28", "start_time": "02:30", "end_date": "2027-03-29",
      "sessions-0-day": "2027-03-28"}, "start_time", "does not exist in Europe/Berlin"),
    ({"end_date": "2030-06-30"}, "end_date", "at most 60 days"),
    ({"title_en": ""}, "title_en", "Give the event a title in English"),
    ({"title_en": "   "}, "title_en", "Give the event a title in English"),
    ({"start_date": "31/02/2030"}, "start_date", "date"),
    ({"start_time": ""}, "start_time", "Give a start time"),
    ({"city": "", "country": "", "online_url": ""}, "city", "or an online link"),
    ({"online_url": "not a link"}, "online_url", "full web address"),
    ({"online_url": "javascript://example.org/%0aalert(1)"}, "online_url", "full web address"),
    ({"documents-0-url": "ftp://files.example.org/doc.pdf"}, "documents-0-url", "full web address"),
    ({"sessions-0-day": "2030-04-01"}, "sessions-0-day", "within the dates of the event"),
    ({"sessions-0-end_time": "08:00"}, "sessions-0-end_time", "must end after it starts"),
    ({"sessions-0-title": ""}, "sessions-0-title", "Give the session a title"),
    ({"sessions-1-title": "Orphan session"}, "sessions-1-day", "Give the day"),
    ({"documents-0-url": ""}, "documents-0-url", "Give the link"),
])
def test_bad_input_gets_a_message_beside_the_field_and_a_400(client, as_role, changes, field, message):
    as_role(Role.SECRETARIAT)
    response = submit(client, "/events/new", form_data(**changes))
    assert response.status_code == 400
    html = text(response)
    assert message in field_error(html, field)
    assert "Please correct the fields marked below." in html
    assert db.session.scalar(db.select(db.func.count(Event.id))) == 0


def test_several_problems_are_shown_together(client, as_role):
    as_role(Role.SECRETARIAT)
    html = text(submit(client, "/events/new", form_data(title_en="", end_date="2030-03-01")))
    assert "title in English" in field_error(html, "title_en")
    assert "cannot end before" in field_error(html, "end_date")


def test_editing_raises_the_sequence_and_keeps_the_uid(client, as_role, make_event):
    event = make_event()
    uid = event.uid
    as_role(Role.SECRETARIAT)
    form = text(client.get(f"/events/{event.id}/edit"))
    assert 'value="Regional workshop in Nairobi"' in form and 'value="09:00"' in form
    response = submit(client, f"/events/{event.id}/edit", form_data(title_en="Renamed workshop"))
    assert response.status_code == 302
    db.session.expire_all()
    event = db.session.get(Event, event.id)
    assert (event.title_en, event.sequence, event.uid) == ("Renamed workshop", 1, uid)


def test_saving_an_unchanged_event_keeps_its_sequence(client, as_role, make_event):
    event = make_event()
    as_role(Role.SECRETARIAT)
    form = text(client.get(f"/events/{event.id}/edit"))
    data = dict(re.findall(r'<input[^>]*name="([^"]+)"[^>]*type="(?:text|url|date|time)"[^>]*value="([^"]*)"', form))
    data.update(re.findall(r'<input[^>]*id="([^"]+)"[^>]*name="[^"]+"[^>]*type="(?:text|url|date|time)"'
                           r'[^>]*value="([^"]*)"', form))
    data.update({"event_type": event.event_type, "region": event.region, "country": event.country,
                 "timezone": event.timezone, "instruments": event.instruments, "is_public": "y",
                 "organiser_email": event.organiser_email, "organiser_name": event.organiser_name})
    response = submit(client, f"/events/{event.id}/edit", data)
    assert response.status_code == 302, text(response)[:3000]
    db.session.expire_all()
    assert db.session.get(Event, event.id).sequence == 0


def test_postponing_through_the_form(client, as_role, make_event):
    event = make_event()
    as_role(Role.SECRETARIAT)
    response = submit(client, f"/events/{event.id}/postpone", {
        "start_date": "2030-04-15", "start_time": "09:00", "end_date": "2030-04-15", "end_time": "17:00",
        "note": "Moved at the request of the host country."})
    assert response.status_code == 302
    page = re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", text(client.get(f"/events/{event.id}"))))
    assert "This event was postponed; it was first planned for Tue, Mar 5, 2030." in page
    assert "Moved at the request of the host country." in page
    assert "Mon, Apr 15, 2030, 09:00 – 17:00" in page
    db.session.expire_all()
    event = db.session.get(Event, event.id)
    assert event.status == EventStatus.POSTPONED and event.sequence == 1 and event.postponed_from == NAIROBI_DAY


def test_postponing_to_an_earlier_or_impossible_date_is_refused(client, as_role, make_event):
    event = make_event()
    as_role(Role.SECRETARIAT)
    response = submit(client, f"/events/{event.id}/postpone", {
        "start_date": "2030-03-01", "start_time": "09:00", "end_date": "2030-03-01", "end_time": "17:00"})
    assert response.status_code == 400
    assert "later than planned" in field_error(text(response), "start_date")
    response = submit(client, f"/events/{event.id}/postpone", {
        "start_date": "2030-04-15", "start_time": "09:00", "end_date": "2030-04-14", "end_time": "17:00"})
    assert response.status_code == 400
    assert "cannot end before" in field_error(text(response), "end_date")


def test_cancelling_through_the_form(client, as_role, make_event):
    event = make_event()
    as_role(Role.SECRETARIAT)
    response = submit(client, f"/events/{event.id}/cancel", {"note": "Host unavailable."})
    assert response.status_code == 302
    db.session.expire_all()
    event = db.session.get(Event, event.id)
    assert event.status == EventStatus.CANCELLED and event.sequence == 1
    page = text(client.get(f"/events/{event.id}"))
    assert "This event is cancelled." in page and "Host unavailable." in page
    assert f'href="/events/{event.id}/postpone"' not in page  # nothing left to postpone


def test_a_cancelled_event_can_be_reinstated(client, as_role, make_event):
    event = make_event()
    as_role(Role.SECRETARIAT)
    submit(client, f"/events/{event.id}/cancel", {"note": "Host unavailable."})
    before = client.get(f"/events/{event.id}.ics").get_data(as_text=True)

    response = submit(client, f"/events/{event.id}/reinstate", page=f"/events/{event.id}")

    assert response.status_code == 302
    db.session.expire_all()
    event = db.session.get(Event, event.id)
    assert event.status == EventStatus.SCHEDULED and event.status_note == "" and event.sequence == 2
    page = text(client.get(f"/events/{event.id}"))
    assert "This event is cancelled." not in page and f'href="/events/{event.id}/cancel"' in page
    after = client.get(f"/events/{event.id}.ics").get_data(as_text=True)
    assert "STATUS:CANCELLED" in before and "STATUS:CANCELLED" not in after and "SEQUENCE:2" in after


def test_a_post_without_csrf_token_is_refused(client, as_role):
    as_role(Role.SECRETARIAT)
    response = client.post("/events/new", data=form_data())
    assert response.status_code == 400
    assert db.session.scalar(db.select(db.func.count(Event.id))) == 0
