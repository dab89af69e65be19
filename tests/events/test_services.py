"""The rules of event times and changes, tested without HTTP."""

from datetime import UTC, date, datetime, time, timedelta

import pytest
from werkzeug.datastructures import MultiDict

from ecommunity.events.models import Event, EventStatus, EventsVersion
from ecommunity.events.services import (
    EventFilters,
    EventInvalid,
    Schedule,
    SessionData,
    cancel_event,
    check_event,
    event_data_from,
    events_between,
    events_state,
    postpone_event,
    resolve_schedule,
    upcoming_events,
    update_event,
)
from ecommunity.extensions import db
from tests.events.conftest import NAIROBI_DAY, event_data


def test_local_times_are_stored_in_utc(make_event):
    event = make_event()
    assert event.starts_at == datetime(2030, 3, 5, 6, 0, tzinfo=UTC)
    assert event.ends_at == datetime(2030, 3, 5, 14, 0, tzinfo=UTC)
    assert (event.start_date, event.end_date) == (NAIROBI_DAY, NAIROBI_DAY)
    db.session.expire_all()
    reloaded = db.session.get(Event, event.id)
    assert reloaded.starts_at.tzinfo is not None and reloaded.starts_at == datetime(2030, 3, 5, 6, tzinfo=UTC)


def test_an_all_day_event_spans_whole_local_days():
    resolved = resolve_schedule(Schedule("Pacific/Fiji", True, date(2030, 6, 2), date(2030, 6, 4)))
    # Suva is UTC+12: the first day starts at noon UTC the day before.
    assert resolved.starts_at == datetime(2030, 6, 1, 12, tzinfo=UTC)
    assert resolved.ends_at == datetime(2030, 6, 4, 12, tzinfo=UTC)
    assert resolved.ends_at - resolved.starts_at == timedelta(days=3)


def _errors(schedule: Schedule) -> dict:
    with pytest.raises(EventInvalid) as caught:
        resolve_schedule(schedule)
    return {name: str(message) for name, message in caught.value.errors.items()}


def test_a_time_skipped_by_daylight_saving_is_refused():
    # Clocks in Bonn jump from 02:00 to 03:00 on Sunday 28 March 2027.
    errors = _errors(Schedule("Europe/Berlin", False, date(2027, 3, 28), date(2027, 3, 28), time(2, 30), time(4)))
    assert set(errors) == {"start_time"}
    assert "does not exist in Europe/Berlin" in errors["start_time"]


def test_an_ambiguous_time_at_the_end_of_summer_time_takes_the_first_one():
    resolved = resolve_schedule(
        Schedule("Europe/Berlin", False, date(2027, 10, 31), date(2027, 10, 31), time(2, 30), time(4)))
    assert resolved.starts_at == datetime(2027, 10, 31, 0, 30, tzinfo=UTC)  # still summer time, UTC+2


@pytest.mark.parametrize(("schedule", "field"), [
    (Schedule("Africa/Nairobi", False, date(2030, 3, 5), date(2030, 3, 4), time(9), time(17)), "end_date"),
    (Schedule("Africa/Nairobi", False, date(2030, 3, 5), date(2030, 3, 5), time(17), time(9)), "end_time"),
    (Schedule("Africa/Nairobi", False, date(2030, 3, 5), date(2030, 3, 5), time(9), time(9)), "end_time"),
    (Schedule("Africa/Nairobi", True, date(2030, 3, 5), date(2030, 3, 1)), "end_date"),
    (Schedule("Mars/Olympus_Mons", False, date(2030, 3, 5), date(2030, 3, 5), time(9), time(17)), "timezone"),
    (Schedule("", False, date(2030, 3, 5), date(2030, 3, 5), time(9), time(17)), "timezone"),
    (Schedule("Africa/Nairobi", False, date(2030, 3, 5), date(2030, 3, 5), None, time(17)), "start_time"),
])
def test_impossible_schedules_name_the_field_at_fault(schedule, field):
    assert field in _errors(schedule)


def test_check_event_collects_every_problem():
    data = event_data(title_en="  ", city="", country=None, online_url="",
                      sessions=[SessionData("Opening", date(2030, 3, 9), time(9), time(10))])
    with pytest.raises(EventInvalid) as caught:
        check_event(data)
    assert set(caught.value.errors) == {"title_en", "city", "sessions-0-day"}


def test_an_online_event_needs_no_venue():
    check_event(event_data(city="", country=None, online_url="https://meet.example.org/x"))


