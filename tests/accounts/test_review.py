"""The secretariat's review of account requests; administrators' roles and the last admin."""

import re

import pytest

from ecommunity.accounts import services
from ecommunity.accounts.models import AccountStatus, Role
from tests.accounts.conftest import account, sign_in, text
from tests.conftest import login, submit

LIST = "/secretariat/accounts"


def act(client, user, verb, data=None, page=LIST):
    """Press one of the review list's buttons for `user`."""
    return submit(client, f"{LIST}/{user.id}/{verb}", data or {}, page=page)


def assert_unique_ids(html: str) -> None:
    # base.html renders the language form's token (id="csrf_token") twice; that is not ours.
    ids = [i for i in re.findall(r'\bid="([^"]+)"', html) if i != "csrf_token"]
    assert len(ids) == len(set(ids))


def names_listed(response) -> list[str]:
    return re.findall(r'<td><a href="/members/\d+">([^<]+)</a>', response.get_data(as_text=True))


@pytest.fixture
def desk(client, staff):
    sign_in(client, staff)
    return client


def test_pending_requests_come_first_by_default(desk, make_user, staff):
    make_user(full_name="Already Active")
    make_user(full_name="First Request", status=AccountStatus.PENDING)
    make_user(full_name="Not Confirmed", status=AccountStatus.UNVERIFIED)
    make_user(full_name="Second Request", status=AccountStatus.PENDING)
    assert names_listed(desk.get(LIST)) == ["First Request", "Second Request"]
    assert names_listed(desk.get(LIST + "?status=unverified")) == ["Not Confirmed"]
    everyone = names_listed(desk.get(LIST + "?status=all"))
    assert everyone[:2] == ["First Request", "Second Request"]
    assert set(everyone) == {"First Request", "Second Request", "Already Active", "Not Confirmed", staff.full_name}


def test_an_unknown_status_filter_is_a_400(desk):
    response = desk.get(LIST + "?status=sleeping")
    assert response.status_code == 400
    assert 'id="status-error"' in response.get_data(as_text=True)


def test_approving_records_who_and_when_and_mails_the_person(desk, mailbox, pending_user, staff):
    response = act(desk, pending_user, "approve", {"next": LIST + "?status=pending"})
    assert response.status_code == 302 and response.headers["Location"] == LIST + "?status=pending"
    user = account(pending_user.email)
    assert user.status == AccountStatus.ACTIVE
    assert user.decided_by_id == staff.id and user.decided_at is not None
    mailbox.deliver()
    [approved] = mailbox.to(pending_user.email)
    assert "approved" in approved["Subject"]
    assert "Fatou Camara" in mailbox.text_of(approved)
    assert "Jonas Weber" in text(desk.get(LIST + "?status=active"))


def test_rejecting_needs_a_reason_which_the_person_receives(desk, mailbox, pending_user):
    response = act(desk, pending_user, "reject", {"reason": "   "})
    assert response.status_code == 400
    html = response.get_data(as_text=True)
    field_id = f"reason-{pending_user.id}"
    assert f'id="{field_id}-error"' in html
    assert re.search(rf'aria-describedby="[^"]*{field_id}-error', html)
    assert "Give the reason" in text(response)
    assert account(pending_user.email).status == AccountStatus.PENDING

    reason = "Please ask your ministry to confirm your designation as NFP — merci."
    response = act(desk, pending_user, "reject", {"reason": reason})
    assert response.status_code == 302
    user = account(pending_user.email)
    assert user.status == AccountStatus.REJECTED and user.rejection_reason == reason
    mailbox.deliver()
    [rejected] = mailbox.to(pending_user.email)
    assert reason in mailbox.text_of(rejected)
    assert login(desk.application.test_client(), pending_user.email).status_code == 403


def test_a_rejected_request_can_still_be_approved(desk, pending_user):
    act(desk, pending_user, "reject", {"reason": "Not a focal point."})
    act(desk, pending_user, "approve")
    user = account(pending_user.email)
    assert user.status == AccountStatus.ACTIVE and user.rejection_reason == ""


def test_deactivating_ends_the_sessions_and_reactivating_opens_the_account(desk, app, make_user):
    member = make_user()
    own_device = app.test_client()
    login(own_device, member.email)
    assert own_device.get("/profile").status_code == 200

    assert act(desk, member, "deactivate").status_code == 302
    assert account(member.email).status == AccountStatus.DEACTIVATED
    assert own_device.get("/profile").status_code == 302
    assert login(own_device, member.email).status_code == 403

    assert act(desk, member, "reactivate").status_code == 302
    assert account(member.email).status == AccountStatus.ACTIVE
    assert own_device.get("/profile").status_code == 302  # the old session stays ended
    assert login(own_device, member.email).status_code == 302


@pytest.mark.parametrize(("status", "verb"), [
    (AccountStatus.ACTIVE, "approve"),
    (AccountStatus.ACTIVE, "reject"),
    (AccountStatus.PENDING, "deactivate"),
    (AccountStatus.ACTIVE, "reactivate"),
    (AccountStatus.UNVERIFIED, "approve"),
])
def test_steps_that_do_not_fit_the_state_are_refused_with_a_message(desk, make_user, status, verb):
    user = make_user(status=status)
    response = act(desk, user, verb, {"reason": "A reason."})
    assert response.status_code == 302
    assert "no longer in a state that allows this action" in text(desk.get(response.headers["Location"]))
    assert account(user.email).status == status


