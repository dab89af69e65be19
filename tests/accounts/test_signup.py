"""Sign-up, email verification, approval: the way into the closed community."""

import re

import pytest
from flask_babel import force_locale

from ecommunity.accounts import services
from ecommunity.accounts.models import AccountStatus, Role
from ecommunity.core.reference import country_name
from tests.accounts.conftest import NEW_PASSWORD, SIGNUP, account, mailed_link, path_of, sign_in, signup, text
from tests.conftest import login, submit


def test_sign_up_verify_approve_and_log_in(client, app, mailbox, staff):
    response = signup(client)
    assert response.status_code == 302
    assert response.headers["Location"] == "/signup/sent"
    assert "Check your mailbox" in text(client.get("/signup/sent"))
    user = account(SIGNUP["email"])
    assert user.status == AccountStatus.UNVERIFIED
    assert user.full_name == "Awa Sarr" and user.country == "SN" and user.timezone == "Africa/Dakar"
    assert user.instruments == ["aewa", "cms"]
    assert user.password_hash != NEW_PASSWORD

    mailbox.deliver()
    [verification] = mailbox.to(SIGNUP["email"])
    assert "Confirm your email address" in verification["Subject"]
    link = mailbox.links_in(verification)[0]
    assert "/verify-email/" in link
    response = client.get(path_of(link))
    assert response.status_code == 200
    assert "waits for the secretariat" in text(response)
    assert account(SIGNUP["email"]).status == AccountStatus.PENDING

    # The secretariat hears of it, and approves.
    review_link = mailed_link(mailbox, staff.email, "/secretariat/accounts")
    [waiting] = mailbox.to(staff.email)
    assert "Awa Sarr" in waiting["Subject"]
    assert "Senegal" in mailbox.text_of(waiting)
    desk = app.test_client()
    login(desk, staff.email)
    assert "Awa Sarr" in text(desk.get(review_link))
    user = account(SIGNUP["email"])
    response = submit(desk, f"/secretariat/accounts/{user.id}/approve", {}, page=review_link)
    assert response.status_code == 302

    approved = mailed_link(mailbox, SIGNUP["email"], "/login")
    assert approved == "/login"
    response = login(client, SIGNUP["email"], NEW_PASSWORD)
    assert response.status_code == 302
    assert "Welcome, Awa Sarr" in text(client.get("/"))


def test_login_is_refused_until_the_secretariat_approves(client, mailbox):
    signup(client)
    response = login(client, SIGNUP["email"], NEW_PASSWORD)
    assert response.status_code == 403
    assert "confirm your email address first" in text(response)
    assert 'action="/verify-email/resend"' in response.get_data(as_text=True)

    client.get(mailed_link(mailbox, SIGNUP["email"], "/verify-email/"))
    response = login(client, SIGNUP["email"], NEW_PASSWORD)
    assert response.status_code == 403
    assert "waiting for the secretariat's approval" in text(response)
    assert client.get("/profile").status_code == 302


def test_the_login_page_resends_the_verification_link(client, mailbox):
    signup(client)
    login(client, SIGNUP["email"], NEW_PASSWORD)
    response = submit(client, "/verify-email/resend", {"email": SIGNUP["email"]}, page="/login")
    assert response.status_code == 302
    mailbox.deliver()
    assert len(mailbox.to(SIGNUP["email"])) == 2


def test_only_active_secretariat_and_admins_hear_of_a_request(client, mailbox, make_user, staff):
    admin = make_user(email="boss@example.org", role=Role.ADMIN)
    make_user(email="gone@example.org", role=Role.SECRETARIAT, status=AccountStatus.DEACTIVATED)
    make_user(email="nfp@example.org")
    signup(client)
    client.get(mailed_link(mailbox, SIGNUP["email"], "/verify-email/"))
    mailbox.deliver()
    recipients = sorted(m["To"] for m in mailbox.messages if "New account request" in m["Subject"])
    assert recipients == sorted([admin.email, staff.email])


@pytest.mark.parametrize("email", ["AWA.SARR@example.org", "Awa.Sarr@Example.ORG", "  awa.sarr@example.org "])
def test_an_address_already_used_in_any_letter_case_is_refused_beside_the_field(client, make_user, email):
    make_user(email="awa.sarr@example.org")
    response = signup(client, email=email)
    assert response.status_code == 400
    html = response.get_data(as_text=True)
    error = re.search(r'<p class="error" id="email-error">([^<]+)</p>', html)
    assert error and "already exists" in error.group(1)
    assert 'aria-describedby="email-hint email-error"' in html


