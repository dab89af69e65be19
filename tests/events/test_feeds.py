"""Calendar and Atom feeds, read back with the icalendar library and an XML parser."""

import re
import xml.etree.ElementTree as ET
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import icalendar
import pytest

from ecommunity.accounts.models import Role
from ecommunity.events.feeds import feed_token
from ecommunity.events.ical import escape_text, fold
from ecommunity.events.services import Schedule, cancel_event, event_data_from, update_event
from ecommunity.extensions import db
from tests.events.conftest import NAIROBI_DAY

ATOM = "{http://www.w3.org/2005/Atom}"


def parse(response) -> icalendar.Calendar:
    """Parse a calendar strictly: no parse errors, every TZID defined, every line folded."""
    assert response.status_code == 200
    assert response.content_type == "text/calendar; charset=utf-8"
    body = response.get_data()
    assert body.endswith(b"\r\n") and b"\n" not in body.replace(b"\r\n", b"")
    for line in body.split(b"\r\n"):
        assert len(line) <= 75, line
    calendar = icalendar.Calendar.from_ical(body)
    for component in calendar.walk():
        assert component.errors == [], (component.name, component.errors)
    assert calendar.get_missing_tzids() == set()
    for event in calendar.walk("VEVENT"):
        for name in ("UID", "DTSTAMP", "DTSTART", "DTEND", "SEQUENCE", "SUMMARY", "STATUS", "URL", "CATEGORIES"):
            assert name in event, f"{name} missing"
        for name in icalendar.Event.singletons:  # a repeated property would come back as a list
            assert not isinstance(event.get(name), list), f"{name} repeated"
    return calendar


def events_of(calendar) -> dict[str, icalendar.Event]:
    return {str(event["SUMMARY"]): event for event in calendar.walk("VEVENT")}


def test_the_feed_is_valid_icalendar_with_zones_and_whole_days(client, make_event):
    make_event(title_en="Nairobi workshop")
    make_event(title_en="Bonn Standing Committee", timezone="Europe/Berlin", start_date=date(2030, 6, 3),
               start_time=time(10), end_time=time(17), region=None, event_type="standing-committee",
               city="Bonn", country="DE")
    make_event(title_en="AEWA Meeting of the Parties", timezone="Europe/Berlin", all_day=True,
               start_date=date(2030, 9, 2), end_date=date(2030, 9, 4), event_type="mop")
    make_event(title_en="Reporting webinar", timezone="UTC", start_time=time(13), end_time=time(14, 30),
               city="", country=None, online_url="https://meet.example.org/w", event_type="webinar")
    calendar = parse(client.get("/events.ics"))
    calendar.validate()
    assert str(calendar["PRODID"]) and str(calendar["VERSION"]) == "2.0"
    events = events_of(calendar)

    nairobi = events["Nairobi workshop"]
    assert nairobi["DTSTART"].params["TZID"] == "Africa/Nairobi"
    assert nairobi.decoded("DTSTART") == datetime(2030, 3, 5, 9, tzinfo=ZoneInfo("Africa/Nairobi"))
    assert nairobi.decoded("DTSTART").astimezone(UTC) == datetime(2030, 3, 5, 6, tzinfo=UTC)
    assert [str(c) for c in nairobi["CATEGORIES"].cats] == ["Regional pre-COP workshop", "Africa"]
    assert str(nairobi["LOCATION"]) == "Nairobi, Kenya"
    assert str(nairobi["STATUS"]) == "CONFIRMED"
    assert re.fullmatch(r"http://localhost/events/\d+", str(nairobi["URL"]))
    assert str(nairobi["ORGANIZER"]) == "mailto:capacity@example.org"

    bonn = events["Bonn Standing Committee"]
    # Summer time in Bonn: the feed's VTIMEZONE carries the rule, the event stays at 10:00 local.
    assert bonn.decoded("DTSTART").astimezone(UTC) == datetime(2030, 6, 3, 8, tzinfo=UTC)
    zones = {str(tz["TZID"]): tz for tz in calendar.walk("VTIMEZONE")}
    assert set(zones) == {"Africa/Nairobi", "Europe/Berlin"}
    assert zones["Europe/Berlin"].walk("DAYLIGHT")

    mop = events["AEWA Meeting of the Parties"]
    assert mop.decoded("DTSTART") == date(2030, 9, 2)  # a DATE, not a DATE-TIME
    assert mop.decoded("DTEND") == date(2030, 9, 5)  # exclusive: the day after the last day
    assert (mop.decoded("DTEND") - mop.decoded("DTSTART")).days == 3
    assert "VALUE=DATE" in mop["DTSTART"].to_ical().decode() or mop["DTSTART"].params.get("VALUE") == "DATE"

    webinar = events["Reporting webinar"]
    assert webinar.decoded("DTSTART") == datetime(2030, 3, 5, 13, tzinfo=UTC)
    assert "TZID" not in webinar["DTSTART"].params
    assert str(webinar["LOCATION"]) == "https://meet.example.org/w"


