"""Account pages: sign-up, login, passwords, profile, the member directory and account review."""

from flask import Blueprint, abort, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import ngettext, refresh
from flask_limiter.util import get_remote_address
from flask_login import current_user, login_required, login_user, logout_user
from sqlalchemy.exc import IntegrityError

from ecommunity.accounts import services
from ecommunity.accounts.auth import admin_required, secretariat_required
from ecommunity.accounts.forms import (
    AccountActionForm,
    AccountFilterForm,
    EmailChangeForm,
    EmailForm,
    LoginForm,
    MemberSearchForm,
    PasswordChangeForm,
    PasswordResetForm,
    ProfileForm,
    RejectionForm,
    RoleForm,
    SignupForm,
)
from ecommunity.accounts.models import User
from ecommunity.accounts.tokens import Purpose, TokenError
from ecommunity.core.paging import requested_page
from ecommunity.core.views import safe_next
from ecommunity.extensions import db, limiter

bp = Blueprint("accounts", __name__)


def _page(template: str, form, **context):
    """Render a form page: 400 when the form was sent with mistakes, else 200."""
    return render_template(template, form=form, **context), 400 if form.errors else 200


def _me() -> User:
    """The logged-in account itself, not its proxy, for services that store it."""
    return current_user._get_current_object()


def load_account(user_id: int) -> User:
    """The account, or 404; accounts that are not active exist only for the secretariat."""
    user = db.get_or_404(User, user_id)
    if not user.is_active and not current_user.is_secretariat:
        abort(404)
    return user


# --- sign-up and verification -----------------------------------------------------------------


@bp.route("/signup", methods=["GET", "POST"])
def signup():
    """Ask for an account; the verification link goes to the given address."""
    if current_user.is_authenticated:
        return redirect(url_for("core.home"))
    form = SignupForm()
    if form.validate_on_submit():
        try:
            services.register(**form.signup_data())
            db.session.commit()
        except services.EmailTaken as error:
            db.session.rollback()
            form.email.errors.append(str(error))
        except IntegrityError:
            db.session.rollback()
            if not services.email_in_use(form.email.data):
                raise
            form.email.errors.append(str(services.EmailTaken()))
        else:
            return redirect(url_for("accounts.signup_sent"))
    return _page("accounts/account_signup.html", form)


@bp.get("/signup/sent")
def signup_sent():
    """Tell the person to look in their mailbox."""
    return render_template("accounts/signup_sent.html", hours=services.link_hours("EMAIL_TOKEN_MAX_AGE"))


@bp.get("/verify-email/<token>")
def verify_email(token: str):
    """Follow the verification link; the request then waits for the secretariat."""
    try:
        user = services.verify_email(token)
    except TokenError as error:
        return _bad_link(Purpose.VERIFY_EMAIL, error)
    db.session.commit()
    return render_template("accounts/email_verified.html", user=user)


@bp.route("/verify-email/resend", methods=["GET", "POST"])
@limiter.limit(lambda: current_app.config["LOGIN_RATE_LIMIT_ADDRESS"], methods=["POST"])
def resend_verification():
    """Send a fresh verification link; the answer never tells whether the address is known."""
    form = EmailForm()
    if form.validate_on_submit():
        services.resend_verification(form.email.data)
        db.session.commit()
        flash(_("If an account waiting for confirmation uses %(email)s, we sent it a new link.",
                email=form.email.data), "success")
        return redirect(url_for("accounts.signup_sent"))
    return _page("accounts/verification_resend.html", form)


def _bad_link(purpose: Purpose, error: TokenError, reason: str | None = None):
    """The page for a link that cannot be used, with the way to get a new one."""
    form = None
    if purpose in (Purpose.VERIFY_EMAIL, Purpose.RESET_PASSWORD):
        form = EmailForm(formdata=None, email=error.user.email if error.user else None)
    page = render_template(
        "accounts/link_invalid.html", purpose=purpose.value, reason=reason or error.reason, form=form,
    )
    return page, 400


# --- logging in and out -------------------------------------------------------------------------


def _login_account_key() -> str:
    # An empty key would make the limiter skip the limit (and log an error): fall back to the address.
    return request.form.get("email", "").strip().lower() or f"no-email@{get_remote_address()}"


