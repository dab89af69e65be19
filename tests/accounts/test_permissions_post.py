"""Who may send which form: every POST route of the app, for every kind of visitor.

Each visitor takes a valid CSRF token from the home page (the language form of base.html) and sends
it with an otherwise empty form, so what answers is the access check, not the form. A route without
a row in POST_ROUTES fails `test_every_post_route_has_a_row`. URL arguments come from URL_VALUES
and `build_world` in test_permissions.py; each visitor gets objects of their own, so what one
visitor's form did cannot change the next visitor's answer.
"""

import pytest

from tests.accounts.test_permissions import (
    DEAD_LINKS,
    DENIED,
    LOGIN,
    NOT_FOUND,
    VISITORS,
    answer,
    build_world,
    client_for,
    rules_with,
    url_of,
)
from tests.conftest import csrf_token_from

# Let through the access checks: a 2xx or 3xx answer other than the login page, or 400 or 409
# (an empty form usually gets 400; a confirmation form does its work and redirects).
PASSES = "passes"
CSRF_REFUSED = "CSRF token refused"  # would mean the test's token is wrong, not the route

# Expected answer for (anonymous, member, secretariat, admin).
OPEN = (PASSES, PASSES, PASSES, PASSES)  # never a server error, never the login page
MEMBERS = (LOGIN, PASSES, PASSES, PASSES)
STAFF = (LOGIN, DENIED, PASSES, PASSES)
ADMINS = (LOGIN, DENIED, DENIED, PASSES)
AUTHOR_ONLY = (LOGIN, DENIED, DENIED, DENIED)  # someone else's post: only its author deletes it

POST_ROUTES = {
    # core
    "core.set_language": OPEN,
    # accounts
    "accounts.login": OPEN,
    "accounts.logout": OPEN,
    "accounts.signup": OPEN,
    "accounts.resend_verification": OPEN,
    "accounts.password_forgot": OPEN,
    "accounts.password_reset": OPEN,  # a made-up token: the bad-link page (400)
    "accounts.profile_edit": MEMBERS,
    "accounts.email_change": MEMBERS,
    "accounts.password_change": MEMBERS,
    "accounts.approve": STAFF,
    "accounts.reject": STAFF,
    "accounts.deactivate": STAFF,
    "accounts.reactivate": STAFF,
    "accounts.role": ADMINS,
    # forums
    "forums.mark_all_read": MEMBERS,
    "forums.topic_new": MEMBERS,
    "forums.reply": MEMBERS,
    "forums.post_edit": STAFF,  # someone else's post: moderators may edit it
    "forums.post_delete": AUTHOR_ONLY,
    "forums.post_report": MEMBERS,
    "forums.topic_watch": MEMBERS,
    "forums.category_watch": MEMBERS,
    "forums.settings": MEMBERS,
    "forums.feed_reset": MEMBERS,
    "forums.unsubscribe": DEAD_LINKS,  # the one-click link of the mails (no CSRF), a made-up token
    "forums.topic_moderate": STAFF,
    "forums.topic_move": STAFF,
    "forums.post_moderate": STAFF,
    "forums.report_resolve": STAFF,
    "forums.category_new": ADMINS,
    "forums.category_edit": ADMINS,
    "forums.category_delete": ADMINS,
    # events
    "events.reader_zone": OPEN,
    "events.create": STAFF,
    "events.edit": STAFF,
    "events.postpone": STAFF,
    "events.cancel": STAFF,
    "events.reinstate": STAFF,
    # workshops (issue 5)
    "workshops.register": (LOGIN, PASSES, DENIED, DENIED),  # only members may register themselves here
    "workshops.edit": (LOGIN, NOT_FOUND, PASSES, PASSES),  # someone else's registration
    "workshops.withdraw": (LOGIN, NOT_FOUND, PASSES, PASSES),
    "workshops.settings": STAFF,
    "workshops.bulk": STAFF,
    "workshops.waitlist": STAFF,
    "workshops.register_someone": STAFF,
    "evaluations.answer": AUTHOR_ONLY,  # only the workshop's confirmed participants (none in this world)
    "evaluations.create": STAFF,
    "evaluations.edit": STAFF,
    "evaluations.open": STAFF,  # open already: 409
    "evaluations.invite": STAFF,
    "evaluations.close": STAFF,
    # manual and library (issue 6)
    "manual.part_new": STAFF,
    "manual.part_edit": STAFF,
    "manual.part_move": STAFF,
    "manual.chapter_new": STAFF,
    "manual.chapter_edit": STAFF,
    "manual.chapter_move": STAFF,
    "manual.section_new": STAFF,
    "manual.section_move": STAFF,
    "manual.version_edit": STAFF,
    "manual.revision_restore": STAFF,
    "library.upload": STAFF,
    "library.edit": STAFF,
    "library.delete": STAFF,
    # search (issue 6)
}


def post_rules(app):
    return rules_with(app, "POST")


def outcome(response):
    """The response in the table's terms."""
    if "This form expired or was sent from another site" in response.get_data(as_text=True):
        return CSRF_REFUSED
    status, kind = response.status_code, answer(response)
    if kind in (LOGIN, DENIED, NOT_FOUND):
        return kind
    if 200 <= status < 400 or status in (400, 409):
        return PASSES
    return status  # a server error, or an answer the table does not know


def test_every_post_route_has_a_row(app):
    endpoints = {rule.endpoint for rule in post_rules(app)}
    assert endpoints - set(POST_ROUTES) == set(), "forms without a row in POST_ROUTES"
    assert set(POST_ROUTES) - endpoints == set(), "rows in POST_ROUTES for forms that no longer exist"


@pytest.mark.parametrize("endpoint", sorted(POST_ROUTES))
def test_who_may_send_each_form(app, make_user, endpoint):
    rules = [rule for rule in post_rules(app) if rule.endpoint == endpoint]
    assert rules, f"{endpoint} no longer accepts POST: remove its row"
    for rule in rules:
        outcomes = {}
        for visitor in VISITORS:
            world = build_world(make_user)
            client = client_for(app, make_user, visitor)
            token = csrf_token_from(client.get("/").get_data(as_text=True))

            response = client.post(url_of(rule, world), data={"csrf_token": token})

            outcomes[visitor] = outcome(response)
        assert outcomes == dict(zip(VISITORS, POST_ROUTES[endpoint], strict=True)), f"POST {rule.rule}"