def test_every_change_raises_the_sequence_and_the_modification_time(make_event):
    event = make_event()
    assert event.sequence == 0
    first_update = event.updated_at

    assert update_event(event, event_data_from(event)) is False  # saved without a change
    assert event.sequence == 0

    data = event_data_from(event)
    data.title_fr = "Atelier régional à Nairobi"
    assert update_event(event, data) is True
    assert event.sequence == 1 and event.updated_at > first_update

    data = event_data_from(event)
    data.sessions.append(SessionData("Opening", NAIROBI_DAY, time(9), time(10)))
    update_event(event, data)
    assert event.sequence == 2

    cancel_event(event, "Host unavailable")
    assert event.sequence == 3 and event.status == EventStatus.CANCELLED
    uid = event.uid
    db.session.commit()
    assert db.session.get(Event, event.id).uid == uid  # the UID never changes


def test_postponing_moves_the_event_and_its_agenda(make_event):
    event = make_event(end_date=NAIROBI_DAY + timedelta(days=1),
                       sessions=[SessionData("Day two", NAIROBI_DAY + timedelta(days=1), time(14), time(15))])
    new_start = NAIROBI_DAY + timedelta(days=14)
    schedule = Schedule("Africa/Nairobi", False, new_start, new_start + timedelta(days=1), time(9), time(17))
    postpone_event(event, schedule, "Moved at the host's request.")
    db.session.commit()
    assert event.status == EventStatus.POSTPONED and event.postponed_from == NAIROBI_DAY
    assert event.start_date == new_start and event.sequence == 1
    session = event.sessions[0]
    assert session.starts_at == datetime(2030, 3, 20, 11, tzinfo=UTC)  # 14:00 Nairobi, a fortnight later


def test_postponing_to_an_earlier_date_is_refused(make_event):
    event = make_event()
    earlier = NAIROBI_DAY - timedelta(days=3)
    with pytest.raises(EventInvalid) as caught:
        postpone_event(event, Schedule("Africa/Nairobi", False, earlier, earlier, time(9), time(17)))
    assert "start_date" in caught.value.errors


def test_filters_combine_and_unknown_values_match_nothing(make_upcoming):
    make_upcoming(title_en="Africa workshop", region="africa", event_type="pre-cop-workshop", instruments=["aewa"])
    make_upcoming(title_en="Africa webinar", region="africa", event_type="webinar", instruments=["cms"])
    make_upcoming(title_en="Asia workshop", region="asia", event_type="pre-cop-workshop", instruments=["aewa"])

    def titles(**args):
        filters = EventFilters.from_args(MultiDict(args))
        return sorted(e.title_en for e in upcoming_events(filters, True, 1, 20).items)

    assert titles() == ["Africa webinar", "Africa workshop", "Asia workshop"]
    assert titles(region="africa") == ["Africa webinar", "Africa workshop"]
    assert titles(region="africa", type="pre-cop-workshop") == ["Africa workshop"]
    assert titles(instrument="aewa", type="pre-cop-workshop") == ["Africa workshop", "Asia workshop"]
    assert titles(region=["africa", "asia"], instrument="aewa") == ["Africa workshop", "Asia workshop"]
    assert titles(region="atlantis") == []
    assert titles(type="picnic", instrument="") == []


def test_members_only_events_are_left_out_for_visitors(make_upcoming):
    make_upcoming(title_en="Open", is_public=True)
    make_upcoming(title_en="Closed", is_public=False)
    assert [e.title_en for e in upcoming_events(EventFilters(), False, 1, 20).items] == ["Open"]
    assert len(upcoming_events(EventFilters(), True, 1, 20).items) == 2


def test_the_month_holds_events_by_their_local_dates(make_event):
    # 23:00-23:30 on 31 March in Suva is still 31 March there, though 11:00 UTC the same day.
    make_event(title_en="Late in Suva", timezone="Pacific/Fiji", start_date=date(2030, 3, 31),
               start_time=time(23), end_time=time(23, 30))
    march = events_between(EventFilters(), True, date(2030, 3, 1), date(2030, 3, 31))
    april = events_between(EventFilters(), True, date(2030, 4, 1), date(2030, 4, 30))
    assert [e.title_en for e in march] == ["Late in Suva"] and april == []


def test_the_version_of_the_events_moves_with_every_change(make_event):
    start = events_state()[0]
    event = make_event()
    created = events_state()
    assert created[0] == start + 1 and created[1] == event.updated_at
    cancel_event(event)
    db.session.commit()
    cancelled = events_state()
    assert cancelled[0] == start + 2 and cancelled[1] == event.updated_at and cancelled[1].tzinfo is not None
    assert update_event(event, event_data_from(event)) is False  # no change, no new version
    db.session.commit()
    assert events_state() == cancelled


def test_the_version_row_comes_back_after_the_table_was_emptied(make_event):
    db.session.execute(db.delete(EventsVersion))
    db.session.commit()
    assert events_state() == (0, None)
    make_event()
    assert events_state()[0] == 1