def test_uid_is_stable_and_sequence_rises_on_every_change(client, make_event):
    event = make_event()
    first = next(iter(parse(client.get("/events.ics")).walk("VEVENT")))
    assert str(first["UID"]) == event.uid and first.decoded("SEQUENCE") == 0

    data = event_data_from(event)
    data.schedule = Schedule("Africa/Nairobi", False, NAIROBI_DAY, NAIROBI_DAY, time(10), time(17))
    update_event(event, data)
    db.session.commit()
    second = next(iter(parse(client.get("/events.ics")).walk("VEVENT")))
    assert str(second["UID"]) == event.uid and second.decoded("SEQUENCE") == 1
    assert second.decoded("DTSTART").astimezone(UTC).hour == 7
    assert second.decoded("DTSTAMP") >= first.decoded("DTSTAMP")

    cancel_event(event)
    db.session.commit()
    third = next(iter(parse(client.get("/events.ics")).walk("VEVENT")))
    assert str(third["UID"]) == event.uid and third.decoded("SEQUENCE") == 2
    assert str(third["STATUS"]) == "CANCELLED"
    assert str(third["SUMMARY"]).startswith("Cancelled: ")


def test_conditional_requests_are_answered_304_until_something_changes(client, make_event):
    event = make_event()
    first = client.get("/events.ics")
    etag, last_modified = first.headers["ETag"], first.headers["Last-Modified"]
    assert etag.startswith('"') and last_modified.endswith("GMT")
    assert "no-cache" in first.headers["Cache-Control"]

    again = client.get("/events.ics", headers={"If-None-Match": etag})
    assert again.status_code == 304 and again.get_data() == b"" and again.headers["ETag"] == etag
    since = client.get("/events.ics", headers={"If-Modified-Since": last_modified})
    assert since.status_code == 304

    # Another feed (other filters, other language) has its own ETag.
    assert client.get("/events.ics?region=asia", headers={"If-None-Match": etag}).status_code == 200
    assert client.get("/events.ics?lang=fr", headers={"If-None-Match": etag}).status_code == 200

    cancel_event(event)
    db.session.commit()
    changed = client.get("/events.ics", headers={"If-None-Match": etag})
    assert changed.status_code == 200 and changed.headers["ETag"] != etag
    assert b"STATUS:CANCELLED" in changed.get_data()


def test_feed_filters_are_query_parameters(client, make_event):
    make_event(title_en="Africa workshop", region="africa", instruments=["aewa"])
    make_event(title_en="Asia workshop", region="asia", instruments=["saiga"])
    make_event(title_en="Global webinar", region=None, event_type="webinar", instruments=["cms"])
    assert set(events_of(parse(client.get("/events.ics?region=asia")))) == {"Asia workshop"}
    assert set(events_of(parse(client.get("/events.ics?type=webinar")))) == {"Global webinar"}
    assert set(events_of(parse(client.get("/events.ics?instrument=aewa&region=africa")))) == {"Africa workshop"}
    empty = parse(client.get("/events.ics?region=atlantis"))
    assert events_of(empty) == {}


def test_a_feed_for_one_year(client, make_event):
    make_event(title_en="In 2030")
    make_event(title_en="In 2031", start_date=date(2031, 3, 4))
    assert set(events_of(parse(client.get("/events.ics?year=2031")))) == {"In 2031"}
    assert client.get("/events.ics?year=1").status_code == 404


def test_the_feed_speaks_the_requested_language(client, make_event):
    make_event(title_en="Workshop", title_fr="Atelier")
    make_event(title_en="Only in English", start_date=date(2030, 3, 6))
    titles = set(events_of(parse(client.get("/events.ics?lang=fr"))))
    assert titles == {"Atelier", "Only in English"}


def test_public_feeds_leave_out_members_only_events(client, make_event):
    make_event(title_en="Public meeting")
    make_event(title_en="Members briefing", is_public=False)
    assert set(events_of(parse(client.get("/events.ics")))) == {"Public meeting"}


