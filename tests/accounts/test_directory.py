"""The member directory: active members only, found by name, country, region and instrument."""

import re

import pytest

from ecommunity.accounts.models import AccountStatus, Role, name_key
from tests.accounts.conftest import sign_in, text


@pytest.fixture
def community(make_user):
    """A few members across the world, and accounts that must never be listed."""
    people = {
        "andres": make_user(full_name="Andrés Solís", country="CR", region="south-central-america-caribbean",
                            instruments=["cms", "sharks"]),
        "maria": make_user(full_name="María José Andrade", country="EC", region="south-central-america-caribbean",
                           instruments=["cms", "high-andean-flamingos"]),
        "wanjiru": make_user(full_name="Wanjiru Kamau", country="KE", region="africa",
                             instruments=["cms", "aewa", "raptors"]),
        "hoa": make_user(full_name="Nguyễn Thị Hoa", country="VN", region="asia", instruments=["iosea"]),
        "ingrid": make_user(full_name="Ingrid Solberg", country="NO", region="europe",
                            instruments=["aewa", "eurobats"], role=Role.SECRETARIAT),
        "pending": make_user(full_name="Andrés Pendiente", country="CR", status=AccountStatus.PENDING),
        "gone": make_user(full_name="Andrés Deactivated", country="CR", status=AccountStatus.DEACTIVATED),
        "unverified": make_user(full_name="Andrés Unverified", country="CR", status=AccountStatus.UNVERIFIED),
    }
    return people


def listed(response) -> list[str]:
    """The names in the directory's result table, in order."""
    html = response.get_data(as_text=True)
    return re.findall(r'<td><a href="/members/\d+">([^<]+)</a>', html)


@pytest.fixture
def reader(client, community):
    sign_in(client, community["wanjiru"])
    return client


def test_the_directory_lists_active_accounts_only_sorted_by_name(reader):
    assert listed(reader.get("/members")) == [
        "Andrés Solís", "Ingrid Solberg", "María José Andrade", "Nguyễn Thị Hoa", "Wanjiru Kamau",
    ]


@pytest.mark.parametrize(("query", "expected"), [
    ("andrés", ["Andrés Solís"]),
    ("ANDRÉS", ["Andrés Solís"]),
    ("andres", ["Andrés Solís"]),
    ("solís", ["Andrés Solís"]),
    ("sol", ["Andrés Solís", "Ingrid Solberg"]),
    ("andr", ["Andrés Solís", "María José Andrade"]),
    ("maría andrade", ["María José Andrade"]),
    ("nguyễn", ["Nguyễn Thị Hoa"]),
    ("NGUYEN THI", ["Nguyễn Thị Hoa"]),
    ("%", []),
    ("_", []),
    ("nobody", []),
])
def test_search_by_name_ignores_case_and_accents(reader, query, expected):
    assert listed(reader.get("/members", query_string={"q": query})) == expected


@pytest.mark.parametrize(("params", "expected"), [
    ({"country": "CR"}, ["Andrés Solís"]),
    ({"region": "south-central-america-caribbean"}, ["Andrés Solís", "María José Andrade"]),
    ({"instrument": "aewa"}, ["Ingrid Solberg", "Wanjiru Kamau"]),
    ({"instrument": "aewa", "region": "africa"}, ["Wanjiru Kamau"]),
    ({"q": "andr", "instrument": "high-andean-flamingos"}, ["María José Andrade"]),
    ({"country": "DE"}, []),
    ({"q": "", "country": "", "region": "", "instrument": ""},
     ["Andrés Solís", "Ingrid Solberg", "María José Andrade", "Nguyễn Thị Hoa", "Wanjiru Kamau"]),
])
def test_filters_by_country_region_and_instrument(reader, params, expected):
    response = reader.get("/members", query_string=params)
    assert response.status_code == 200
    assert listed(response) == expected


def test_the_page_says_how_many_were_found_and_keeps_the_filters(reader):
    response = reader.get("/members", query_string={"region": "south-central-america-caribbean"})
    page = text(response)
    assert "2 members found." in page
    assert '<option selected value="south-central-america-caribbean">' in response.get_data(as_text=True)


@pytest.mark.parametrize(("params", "field"), [
    ({"country": "XX"}, "country"), ({"region": "mars"}, "region"), ({"instrument": "unicorns"}, "instrument"),
    ({"q": "x" * 121}, "q"),
])
def test_unknown_filter_values_are_a_400_beside_the_field(reader, params, field):
    response = reader.get("/members", query_string=params)
    assert response.status_code == 400
    assert f'id="{field}-error"' in response.get_data(as_text=True)


def test_the_directory_is_paginated(client, app, make_user):
    app.config["PAGE_SIZE"] = 2
    people = [make_user(full_name=f"Member {n:02d}", country="KE", region="africa") for n in range(5)]
    sign_in(client, people[0])
    assert listed(client.get("/members")) == ["Member 00", "Member 01"]
    response = client.get("/members", query_string={"page": 3, "country": "KE"})
    assert listed(response) == ["Member 04"]
    html = response.get_data(as_text=True)
    assert 'href="/members?page=2&amp;country=KE"' in html
    assert "Page 3 of 3" in text(response)
    assert client.get("/members?page=9").status_code == 404
    assert client.get("/members?page=99999999999999999999").status_code == 404
    # As on every list of the site, a page that is not a number is the first page.
    assert listed(client.get("/members?page=nonsense")) == ["Member 00", "Member 01"]


def test_the_directory_is_for_logged_in_members_only(client, community):
    response = client.get("/members?q=andr")
    assert response.status_code == 302
    assert response.headers["Location"].startswith("/login?next=")


def test_a_member_page_shows_the_profile(reader, community):
    person = community["maria"]
    response = reader.get(f"/members/{person.id}")
    assert response.status_code == 200
    page = text(response)
    for expected in ("María José Andrade", "Ecuador", "High Andean Flamingos MOU", person.email):
        assert expected in page


@pytest.mark.parametrize("who", ["pending", "gone", "unverified"])
def test_accounts_that_are_not_active_are_hidden_from_members_but_not_from_the_secretariat(
    client, community, make_user, who
):
    hidden = community[who]
    sign_in(client, community["wanjiru"])
    assert client.get(f"/members/{hidden.id}").status_code == 404
    sign_in(client, community["ingrid"])
    assert client.get(f"/members/{hidden.id}").status_code == 200


def test_an_unknown_member_is_a_404(reader):
    assert reader.get("/members/99999").status_code == 404


@pytest.mark.parametrize(("name", "key"), [
    ("Nguyễn Thị Hoa", "nguyen thi hoa"),
    ("Ñusta Mamani Ávila", "nusta mamani avila"),
    ("Straße", "strasse"),
    ("Μαρία", "μαρια"),
])
def test_names_are_folded_for_search(name, key):
    assert name_key(name) == key
