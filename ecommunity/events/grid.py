"""The month grid: weeks of days, each with the events that take place on it (in the event's own calendar)."""

import calendar
from dataclasses import dataclass, field
from datetime import date, timedelta


@dataclass
class GridDay:
    day: date
    in_month: bool
    events: list = field(default_factory=list)


def month_bounds(year: int, month: int) -> tuple[date, date]:
    """The first and last day of a month."""
    return date(year, month, 1), date(year, month, calendar.monthrange(year, month)[1])


def neighbours(year: int, month: int) -> tuple[tuple[int, int], tuple[int, int]]:
    """(year, month) of the month before and the month after."""
    before = (year - 1, 12) if month == 1 else (year, month - 1)
    after = (year + 1, 1) if month == 12 else (year, month + 1)
    return before, after


def month_grid(year: int, month: int, first_weekday: int, events) -> list[list[GridDay]]:
    """Whole weeks covering the month; each event sits on every day of it within the month.

    Events are placed by their local dates (a meeting in Suva on 3 March is on 3 March), which
    is how meetings are announced; the reader's own times are shown beside each one.
    """
    first, last = month_bounds(year, month)
    weeks = calendar.Calendar(first_weekday).monthdatescalendar(year, month)
    cells = {day: GridDay(day, first <= day <= last) for week in weeks for day in week}
    for event in events:
        day = max(event.start_date, first)
        end = min(event.end_date, last)
        while day <= end:
            cells[day].events.append(event)
            day += timedelta(days=1)
    return [[cells[day] for day in week] for week in weeks]
