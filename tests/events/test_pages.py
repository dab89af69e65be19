"""The event pages as readers see them: lists, month grid, an event, filters, times and languages."""

import re
from datetime import date, time

import pytest

from ecommunity.accounts.models import Role
from ecommunity.events.services import SessionData, cancel_event
from ecommunity.extensions import db
from tests.events.conftest import NAIROBI_DAY, days_from_now


def text(response) -> str:
    return response.get_data(as_text=True)


def plain(response) -> str:
    """The page's text without tags, spaces collapsed."""
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", text(response)))


def test_upcoming_is_the_default_and_past_events_have_their_own_list(client, make_upcoming):
    make_upcoming(days=5, title_en="Next week's workshop")
    make_upcoming(days=-30, title_en="Last month's webinar")
    upcoming = text(client.get("/events"))
    assert "Next week&#39;s workshop" in upcoming and "Last month" not in upcoming
    past = text(client.get("/events/past"))
    assert "Last month&#39;s webinar" in past and "Next week" not in past


def test_an_event_that_is_under_way_is_still_upcoming(client, make_upcoming):
    make_upcoming(days=-1, length=3, title_en="Meeting under way")
    assert "Meeting under way" in text(client.get("/events"))
    assert "Meeting under way" not in text(client.get("/events/past"))


def test_filters_combine_and_stay_in_links(client, make_upcoming):
    make_upcoming(title_en="Alpha workshop", region="africa", event_type="pre-cop-workshop")
    make_upcoming(title_en="Beta webinar", region="africa", event_type="webinar")
    make_upcoming(title_en="Gamma workshop", region="asia", event_type="pre-cop-workshop")
    html = text(client.get("/events?region=africa&type=pre-cop-workshop"))
    assert "Alpha workshop" in html and "Beta webinar" not in html and "Gamma workshop" not in html
    # The selects show the filters, and the other views and the feeds keep them.
    assert re.search(r'<option selected value="africa">|<option value="africa" selected>', html)
    assert 'href="/events/past?region=africa&amp;type=pre-cop-workshop"' in html
    assert "events.ics?region=africa&amp;type=pre-cop-workshop" in html
    assert "webcal://localhost/events.ics?region=africa" in html


def test_the_list_pages_through_events_keeping_filters(client, make_upcoming):
    for n in range(23):
        make_upcoming(days=n + 1, title_en=f"Meeting number {n + 1:02d}", region="asia")
    first = text(client.get("/events?region=asia"))
    assert "Meeting number 20" in first and "Meeting number 21" not in first
    assert 'rel="next" href="/events?page=2&amp;region=asia"' in first and 'rel="prev"' not in first
    second = text(client.get("/events?region=asia&page=2"))
    assert "Meeting number 21" in second and "Meeting number 23" in second and "Meeting number 20<" not in second
    assert 'rel="prev"' in second and 'rel="next"' not in second


@pytest.mark.parametrize("query", ["region=atlantis", "type=picnic", "instrument=unicorns", "region=asia&type=x",
                                   "page=abc", "page=-3", "page=99", "page=99999999999999999999999"])
def test_unknown_filter_values_give_an_empty_list_not_an_error(client, make_upcoming, query):
    make_upcoming(title_en="Alpha workshop", region="africa")
    response = client.get(f"/events?{query}")
    assert response.status_code == 200
    if not query.startswith("page=abc") and not query.startswith("page=-"):
        assert "Alpha workshop" not in text(response)


def test_visitors_see_public_events_and_are_sent_to_log_in_for_the_others(client, make_upcoming):
    public = make_upcoming(title_en="Standing Committee")
    private = make_upcoming(title_en="NFP briefing", is_public=False)
    html = text(client.get("/events"))
    assert "Standing Committee" in html and "NFP briefing" not in html
    assert client.get(f"/events/{public.id}").status_code == 200
    response = client.get(f"/events/{private.id}")
    assert response.status_code == 302 and "/login" in response.headers["Location"]
    assert client.get(f"/events/{private.id}.ics").status_code == 302
    assert client.get("/events/999999").status_code == 404