def test_two_sign_ups_racing_for_one_address_get_the_same_kind_message(client, make_user, monkeypatch):
    make_user(email="awa.sarr@example.org")
    # The first check misses the other request's row; the unique index then refuses this one.
    real_check, calls = services.email_in_use, []

    def check_that_loses_the_race(email):
        calls.append(email)
        return False if len(calls) == 1 else real_check(email)

    monkeypatch.setattr(services, "email_in_use", check_that_loses_the_race)
    response = signup(client, email="Awa.Sarr@example.org")
    assert response.status_code == 400
    assert "already exists" in text(response)


@pytest.mark.parametrize(("changes", "field", "message"), [
    ({"full_name": "   "}, "full_name", "Enter your name."),
    ({"full_name": "x" * 121}, "full_name", "at most 120 characters"),
    ({"email": "not-an-address"}, "email", "Enter a valid email address"),
    ({"email": ""}, "email", "Enter your email address."),
    ({"password": "short", "password_confirm": "short"}, "password", "between 10 and 200 characters"),
    ({"password": "p" * 201, "password_confirm": "p" * 201}, "password", "between 10 and 200 characters"),
    ({"password_confirm": "something else entirely"}, "password_confirm", "not the same"),
    ({"country": "XX"}, "country", "Not a valid choice"),
    ({"country": ""}, "country", "Choose your country."),
    ({"region": "atlantis"}, "region", "Not a valid choice"),
    ({"instruments": []}, "instruments", "Choose at least one instrument."),
    ({"instruments": ["cms", "whales-of-mars"]}, "instruments", "not a valid choice"),
    ({"organisation": ""}, "organisation", "Enter your organisation."),
    ({"language": "de"}, "language", "Not a valid choice"),
    ({"timezone": "Mars/Olympus_Mons"}, "timezone", "Not a valid choice"),
])
def test_a_mistake_is_shown_beside_its_field_with_400(client, changes, field, message):
    response = signup(client, **changes)
    assert response.status_code == 400
    html = response.get_data(as_text=True)
    error = re.search(rf'<p class="error" id="{field}-error">([^<]+)</p>', html)
    assert error, f"no error beside {field}"
    assert message.lower() in error.group(1).lower()
    assert re.search(rf'aria-describedby="[^"]*\b{field}-error\b', html)
    assert "Please correct the fields marked below." in html
    assert account(SIGNUP["email"]) is None


def test_a_form_with_fields_missing_altogether_is_a_400_not_a_500(client):
    response = submit(client, "/signup", {})
    assert response.status_code == 400


@pytest.mark.parametrize("name", ["Ñusta Mamani Ávila", "Nguyễn Thị Hoa", "Μαρία Παπαδοπούλου", "محمد الأمين"])
def test_names_in_any_script_round_trip(client, app, mailbox, name, staff):
    signup(client, full_name=name, email="unicode@example.org")
    mailbox.deliver()
    [verification] = mailbox.to("unicode@example.org")
    assert name in mailbox.text_of(verification)
    assert account("unicode@example.org").full_name == name

    client.get(mailed_link(mailbox, "unicode@example.org", "/verify-email/"))
    mailbox.deliver()
    [waiting] = mailbox.to(staff.email)
    assert name in waiting["Subject"]
    desk = app.test_client()
    sign_in(desk, staff)
    assert name in text(desk.get("/secretariat/accounts"))


def test_a_name_typed_in_decomposed_form_is_stored_composed(client):
    decomposed = "Nguye\u0302\u0303n Thi\u0323 Hoa"
    signup(client, full_name=decomposed)
    assert account(SIGNUP["email"]).full_name == "Nguyễn Thị Hoa"


def test_country_names_follow_the_readers_language(client, app):
    page = client.get("/signup", headers={"Accept-Language": "es"}).get_data(as_text=True)
    with app.test_request_context(), force_locale("es"):
        assert f'<option value="DE">{country_name("DE")}</option>' in page
    assert page.count("<option value=") >= 193 + 6 + 3
    assert 'type="checkbox"' in page and 'value="aewa"' in page


def test_logged_in_people_are_sent_home_from_sign_up(client, make_user):
    sign_in(client, make_user())
    response = client.get("/signup")
    assert response.status_code == 302 and response.headers["Location"] == "/"