@bp.route("/login", methods=["GET", "POST"])
@limiter.limit(lambda: current_app.config["LOGIN_RATE_LIMIT_ADDRESS"], methods=["POST"])
@limiter.limit(
    lambda: current_app.config["LOGIN_RATE_LIMIT_ACCOUNT"], key_func=_login_account_key, methods=["POST"]
)
def login():
    """Log in with email and password; accounts that are not active are told why, kindly."""
    if current_user.is_authenticated:
        return redirect(safe_next(request.args.get("next")))
    form = LoginForm(next=request.args.get("next", ""))
    if form.validate_on_submit():
        try:
            user = services.authenticate(form.email.data, form.password.data)
        except services.InvalidCredentials as error:
            form.password.errors.append(str(error))
        except services.AccountNotActive as refusal:
            db.session.commit()  # keeps a password rehash
            return render_template("accounts/account_login.html", form=form, refused=refusal.user), 403
        else:
            login_user(user, remember=form.remember.data)
            db.session.commit()
            return redirect(safe_next(form.next.data))
    return _page("accounts/account_login.html", form)


@bp.post("/logout")
def logout():
    """End the session (and the remember-me cookie) on this device."""
    logout_user()
    flash(_("You are logged out."), "success")
    return redirect(url_for("core.home"))


# --- passwords -------------------------------------------------------------------------------------


@bp.route("/password/forgot", methods=["GET", "POST"])
@limiter.limit(lambda: current_app.config["LOGIN_RATE_LIMIT_ADDRESS"], methods=["POST"])
def password_forgot():
    """Ask for a reset link; the answer is the same whether or not the address is known."""
    form = EmailForm()
    if form.validate_on_submit():
        services.request_password_reset(form.email.data)
        db.session.commit()
        flash(ngettext("If an account exists for %(email)s, we sent it a link to choose a new password. "
                       "The link works for %(num)s hour.",
                       "If an account exists for %(email)s, we sent it a link to choose a new password. "
                       "The link works for %(num)s hours.",
                       services.link_hours("RESET_TOKEN_MAX_AGE"), email=form.email.data), "success")
        return redirect(url_for("accounts.login"))
    return _page("accounts/password_forgot.html", form)


@bp.route("/password/reset/<token>", methods=["GET", "POST"])
def password_reset(token: str):
    """Choose a new password from the emailed link; the link then stops working."""
    try:
        user = services.check_link(Purpose.RESET_PASSWORD, token)
        form = PasswordResetForm()
        if form.validate_on_submit():
            services.reset_password(token, form.password.data)
            db.session.commit()
            flash(_("Your new password is saved. You can log in with it now."), "success")
            return redirect(url_for("accounts.login"))
    except TokenError as error:
        return _bad_link(Purpose.RESET_PASSWORD, error)
    return _page("accounts/password_reset.html", form, user=user)


@bp.route("/profile/password", methods=["GET", "POST"])
@login_required
def password_change():
    """Change the password; every other session of the account ends, this one stays."""
    form = PasswordChangeForm()
    if form.validate_on_submit():
        try:
            services.change_password(_me(), form.current_password.data, form.password.data)
        except services.WrongPassword as error:
            form.current_password.errors.append(str(error))
        else:
            db.session.commit()
            remembered = current_app.config.get("REMEMBER_COOKIE_NAME", "remember_token") in request.cookies
            login_user(_me(), remember=remembered)
            flash(_("Your password is changed. You were logged out everywhere else."), "success")
            return redirect(url_for("accounts.profile"))
    return _page("accounts/password_change.html", form)


# --- profile and email ---------------------------------------------------------------------------


@bp.get("/profile")
@login_required
def profile():
    """The person's own profile."""
    return render_template("accounts/profile_show.html", user=current_user)


@bp.route("/profile/edit", methods=["GET", "POST"])
@login_required
def profile_edit():
    """Edit name, country, region, instruments, organisation, position, language and time zone."""
    form = ProfileForm(obj=current_user)
    if form.validate_on_submit():
        services.update_profile(_me(), **form.profile_data())
        db.session.commit()
        refresh()  # the language may have changed: say "saved" in the new one
        flash(_("Your profile is saved."), "success")
        return redirect(url_for("accounts.profile"))
    return _page("accounts/profile_edit.html", form)


@bp.route("/profile/email", methods=["GET", "POST"])
@login_required
def email_change():
    """Ask to change the address; it changes once the link sent to the new one is followed."""
    form = EmailChangeForm()
    if form.validate_on_submit():
        try:
            services.request_email_change(_me(), form.new_email.data, form.password.data)
        except services.WrongPassword as error:
            form.password.errors.append(str(error))
        except (services.SameEmail, services.EmailTaken) as error:
            form.new_email.errors.append(str(error))
        else:
            db.session.commit()
            flash(_("We sent a link to %(email)s. Your address changes when you follow it.",
                    email=current_user.pending_email), "success")
            return redirect(url_for("accounts.profile"))
    return _page("accounts/email_change.html", form)


