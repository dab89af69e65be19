"""Emailed links work once and for a limited time; a bad link says why and offers a new one."""

import time

import pytest
from itsdangerous import TimestampSigner

from ecommunity.accounts.models import AccountStatus
from ecommunity.accounts.tokens import Purpose, TokenError, TokenExpired, TokenUsed, make_token, read_token
from tests.accounts.conftest import SIGNUP, account, mailed_link, signup, text
from tests.conftest import submit


@pytest.fixture
def signed_long_ago(monkeypatch):
    """Links made inside this context carry a signing time 30 days in the past."""

    class LongAgo:
        def __enter__(self):
            monkeypatch.setattr(TimestampSigner, "get_timestamp", lambda signer: int(time.time()) - 30 * 24 * 3600)

        def __exit__(self, *exc):
            monkeypatch.undo()

    return LongAgo()


def test_an_expired_verification_link_says_so_and_sends_a_new_one(client, mailbox, signed_long_ago):
    with signed_long_ago:
        signup(client)
    old_link = mailed_link(mailbox, SIGNUP["email"], "/verify-email/")

    response = client.get(old_link)
    assert response.status_code == 400
    assert "This link has expired" in text(response)
    assert account(SIGNUP["email"]).status == AccountStatus.UNVERIFIED
    page = response.get_data(as_text=True)
    assert 'action="/verify-email/resend"' in page
    assert f'value="{SIGNUP["email"]}"' in page  # the form knows whom the link was for

    response = submit(client, "/verify-email/resend", {"email": SIGNUP["email"]}, page=old_link)
    assert response.status_code == 302
    new_link = mailed_link(mailbox, SIGNUP["email"], "/verify-email/")
    assert new_link != old_link
    assert client.get(new_link).status_code == 200
    assert account(SIGNUP["email"]).status == AccountStatus.PENDING


def test_the_expiry_follows_the_setting(client, app, mailbox):
    signup(client)
    link = mailed_link(mailbox, SIGNUP["email"], "/verify-email/")
    app.config["EMAIL_TOKEN_MAX_AGE"] = -1  # any age is too old
    assert "This link has expired" in text(client.get(link))
    app.config["EMAIL_TOKEN_MAX_AGE"] = 3600
    assert client.get(link).status_code == 200


def test_a_verification_link_works_once(client, mailbox):
    signup(client)
    link = mailed_link(mailbox, SIGNUP["email"], "/verify-email/")
    assert client.get(link).status_code == 200
    response = client.get(link)
    assert response.status_code == 400
    assert "already used" in text(response)
    assert 'action="/verify-email/resend"' in response.get_data(as_text=True)
    assert account(SIGNUP["email"]).status == AccountStatus.PENDING


def test_resending_to_a_verified_or_unknown_address_sends_nothing_and_says_the_same(client, mailbox, make_user):
    make_user(email="active@example.org")
    answers = set()
    for address in ("active@example.org", "nobody@example.org"):
        response = submit(client, "/verify-email/resend", {"email": address})
        assert response.status_code == 302
        answers.add(text(client.get(response.headers["Location"])).replace(address, "ADDRESS"))
    assert len(answers) == 1
    mailbox.deliver()
    assert mailbox.messages == []


@pytest.mark.parametrize("path", ["/verify-email/", "/password/reset/", "/profile/email/confirm/"])
@pytest.mark.parametrize("token", ["not-a-token", "eyJpZCI6MX0.aaaa.bbbb", "x" * 300])
def test_a_made_up_or_damaged_link_is_refused_kindly(client, path, token):
    response = client.get(path + token)
    assert response.status_code == 400
    assert "This link is not valid" in text(response)


def test_a_link_for_one_purpose_does_not_work_for_another(client, make_user):
    user = make_user(status=AccountStatus.UNVERIFIED)
    verification = make_token(Purpose.VERIFY_EMAIL, user)
    assert client.get(f"/password/reset/{verification}").status_code == 400
    assert client.get(f"/profile/email/confirm/{verification}").status_code == 400
    assert client.get(f"/verify-email/{verification}").status_code == 200


def test_a_tampered_link_is_refused(client, make_user):
    user = make_user(status=AccountStatus.UNVERIFIED)
    token = make_token(Purpose.VERIFY_EMAIL, user)
    tampered = token[:-2] + ("AA" if not token.endswith("AA") else "BB")
    assert client.get(f"/verify-email/{tampered}").status_code == 400
    assert account(user.email).status == AccountStatus.UNVERIFIED


def test_tokens_tell_expired_from_used(app, make_user, signed_long_ago):
    user = make_user(status=AccountStatus.UNVERIFIED)
    with signed_long_ago:
        old = make_token(Purpose.VERIFY_EMAIL, user)
    fresh = make_token(Purpose.VERIFY_EMAIL, user)
    with pytest.raises(TokenExpired) as expired:
        read_token(Purpose.VERIFY_EMAIL, old)
    assert expired.value.user == user
    assert read_token(Purpose.VERIFY_EMAIL, fresh)[0] == user

    user.password_hash = "changed"
    reset = make_token(Purpose.RESET_PASSWORD, user)
    user.password_hash = "changed again"
    with pytest.raises(TokenUsed):
        read_token(Purpose.RESET_PASSWORD, reset)
    with pytest.raises(TokenError):
        read_token(Purpose.RESET_PASSWORD, "nonsense")


def test_a_token_never_carries_the_password_hash(app, make_user):
    user = make_user()
    token = make_token(Purpose.RESET_PASSWORD, user)
    _, data = read_token(Purpose.RESET_PASSWORD, token)
    assert set(data) == {"id", "fp"}
    assert user.password_hash[-16:] not in str(data)
