"""Who may open which page: every GET route of the app, for every kind of visitor.

A route without a row in ROUTES fails `test_every_get_route_has_a_row`: when you add a
page, add its row (and, for a new URL argument, an entry in URL_VALUES).
"""

import pytest

from ecommunity.accounts.models import Role
from tests.accounts.conftest import sign_in

VISITORS = ("anonymous", "member", "secretariat", "admin")

OK = 200
BAD_LINK = 400  # a token route given a made-up token
DENIED = 403
NOT_FOUND = 404
LOGIN = "to login"  # 302 to the login page, which then comes back
HOME = "to home"  # 302 to the home page

# Expected answer for (anonymous, member, secretariat, admin).
PUBLIC = (OK, OK, OK, OK)
MEMBERS = (LOGIN, OK, OK, OK)
STAFF = (LOGIN, DENIED, OK, OK)
ADMINS = (LOGIN, DENIED, DENIED, OK)
GUESTS = (OK, HOME, HOME, HOME)  # pages for people who are not logged in
LINKS = (BAD_LINK, BAD_LINK, BAD_LINK, BAD_LINK)

ROUTES = {
    # core
    "core.home": PUBLIC,
    "core.healthz": PUBLIC,
    # accounts
    "accounts.login": GUESTS,
    "accounts.signup": GUESTS,
    "accounts.signup_sent": PUBLIC,
    "accounts.verify_email": LINKS,
    "accounts.resend_verification": PUBLIC,
    "accounts.password_forgot": PUBLIC,
    "accounts.password_reset": LINKS,
    "accounts.profile": MEMBERS,
    "accounts.profile_edit": MEMBERS,
    "accounts.email_change": MEMBERS,
    "accounts.email_confirm": LINKS,
    "accounts.password_change": MEMBERS,
    "accounts.directory": MEMBERS,
    "accounts.member": MEMBERS,
    "accounts.review_list": STAFF,
}

# How to fill each URL argument, from the objects `world` creates.
URL_VALUES = {
    "user_id": lambda world: world["member"].id,
    "token": lambda world: "not-a-valid-token",
}


def get_rules(app):
    return [rule for rule in app.url_map.iter_rules() if "GET" in rule.methods and rule.endpoint != "static"]


def test_every_get_route_has_a_row(app):
    endpoints = {rule.endpoint for rule in get_rules(app)}
    assert endpoints - set(ROUTES) == set(), "pages without a row in ROUTES"
    assert set(ROUTES) - endpoints == set(), "rows in ROUTES for pages that no longer exist"
    arguments = {argument for rule in get_rules(app) for argument in rule.arguments}
    assert arguments - set(URL_VALUES) == set(), "URL arguments without an entry in URL_VALUES"


@pytest.fixture
def world(make_user):
    """The objects whose ids fill URLs."""
    return {"member": make_user(full_name="Listed Member")}


@pytest.mark.parametrize("visitor", VISITORS)
@pytest.mark.parametrize("endpoint", sorted(ROUTES))
def test_who_may_open_each_page(app, client, make_user, world, endpoint, visitor):
    expected = ROUTES[endpoint][VISITORS.index(visitor)]
    if visitor != "anonymous":
        sign_in(client, make_user(role=Role(visitor)))
    rules = [rule for rule in get_rules(app) if rule.endpoint == endpoint]
    assert rules, f"{endpoint} is no longer a GET route: remove its row"
    for rule in rules:
        url = rule.build({name: URL_VALUES[name](world) for name in rule.arguments}, append_unknown=False)[1]

        response = client.get(url)

        if expected == LOGIN:
            assert response.status_code == 302, url
            assert response.headers["Location"].startswith("/login?next="), url
        elif expected == HOME:
            assert response.status_code == 302, url
            assert response.headers["Location"] == "/", url
        else:
            assert response.status_code == expected, url