@bp.get("/profile/email/confirm/<token>")
def email_confirm(token: str):
    """Follow the link sent to the new address."""
    try:
        user = services.confirm_email_change(token)
        db.session.commit()
    except TokenError as error:
        return _bad_link(Purpose.CHANGE_EMAIL, error)
    except (services.EmailTaken, IntegrityError):
        db.session.rollback()
        return _bad_link(Purpose.CHANGE_EMAIL, TokenError(), reason="taken")
    flash(_("Your email address is now %(email)s.", email=user.email), "success")
    return redirect(url_for("accounts.profile" if current_user.is_authenticated else "accounts.login"))


# --- the member directory -----------------------------------------------------------------------------


@bp.get("/members")
@login_required
def directory():
    """Active members, searchable by name and filtered by country, region and instrument."""
    form = MemberSearchForm(request.args)
    if not form.validate():
        return render_template("accounts/member_list.html", form=form, page=None), 400
    filters = form.filters()
    page = db.paginate(services.member_query(**filters), page=requested_page(),
                       per_page=current_app.config["PAGE_SIZE"])
    active_filters = {name: value for name, value in filters.items() if value}
    return render_template("accounts/member_list.html", form=form, page=page, filters=active_filters)


@bp.get("/members/<int:user_id>")
@login_required
def member(user_id: int):
    """One member's profile."""
    return render_template("accounts/member_show.html", user=load_account(user_id))


# --- account review by the secretariat ------------------------------------------------------------------


@bp.get("/secretariat/accounts")
@secretariat_required
def review_list():
    """Account requests and accounts, by status; pending requests first."""
    form = AccountFilterForm(request.args)
    if not form.validate():
        return render_template("accounts/account_review.html", form=form, page=None), 400
    page = db.paginate(services.review_query(form.status.data), page=requested_page(),
                       per_page=current_app.config["PAGE_SIZE"])
    return render_template(
        "accounts/account_review.html", form=form, page=page, status=form.status.data,
        back=request.full_path.rstrip("?"), reject_form=RejectionForm(formdata=None),
        role_form=RoleForm(formdata=None),
    )


def _moderate(user: User, form, action, done_message: str):
    """Run one moderation step for the review list, then go back to where the list was."""
    back = safe_next(form.next.data, url_for("accounts.review_list"))
    if not form.validate_on_submit():
        page = render_template("accounts/account_moderate.html", user=user, form=form, back=back)
        return page, 400
    try:
        action()
    except services.ActionRefused as error:
        db.session.rollback()
        flash(str(error), "error")
    else:
        db.session.commit()
        flash(done_message, "success")
    if not current_user.is_secretariat:  # an admin who just made themselves a member
        back = url_for("core.home")
    return redirect(back)


@bp.post("/secretariat/accounts/<int:user_id>/approve")
@secretariat_required
def approve(user_id: int):
    """Let a request in."""
    user = load_account(user_id)
    return _moderate(user, AccountActionForm(), lambda: services.approve(user, _me()),
                     _("%(name)s can now log in; they were told by email.", name=user.full_name))


@bp.post("/secretariat/accounts/<int:user_id>/reject")
@secretariat_required
def reject(user_id: int):
    """Refuse a request, with a reason."""
    user = load_account(user_id)
    form = RejectionForm()
    return _moderate(user, form, lambda: services.reject(user, _me(), form.reason.data),
                     _("The request of %(name)s is rejected; they were told by email.", name=user.full_name))


@bp.post("/secretariat/accounts/<int:user_id>/deactivate")
@secretariat_required
def deactivate(user_id: int):
    """Close an account."""
    user = load_account(user_id)
    return _moderate(user, AccountActionForm(), lambda: services.deactivate(user, _me()),
                     _("The account of %(name)s is deactivated.", name=user.full_name))


@bp.post("/secretariat/accounts/<int:user_id>/reactivate")
@secretariat_required
def reactivate(user_id: int):
    """Open a closed account again."""
    user = load_account(user_id)
    return _moderate(user, AccountActionForm(), lambda: services.reactivate(user, _me()),
                     _("The account of %(name)s is active again.", name=user.full_name))


@bp.post("/secretariat/accounts/<int:user_id>/role")
@admin_required
def role(user_id: int):
    """Change someone's role (administrators only)."""
    user = load_account(user_id)
    form = RoleForm()
    return _moderate(user, form, lambda: services.change_role(user, _me(), form.role.data),
                     _("The role of %(name)s is saved.", name=user.full_name))