def test_nobody_deactivates_themselves(desk, staff):
    act(desk, staff, "deactivate")
    assert account(staff.email).status == AccountStatus.ACTIVE


def test_the_secretariat_cannot_deactivate_an_administrator(desk, make_user):
    admin = make_user(role=Role.ADMIN)
    response = act(desk, admin, "deactivate")
    assert "Only administrators" in text(desk.get(response.headers["Location"]))
    assert account(admin.email).status == AccountStatus.ACTIVE


@pytest.mark.parametrize("verb", ["approve", "reject", "deactivate", "reactivate", "role"])
def test_members_cannot_moderate(client, make_user, pending_user, verb):
    sign_in(client, make_user())
    response = act(client, pending_user, verb, {"reason": "x", "role": "admin"}, page="/")
    assert response.status_code == 403
    assert account(pending_user.email).status == AccountStatus.PENDING


@pytest.mark.parametrize("verb", ["approve", "reject", "deactivate", "reactivate", "role"])
def test_anonymous_moderation_goes_to_the_login_page(client, pending_user, verb):
    response = act(client, pending_user, verb, {"reason": "x", "role": "admin"}, page="/")
    assert response.status_code == 302 and response.headers["Location"].startswith("/login")


def test_moderation_needs_the_csrf_token(desk, pending_user):
    assert desk.post(f"{LIST}/{pending_user.id}/approve").status_code == 400
    assert account(pending_user.email).status == AccountStatus.PENDING


def test_the_list_has_one_form_per_action_with_the_agreed_fields(desk, pending_user, make_user):
    html = desk.get(LIST).get_data(as_text=True)
    assert f'action="{LIST}/{pending_user.id}/approve"' in html
    assert f'action="{LIST}/{pending_user.id}/reject"' in html
    assert re.search(rf'id="reason-{pending_user.id}" name="reason"', html)
    assert ">Approve</button>" in html and ">Reject</button>" in html
    assert "/role" not in html  # for administrators only
    assert_unique_ids(html)


# --- roles --------------------------------------------------------------------------------------


def test_an_admin_changes_roles(client, make_user):
    admin = make_user(role=Role.ADMIN)
    member = make_user()
    sign_in(client, admin)
    html = client.get(LIST + "?status=active").get_data(as_text=True)
    assert f'action="{LIST}/{member.id}/role"' in html
    assert_unique_ids(html)
    response = act(client, member, "role", {"role": "secretariat"})
    assert response.status_code == 302
    assert account(member.email).role == Role.SECRETARIAT

    promoted = client.application.test_client()
    sign_in(promoted, account(member.email))
    assert promoted.get(LIST).status_code == 200


def test_the_secretariat_cannot_change_roles(desk, make_user):
    member = make_user()
    assert act(desk, member, "role", {"role": "admin"}).status_code == 403
    assert account(member.email).role == Role.MEMBER


def test_an_unknown_role_is_a_400_beside_the_field(client, make_user):
    admin = make_user(role=Role.ADMIN)
    member = make_user()
    sign_in(client, admin)
    response = act(client, member, "role", {"role": "emperor"})
    assert response.status_code == 400
    assert 'id="role-error"' in response.get_data(as_text=True)
    assert account(member.email).role == Role.MEMBER


def test_the_last_admin_cannot_step_down_or_be_deactivated(client, make_user):
    admin = make_user(role=Role.ADMIN)
    sign_in(client, admin)
    response = act(client, admin, "role", {"role": "member"})
    assert "at least one active administrator" in text(client.get(response.headers["Location"]))
    assert account(admin.email).role == Role.ADMIN

    second = make_user(role=Role.ADMIN)
    act(client, admin, "role", {"role": "secretariat"})  # another admin remains: allowed
    assert account(admin.email).role == Role.SECRETARIAT
    sign_in(client, account(second.email))
    act(client, second, "role", {"role": "member"})
    assert account(second.email).role == Role.ADMIN


def test_a_deactivated_admin_does_not_count_as_the_remaining_one(app, make_user):
    admin = make_user(role=Role.ADMIN)
    make_user(role=Role.ADMIN, status=AccountStatus.DEACTIVATED)
    with pytest.raises(services.ActionRefused):
        services.change_role(admin, admin, "member")
    other = make_user(role=Role.ADMIN)
    services.deactivate(other, admin)
    with pytest.raises(services.ActionRefused):
        services.change_role(admin, admin, "member")


def test_an_admin_who_makes_themselves_a_member_lands_on_the_home_page(client, make_user):
    admin = make_user(role=Role.ADMIN)
    make_user(role=Role.ADMIN)
    sign_in(client, admin)
    response = act(client, admin, "role", {"role": "member", "next": LIST})
    assert response.headers["Location"] == "/"
    assert account(admin.email).role == Role.MEMBER
