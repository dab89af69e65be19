"""The calendar feed imported into khal, a real calendar client, by readers in Bonn and in Suva."""

import os
import shutil
import subprocess
import sys
from datetime import date, time
from pathlib import Path

import pytest

from ecommunity.events.services import cancel_event
from ecommunity.extensions import db
from tests.support.tools import in_ci

KHAL_FORMAT = "{start} | {end} | {cancelled}{title}"


def khal_binary() -> str:
    beside_python = Path(sys.executable).with_name("khal")
    found = str(beside_python) if beside_python.exists() else shutil.which("khal")
    if found is None:
        message = "khal is not installed (pip install -e '.[dev]')"
        if in_ci():
            pytest.fail(f"CI=true, so this cannot be skipped: {message}", pytrace=False)
        pytest.skip(message)
    return found


class Khal:
    """khal with its own configuration, calendar folder and cache, for a reader in one zone."""

    def __init__(self, root: Path, zone: str):
        self.binary = khal_binary()
        self.root = root
        (root / "calendar").mkdir(parents=True)
        self.config = root / "khal.conf"
        self.config.write_text(
            "[calendars]\n[[events]]\n"
            f"path = {root / 'calendar'}\ntype = calendar\n\n"
            "[locale]\n"
            "timeformat = %H:%M\ndateformat = %Y-%m-%d\nlongdateformat = %Y-%m-%d\n"
            "datetimeformat = %Y-%m-%d %H:%M\nlongdatetimeformat = %Y-%m-%d %H:%M\n"
            f"local_timezone = {zone}\ndefault_timezone = {zone}\n\n"
            "[default]\ndefault_calendar = events\n\n"
            f"[sqlite]\npath = {root / 'cache.db'}\n"
        )

    def run(self, *args: str) -> str:
        env = {**os.environ, "HOME": str(self.root), "XDG_CONFIG_HOME": str(self.root), "TZ": "UTC"}
        result = subprocess.run([self.binary, "-c", str(self.config), *args], capture_output=True, text=True,
                                timeout=60, env=env, check=False)
        assert result.returncode == 0, result.stderr
        return result.stdout

    def import_feed(self, body: bytes) -> None:
        feed = self.root / "feed.ics"
        feed.write_bytes(body)
        self.run("import", "--batch", str(feed))

    def days(self, first: str, span: str = "30d") -> dict[str, list[str]]:
        """{day: [event lines]} as `khal list` prints them."""
        out = self.run("list", "--format", KHAL_FORMAT, "--day-format", "DAY {date}", first, span)
        days: dict[str, list[str]] = {}
        current = None
        for line in out.splitlines():
            if line.startswith("DAY "):
                current = line[4:]
                days[current] = []
            elif line.strip():
                days[current].append(line.strip())
        return days


@pytest.fixture
def feed(client, make_event):
    """The public feed with a Nairobi workshop (09:00-17:00 local) and a three-day meeting in Bonn."""
    make_event(title_en="Nairobi workshop")  # Tuesday 5 March 2030
    make_event(title_en="June workshop in Nairobi", start_date=date(2030, 6, 4))
    make_event(title_en="AEWA Meeting of the Parties", timezone="Europe/Berlin", all_day=True,
               start_date=date(2030, 3, 12), end_date=date(2030, 3, 14), event_type="mop", region="europe",
               city="Bonn", country="DE")
    cancelled = make_event(title_en="Cancelled webinar", timezone="UTC", start_date=date(2030, 3, 20),
                           start_time=time(13), end_time=time(14), city="", country=None,
                           online_url="https://meet.example.org/w")
    cancel_event(cancelled)
    db.session.commit()
    response = client.get("/events.ics")
    assert response.status_code == 200
    return response.get_data()


def test_a_reader_in_bonn_sees_the_nairobi_workshop_at_seven(feed, tmp_path):
    khal = Khal(tmp_path / "bonn", "Europe/Berlin")
    khal.import_feed(feed)
    days = khal.days("2030-03-01")
    assert days["2030-03-05"] == ["2030-03-05 07:00 | 2030-03-05 15:00 | Nairobi workshop"]
    # In June Bonn is on summer time (UTC+2), Nairobi still UTC+3: one hour less.
    june = khal.days("2030-06-01")
    assert june["2030-06-04"] == ["2030-06-04 08:00 | 2030-06-04 16:00 | June workshop in Nairobi"]


def test_a_reader_in_suva_sees_it_in_the_evening(feed, tmp_path):
    khal = Khal(tmp_path / "suva", "Pacific/Fiji")
    khal.import_feed(feed)
    days = khal.days("2030-03-01")
    assert days["2030-03-05"] == ["2030-03-05 18:00 | 2030-03-06 02:00 | Nairobi workshop"]
    # Eight hours at the venue end after midnight in Suva: khal shows it on both days.
    assert days["2030-03-06"] == ["2030-03-05 18:00 | 2030-03-06 02:00 | Nairobi workshop"]


@pytest.mark.parametrize("zone", ["Europe/Berlin", "Pacific/Fiji", "America/Guayaquil"])
def test_a_three_day_meeting_is_three_days_long_everywhere(feed, tmp_path, zone):
    khal = Khal(tmp_path / zone.replace("/", "-"), zone)
    khal.import_feed(feed)
    days = khal.days("2030-03-10", "10d")
    meeting = [day for day, lines in days.items() if any("AEWA Meeting of the Parties" in line for line in lines)]
    assert meeting == ["2030-03-12", "2030-03-13", "2030-03-14"]
    assert "2030-03-12 | 2030-03-14 | AEWA Meeting of the Parties" in days["2030-03-12"]


def test_a_cancelled_event_is_shown_as_cancelled(feed, tmp_path):
    khal = Khal(tmp_path / "utc", "UTC")
    khal.import_feed(feed)
    days = khal.days("2030-03-15", "10d")
    assert days["2030-03-20"] == ["2030-03-20 13:00 | 2030-03-20 14:00 | CANCELLED Cancelled: Cancelled webinar"]
