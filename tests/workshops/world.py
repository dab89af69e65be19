"""The workshop objects of the permission tables (tests/accounts/test_permissions*.py)."""

from datetime import timedelta

from ecommunity.database import utcnow
from ecommunity.workshops.services import WorkshopSettings, register, save_workshop


def workshop_world(event, member) -> dict:
    """Registration open for the world's workshop event, with `member` registered: `workshop`, `registration`."""
    now = utcnow()
    workshop = save_workshop(event, WorkshopSettings(opens_at=now - timedelta(days=1),
                                                     closes_at=now + timedelta(days=5), capacity=5))
    registration = register(workshop, member, notify=False)
    return {"workshop": workshop, "registration": registration}
