"""Who may open each event page: every GET route of the blueprint, for every kind of visitor."""

import pytest

from ecommunity.accounts.models import Role
from tests.events.conftest import NAIROBI_DAY

VISITORS = (None, Role.MEMBER, Role.SECRETARIAT, Role.ADMIN)
PUBLIC = (200, 200, 200, 200)
STAFF = ("login", 403, 200, 200)
MEMBERS = ("login", 200, 200, 200)
NOT_FOUND = (404, 404, 404, 404)

# endpoint: (path, expected answer per visitor). {public} and {private} are event ids.
ROUTES = {
    "events.upcoming": ("/events", PUBLIC),
    "events.past": ("/events/past", PUBLIC),
    "events.calendar": ("/events/calendar", PUBLIC),
    "events.month": ("/events/calendar/2030/3", PUBLIC),
    "events.detail": ("/events/{public}", PUBLIC),
    "events.event_ics": ("/events/{public}.ics", PUBLIC),
    "events.feed_ics": ("/events.ics", PUBLIC),
    "events.feed_atom": ("/events.atom", PUBLIC),
    "events.private_feed_ics": ("/events/feed/not-a-token.ics", NOT_FOUND),
    "events.private_feed_atom": ("/events/feed/not-a-token.atom", NOT_FOUND),
    "events.subscribe": ("/events/subscribe", PUBLIC),
    "events.reader_zone": ("/events/timezone", PUBLIC),
    "events.create": ("/events/new", STAFF),
    "events.edit": ("/events/{public}/edit", STAFF),
    "events.postpone": ("/events/{public}/postpone", STAFF),
    "events.cancel": ("/events/{public}/cancel", STAFF),
}
MEMBERS_ONLY_EVENT = {
    "events.detail": ("/events/{private}", MEMBERS),
    "events.event_ics": ("/events/{private}.ics", MEMBERS),
}


def test_every_get_route_of_the_blueprint_has_a_row(app):
    endpoints = {rule.endpoint for rule in app.url_map.iter_rules()
                 if rule.endpoint.startswith("events.") and "GET" in rule.methods}
    assert endpoints == set(ROUTES)


@pytest.mark.parametrize("visitor", VISITORS, ids=lambda role: str(role or "anonymous"))
@pytest.mark.parametrize(("endpoint", "table"), [(e, ROUTES) for e in ROUTES] + [(e, MEMBERS_ONLY_EVENT)
                                                                               for e in MEMBERS_ONLY_EVENT])
def test_who_may_open_each_event_page(client, as_role, make_event, endpoint, table, visitor):
    public = make_event(title_en="Public meeting")
    private = make_event(title_en="Members briefing", is_public=False, start_date=NAIROBI_DAY)
    path, expected = table[endpoint]
    as_role(visitor)
    response = client.get(path.format(public=public.id, private=private.id))
    wanted = expected[VISITORS.index(visitor)]
    if wanted == "login":
        assert response.status_code == 302 and "/login" in response.headers["Location"]
    else:
        assert response.status_code == wanted
