"""The evaluation objects of the permission tables (tests/accounts/test_permissions*.py)."""

from datetime import timedelta

from ecommunity.database import utcnow
from ecommunity.evaluations.services import TopicData, create_evaluation, open_evaluation
from ecommunity.events.services import EventData, Schedule, create_event


def evaluation_world() -> dict:
    """An open evaluation of a workshop that ended yesterday, with nobody invited: `evaluation`."""
    day = (utcnow() - timedelta(days=2)).date()
    event = create_event(EventData(
        title_en="Past regional workshop", event_type="pre-cop-workshop", is_public=True, city="Nairobi",
        country="KE", schedule=Schedule("UTC", True, day, day),
    ))
    evaluation = create_evaluation(event, [TopicData("National reporting")], closes_at=utcnow() + timedelta(days=20))
    open_evaluation(evaluation, notify=False)
    return {"evaluation": evaluation}
