"""Input no page can use gets a 4xx, on every route and both databases, never a 500."""

import re

import pytest

from ecommunity.accounts.models import Role, User
from ecommunity.extensions import db
from tests.conftest import csrf_token_from, login, submit

_ARGUMENT = re.compile(r"<(?:(\w+)(?:\([^)]*\))?:)?(\w+)>")


def paths_with_ids(app, value: int) -> list[str]:
    """Every GET route that takes an id, with `value` for each id and "x" for anything else."""
    paths = []
    for rule in app.url_map.iter_rules():
        if "GET" not in rule.methods or "int" not in rule.rule:
            continue
        paths.append(_ARGUMENT.sub(lambda m: str(value) if m.group(1) == "int" else "x", rule.rule))
    return paths


@pytest.mark.parametrize("value", [2**31, 2**63, 10**20])
@pytest.mark.parametrize("role", [None, Role.SECRETARIAT])
def test_an_id_no_row_can_have_is_a_404_on_every_route(app, client, login_as, role, value):
    if role is not None:
        login_as(role)
    paths = paths_with_ids(app, value)
    assert len(paths) > 20  # the routes were found

    statuses = {path: client.get(path).status_code for path in paths}

    assert {path: status for path, status in statuses.items() if status == 500} == {}
    assert statuses[f"/events/{value}"] == 404


@pytest.mark.parametrize("path", ["/events?instrument=%00", "/manual/%00", "/members?q=a%00b", "/search?q=%00"])
def test_a_nul_character_in_the_address_is_a_400(client, login_as, path):
    login_as()
    assert client.get(path).status_code == 400


def test_a_nul_character_in_a_form_is_a_400_and_changes_nothing(client, login_as):
    user = login_as(full_name="Amina Diallo")
    profile = {"country": "PE", "region": "south-central-america-caribbean", "instruments": ["cms"],
               "organisation": "SERFOR", "position": "", "language": "es", "timezone": "America/Lima"}

    response = submit(client, "/profile/edit", {"full_name": "Amina\x00Diallo", **profile})

    assert response.status_code == 400
    db.session.expire_all()
    assert db.session.get(User, user.id).full_name == "Amina Diallo"
    assert submit(client, "/profile/edit", {"full_name": "Amina Diallo Sow", **profile}).status_code == 302


def test_a_json_body_is_refused_with_415(client):
    token = csrf_token_from(client.get("/login").get_data(as_text=True))
    for body in ([1], {"email": 5, "password": None}):
        response = client.post("/password/forgot", json=body, headers={"X-CSRFToken": token})
        assert response.status_code == 415
        assert "forms sent from its own pages" in response.get_data(as_text=True)


def test_after_a_failed_write_the_error_page_still_shows(app, client, make_user):
    @app.get("/boom")
    def boom():
        db.session.commit()  # the member's row is expired, as after any commit in a request
        db.session.add(User(email="incomplete@example.org"))
        db.session.flush()  # refused by the database: the account lacks required columns
        return "unreachable"

    user = make_user()
    assert login(client, user.email).status_code == 302

    response = client.get("/boom")

    assert response.status_code == 500
    assert "Something went wrong" in response.get_data(as_text=True)