def test_members_see_every_event(client, as_role, make_upcoming):
    private = make_upcoming(title_en="NFP briefing", is_public=False)
    as_role(Role.MEMBER)
    assert "NFP briefing" in text(client.get("/events"))
    page = client.get(f"/events/{private.id}")
    assert page.status_code == 200 and "Members of the e-community only" in text(page)


def test_times_show_at_the_venue_and_for_a_reader_in_bonn(client, as_role, make_event):
    event = make_event(sessions=[SessionData("Opening", NAIROBI_DAY, time(9), time(10, 30))])
    as_role(Role.MEMBER, timezone="Europe/Berlin")
    page = plain(client.get(f"/events/{event.id}"))
    assert "Tue, Mar 5, 2030, 09:00 – 17:00 Nairobi time (GMT+03:00)" in page
    assert "Your time: Tue, Mar 5, 2030, 07:00 – 15:00 Berlin time (GMT+01:00)" in page
    # The agenda, too: the venue's hours and the reader's.
    assert "09:00 – 10:30" in page and "07:00 – 08:30" in page


def test_a_reader_in_suva_sees_the_evening(client, as_role, make_event):
    event = make_event(sessions=[SessionData("Opening", NAIROBI_DAY, time(9), time(10, 30)),
                                 SessionData("Working groups", NAIROBI_DAY, time(14), time(17))])
    as_role(Role.MEMBER, timezone="Pacific/Fiji")
    page = plain(client.get(f"/events/{event.id}"))
    assert "Your time: Tue, Mar 5, 2030, 18:00 – Wed, Mar 6, 2030, 02:00 Fiji time (GMT+12:00)" in page
    assert "09:00 – 10:30 18:00 – 19:30 Opening" in page
    assert "14:00 – 17:00 23:00 – 02:00 (next day) Working groups" in page


def test_a_reader_in_honolulu_sees_the_day_before(client, as_role, make_event):
    event = make_event(sessions=[SessionData("Opening", NAIROBI_DAY, time(9), time(10, 30))])
    as_role(Role.MEMBER, timezone="Pacific/Honolulu")
    page = plain(client.get(f"/events/{event.id}"))
    assert "Mon, Mar 4, 2030, 20:00 – 21:30 Opening" in page


def test_a_reader_in_the_same_zone_sees_one_time(client, as_role, make_event):
    event = make_event()
    as_role(Role.MEMBER, timezone="Africa/Nairobi")
    assert "Your time" not in plain(client.get(f"/events/{event.id}"))


def test_visitors_choose_the_zone_times_are_shown_in(client, make_event):
    event = make_event()
    assert "Your time: Tue, Mar 5, 2030, 06:00 – 14:00 UTC" in plain(client.get(f"/events/{event.id}"))
    from tests.conftest import submit

    response = submit(client, f"/events/timezone?next=/events/{event.id}", {"timezone": "America/Guayaquil"})
    assert response.status_code == 302 and response.headers["Location"].endswith(f"/events/{event.id}")
    assert "Your time: Tue, Mar 5, 2030, 01:00 – 09:00 Guayaquil time" in plain(client.get(f"/events/{event.id}"))
    bad = submit(client, "/events/timezone", {"timezone": "Nowhere/Atlantis"})
    assert bad.status_code == 400 and 'id="timezone-error"' in text(bad)


def test_a_missing_translation_falls_back_to_english_with_a_notice(client, as_role, make_event):
    event = make_event(title_en="Workshop", title_fr="Atelier", description_en="In English only.")
    as_role(Role.MEMBER, language="fr")
    page = text(client.get(f"/events/{event.id}"))
    assert "<h1>Atelier</h1>" in page
    assert '<div lang="en">' in page and "In English only." in page
    assert "il est affiché en anglais" in page or "shown in English" in page
    as_role(Role.MEMBER, language="es")
    page = text(client.get(f"/events/{event.id}"))
    assert '<h1 lang="en">Workshop</h1>' in page