def test_a_members_private_feed_works_without_a_session_until_the_password_changes(client, app, make_user, make_event):
    make_event(title_en="Public meeting")
    make_event(title_en="Members briefing", is_public=False)
    member = make_user(language="fr")
    with app.test_request_context():
        token = feed_token(member)
    response = client.get(f"/events/feed/{token}.ics")  # a calendar app: no cookie
    assert set(events_of(parse(response))) == {"Public meeting", "Members briefing"}
    assert response.headers["Cache-Control"].startswith("private")
    atom = client.get(f"/events/feed/{token}.atom")
    assert atom.status_code == 200 and b"Members briefing" in atom.get_data()

    assert client.get(f"/events/feed/{token[:-2]}xx.ics").status_code == 404
    assert client.get("/events/feed/not-a-token.ics").status_code == 404
    member.session_version += 1
    db.session.commit()
    assert client.get(f"/events/feed/{token}.ics").status_code == 404


def test_the_subscribe_page_offers_webcal_links(client, as_role):
    page = client.get("/events/subscribe?region=africa").get_data(as_text=True)
    assert 'href="webcal://localhost/events.ics?region=africa&amp;lang=en"' in page
    assert "/events/feed/" not in page
    as_role(Role.MEMBER)
    page = client.get("/events/subscribe").get_data(as_text=True)
    assert re.search(r'href="webcal://localhost/events/feed/[^"]+\.ics\?lang=en"', page)


def test_one_event_as_an_ics_file(client, make_event):
    event = make_event(title_en="Nairobi workshop")
    response = client.get(f"/events/{event.id}.ics")
    assert response.headers["Content-Disposition"] == f'attachment; filename="event-{event.id}.ics"'
    calendar = parse(response)
    assert list(events_of(calendar)) == ["Nairobi workshop"]
    again = client.get(f"/events/{event.id}.ics", headers={"If-None-Match": response.headers["ETag"]})
    assert again.status_code == 304
    assert client.get("/events/424242.ics").status_code == 404


def test_the_atom_feed_lists_new_and_changed_events(client, make_event):
    first = make_event(title_en="First created")
    make_event(title_en="Second created", start_date=date(2030, 3, 9))
    cancel_event(first, "Host unavailable.")
    db.session.commit()
    response = client.get("/events.atom")
    assert response.status_code == 200 and response.mimetype == "application/atom+xml"
    feed = ET.fromstring(response.get_data())  # noqa: S314 - our own feed
    assert feed.tag == f"{ATOM}feed"
    assert feed.find(f"{ATOM}id").text and feed.find(f"{ATOM}updated").text.endswith("Z")
    entries = feed.findall(f"{ATOM}entry")
    titles = [entry.find(f"{ATOM}title").text for entry in entries]
    assert titles == ["Cancelled: First created", "Second created"]  # the latest change first
    assert entries[0].find(f"{ATOM}id").text == f"urn:uuid:{first.uid}"
    assert entries[0].find(f"{ATOM}link").get("href").endswith(f"/events/{first.id}")
    assert "Host unavailable." in entries[0].find(f"{ATOM}content").text
    again = client.get("/events.atom", headers={"If-None-Match": response.headers["ETag"]})
    assert again.status_code == 304


def test_text_values_are_escaped_and_long_lines_folded():
    assert escape_text("a,b;c\\d\ne") == "a\\,b\\;c\\\\d\\ne"
    line = "DESCRIPTION:" + "é" * 100
    folded = fold(line)
    parts = folded.split("\r\n ")
    assert all(len(part.encode()) <= 75 for part in parts[:1]) and all(len(p.encode()) <= 74 for p in parts[1:])
    assert "".join(parts) == line


def test_a_long_unicode_description_survives_the_round_trip(client, make_event):
    description = "Taller regional — " + "países de América Latina y el Caribe, " * 20 + "fin."
    make_event(title_en="Taller", description_en=description)
    event = next(iter(parse(client.get("/events.ics")).walk("VEVENT")))
    assert str(event["DESCRIPTION"]).startswith(description)


@pytest.mark.parametrize("days", [-200, -100])
def test_the_default_feed_keeps_half_a_year_of_past_events(client, make_upcoming, days):
    make_upcoming(days=days, title_en="Old meeting")
    titles = set(events_of(parse(client.get("/events.ics"))))
    assert ("Old meeting" in titles) == (days > -180)


def test_postponed_events_carry_their_new_dates(client, make_event):
    from ecommunity.events.services import postpone_event

    event = make_event()
    later = NAIROBI_DAY + timedelta(days=7)
    postpone_event(event, Schedule("Africa/Nairobi", False, later, later, time(9), time(17)), "Host request.")
    db.session.commit()
    vevent = next(iter(parse(client.get("/events.ics")).walk("VEVENT")))
    assert vevent.decoded("DTSTART").date() == later and vevent.decoded("SEQUENCE") == 1
    assert "postponed" in str(vevent["DESCRIPTION"]) and str(vevent["STATUS"]) == "CONFIRMED"