def test_a_complete_translation_has_no_notice(client, as_role, make_event):
    event = make_event(title_en="Workshop", title_es="Taller", description_en="Text.", description_es="Texto.")
    as_role(Role.MEMBER, language="es")
    page = text(client.get(f"/events/{event.id}"))
    assert "<h1>Taller</h1>" in page and "Texto." in page and 'lang="en"' not in page.split("<main")[1]


def test_a_cancelled_event_stays_visible_as_cancelled(client, make_upcoming):
    event = make_upcoming(title_en="Cancelled webinar")
    cancel_event(event, "The trainer is unavailable.")
    db.session.commit()
    assert "Cancelled" in text(client.get("/events"))
    page = plain(client.get(f"/events/{event.id}"))
    assert "This event is cancelled. The trainer is unavailable." in page


def test_the_month_grid_shows_multi_day_meetings_on_each_day(client, make_event):
    make_event(title_en="Three-day meeting", timezone="Europe/Berlin", all_day=True,
               start_date=date(2030, 4, 8), end_date=date(2030, 4, 10))
    html = text(client.get("/events/calendar/2030/4"))
    assert html.count("Three-day meeting") == 3
    assert "<h1>Events in April 2030</h1>" in html
    assert 'rel="prev nofollow" href="/events/calendar/2030/3"' in html


def test_the_month_grid_shows_changes_at_once_and_each_readers_time(client, as_role, make_event):
    event = make_event(title_en="Nairobi workshop", region="africa")
    assert "Nairobi workshop" in plain(client.get("/events/calendar/2030/3"))  # now in the render cache

    cancel_event(event, "Postponed sine die")
    db.session.commit()
    assert "Cancelled" in plain(client.get("/events/calendar/2030/3"))
    make_event(title_en="Second workshop", region="africa")
    assert "Second workshop" in plain(client.get("/events/calendar/2030/3"))

    as_role(Role.MEMBER, timezone="Pacific/Fiji")
    assert "Your time: 18:00" in plain(client.get("/events/calendar/2030/3"))


def test_the_month_grid_follows_filters_and_shows_both_times(client, as_role, make_event):
    make_event(title_en="Nairobi workshop", region="africa")
    make_event(title_en="Asia workshop", region="asia")
    as_role(Role.MEMBER, timezone="Pacific/Fiji")
    page = plain(client.get("/events/calendar/2030/3?region=africa"))
    assert "Nairobi workshop" in page and "Asia workshop" not in page
    assert "09:00 Nairobi time (GMT+03:00) Your time: 18:00" in page


@pytest.mark.parametrize("path", ["/events/calendar/2030/13", "/events/calendar/2030/0", "/events/calendar/99999/1"])
def test_impossible_months_are_not_found(client, path):
    assert client.get(path).status_code == 404


def test_this_month_is_the_readers_month(client):
    today = days_from_now(0)
    html = text(client.get("/events/calendar"))
    assert f"/events/calendar/{today.year}/" in html and "<table class=\"month\">" in html


def test_the_home_page_shows_the_next_events(client, as_role, make_upcoming):
    make_upcoming(days=3, title_en="Soonest public meeting")
    make_upcoming(days=4, title_en="Members briefing", is_public=False)
    make_upcoming(days=-3, title_en="Already over")
    home = text(client.get("/"))
    assert "Next events" in home and "Soonest public meeting" in home
    assert "Members briefing" not in home and "Already over" not in home
    as_role(Role.MEMBER)
    home = text(client.get("/"))
    assert "Soonest public meeting" in home and "Members briefing" in home


def test_everyone_finds_events_in_the_navigation(client, as_role):
    assert 'href="/events">Events</a>' in text(client.get("/"))
    as_role(Role.MEMBER)
    assert 'href="/events">Events</a>' in text(client.get("/"))


def test_pages_are_translated(client, make_upcoming):
    make_upcoming(title_en="Workshop")
    page = text(client.get("/events", headers={"Accept-Language": "fr"}))
    assert '<html lang="fr">' in page
