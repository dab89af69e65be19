"""Workshop registration pages: registering, my registrations, and the secretariat's pages.

Members register for themselves while registration is open and they are eligible; the
secretariat sets up registration from the event page, follows it on a dashboard, approves,
rejects, reorders the waiting list, registers people on their behalf and exports the list.
"""

import click
from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import ngettext
from flask_login import current_user, login_required
from sqlalchemy import bindparam
from sqlalchemy.orm import joinedload

from ecommunity.accounts.auth import secretariat_required
from ecommunity.accounts.models import User, email_key
from ecommunity.core.input import database_id, ids_from
from ecommunity.database import utcnow
from ecommunity.events.models import Event, EventType
from ecommunity.events.views import load_event
from ecommunity.extensions import db
from ecommunity.workshops import services
from ecommunity.workshops.export import participants_csv
from ecommunity.workshops.forms import (
    LANGUAGE_NAMES,
    BulkForm,
    ConfirmForm,
    OnBehalfForm,
    RegistrationForm,
    ReorderForm,
    WorkshopForm,
)
from ecommunity.workshops.models import REGISTRATION_STATES, Registration, RegistrationState, Workshop

bp = Blueprint("workshops", __name__, cli_group="workshops")


@bp.record_once
def _template_helpers(state) -> None:
    state.app.jinja_env.globals.update(
        workshop_panel=workshop_panel, registration_state_name=registration_state_name,
        language_name=lambda code: str(LANGUAGE_NAMES.get(code, code)),
    )


def registration_state_name(state: str) -> str:
    return str(REGISTRATION_STATES.get(state, state))


def workshop_panel(event: Event) -> dict | None:
    """What the event page shows about registration: the workshop and the reader's registration."""
    if event.event_type != EventType.PRE_COP_WORKSHOP:
        return None
    workshop = services.workshop_for_event(event.id)
    if workshop is None:
        return {"workshop": None} if current_user.is_authenticated and current_user.is_secretariat else None
    mine = None
    if current_user.is_authenticated:
        mine = services.active_registration(workshop.id, current_user.id)
    now = utcnow()
    return {"workshop": workshop, "mine": mine, "position": services.waitlist_position(mine) if mine else None,
            "window_problem": services.window_problem(workshop, now)}


# --- loaders -----------------------------------------------------------------------------------------


_WORKSHOP_WITH_EVENT = (db.select(Workshop).options(joinedload(Workshop.event))
                        .where(Workshop.id == bindparam("workshop_id")))  # built once: registering is hot


def load_workshop(workshop_id: int) -> Workshop:
    """The workshop with its event, or 404. Every workshop page is for members, who see every event."""
    workshop = db.session.scalar(_WORKSHOP_WITH_EVENT, {"workshop_id": workshop_id})
    if workshop is None:
        abort(404)
    return workshop


def load_registration(registration_id: int) -> Registration:
    """A registration: its person and the secretariat may act on it; others get 404 (nothing to learn)."""
    registration = db.session.get(Registration, registration_id)
    if registration is None:
        abort(404)
    if registration.user_id != current_user.id and not current_user.is_secretariat:
        abort(404)
    return registration


def _page(template: str, **context):
    status = 400 if request.method == "POST" else 200
    return render_template(template, **context), status


def _refused(form, problem: services.RegistrationRefused) -> None:
    name = problem.field
    if name and name in form:
        form[name].errors = [*form[name].errors, str(problem.message)]
    else:
        form.form_errors.append(str(problem.message))


# --- participants ------------------------------------------------------------------------------------


@bp.get("/workshops/mine")
@login_required
def mine():
    return render_template("workshops/registration_list.html", now=utcnow(),
                           registrations=services.my_registrations(current_user.id))


@bp.route("/workshops/<int:workshop_id>/register", methods=["GET", "POST"])
@login_required
def register(workshop_id: int):
    workshop = load_workshop(workshop_id)
    if request.method == "GET":
        existing = services.active_registration(workshop.id, current_user.id)
        if existing is not None:
            return redirect(url_for("workshops.edit", registration_id=existing.id))
    problem = services.window_problem(workshop, utcnow()) or services.eligibility_problem(workshop, current_user)
    form = RegistrationForm.for_workshop(workshop)
    if request.method == "GET":
        form.material_language.data = (current_user.language if current_user.language in workshop.working_languages
                                       else workshop.working_languages[0])
    if problem:
        status = 403 if request.method == "POST" else 200
        return render_template("workshops/registration_form.html", workshop=workshop, form=form,
                               problem=problem), status
    if form.validate_on_submit():
        try:
            registration = services.register(workshop, current_user, form.to_answers(), actor=current_user)
        except services.RegistrationRefused as refused:
            db.session.rollback()
            _refused(form, refused)
            status = 409 if refused.field is None else 400
            return render_template("workshops/registration_form.html", workshop=workshop, form=form,
                                   problem=None), status
        message = _state_message(registration)
        db.session.commit()
        flash(message, "success")
        return redirect(url_for("workshops.mine"))
    return _page("workshops/registration_form.html", workshop=workshop, form=form, problem=None)


def _state_message(registration: Registration) -> str:
    if registration.state == RegistrationState.CONFIRMED:
        return _("You are registered: your seat is confirmed.")
    if registration.state == RegistrationState.PENDING:
        return _("You are registered: a seat is held for you until the secretariat approves it.")
    return _("All seats available to you are taken: you are on the waiting list, at position %(n)s.",
             n=registration.position)


@bp.route("/workshops/registrations/<int:registration_id>", methods=["GET", "POST"])
@login_required
def edit(registration_id: int):
    registration = load_registration(registration_id)
    workshop = registration.workshop
    by_secretariat = registration.user_id != current_user.id
    form = RegistrationForm.for_workshop(workshop)
    if request.method == "GET":
        form.fill(services.answers_of(registration))
    locked = not by_secretariat and (utcnow() >= workshop.closes_at or not registration.is_active)
    if not locked and form.validate_on_submit():
        try:
            changed = services.update_answers(registration, form.to_answers(), current_user,
                                              by_secretariat=by_secretariat)
        except services.RegistrationRefused as refused:
            db.session.rollback()
            _refused(form, refused)
        else:
            db.session.commit()
            flash(_("Your answers were saved.") if changed else _("Nothing was changed."), "success")
            return redirect(url_for("workshops.edit", registration_id=registration.id))
    if locked and request.method == "POST":
        return render_template("workshops/registration_edit.html", registration=registration, workshop=workshop,
                               form=form, locked=locked, position=services.waitlist_position(registration)), 409
    return _page("workshops/registration_edit.html", registration=registration, workshop=workshop, form=form,
                 locked=locked, position=services.waitlist_position(registration))


@bp.route("/workshops/registrations/<int:registration_id>/withdraw", methods=["GET", "POST"])
@login_required
def withdraw(registration_id: int):
    registration = load_registration(registration_id)
    form = ConfirmForm()
    if not registration.is_active:
        flash(_("This registration is no longer active."), "info")
        return redirect(url_for("workshops.mine"))
    if form.validate_on_submit():
        try:
            services.withdraw(registration, current_user, by_secretariat=registration.user_id != current_user.id)
        except services.RegistrationRefused as refused:
            db.session.rollback()
            form.form_errors.append(str(refused.message))
            return render_template("workshops/registration_withdraw.html", registration=registration,
                                   form=form), 409
        db.session.commit()
        flash(_("The registration is withdrawn."), "success")
        if registration.user_id != current_user.id:
            return redirect(url_for("workshops.participants", workshop_id=registration.workshop_id))
        return redirect(url_for("workshops.mine"))
    return _page("workshops/registration_withdraw.html", registration=registration, form=form)


# --- the secretariat ----------------------------------------------------------------------------------


@bp.get("/workshops")
@secretariat_required
def index():
    return render_template("workshops/workshop_list.html", workshops=services.workshop_overview(), now=utcnow())


@bp.route("/events/<int:event_id>/registration", methods=["GET", "POST"])
@secretariat_required
def settings(event_id: int):
    event = load_event(event_id)
    if event.event_type != EventType.PRE_COP_WORKSHOP:
        abort(404)
    workshop = services.workshop_for_event(event.id)
    form = WorkshopForm()
    if request.method == "GET":
        if workshop is not None:
            form.fill(services.settings_of(workshop), event.timezone)
        else:
            form.capacity.data = 30
            form.eligible_roles.data = ["member"]
            form.working_languages.data = ["en"]
            form.eligible_regions.data = [event.region] if event.region else []
    if form.validate_on_submit():
        try:
            workshop = services.save_workshop(event, form.to_settings(event.timezone), current_user)
        except services.WorkshopInvalid as invalid:
            db.session.rollback()
            for name, message in invalid.errors.items():
                target = form._fields.get(name)
                if target is not None:
                    target.errors = [*target.errors, str(message)]
                else:
                    form.form_errors.append(str(message))
        else:
            db.session.commit()
            flash(_("The registration settings were saved."), "success")
            return redirect(url_for("workshops.dashboard", workshop_id=workshop.id))
    return _page("workshops/workshop_form.html", event=event, workshop=workshop, form=form)


@bp.get("/workshops/<int:workshop_id>")
@secretariat_required
def dashboard(workshop_id: int):
    workshop = load_workshop(workshop_id)
    return render_template("workshops/workshop_dashboard.html", workshop=workshop,
                           stats=services.dashboard(workshop))


@bp.get("/workshops/<int:workshop_id>/participants")
@secretariat_required
def participants(workshop_id: int):
    workshop = load_workshop(workshop_id)
    state = request.args.get("state", "")
    states = [state] if state in RegistrationState.__members__.values() else None
    return render_template("workshops/participant_list.html", workshop=workshop, state=state if states else "",
                           registrations=services.participants(workshop.id, states),
                           positions=services.waitlist_positions(workshop.id), form=BulkForm())


@bp.post("/workshops/<int:workshop_id>/participants")
@secretariat_required
def bulk(workshop_id: int):
    workshop = load_workshop(workshop_id)
    form = BulkForm()
    ids = ids_from(request.form.getlist("selected"))
    if form.validate_on_submit() and ids:
        try:
            if form.action.data == "approve":
                count = services.approve(workshop, ids, current_user)
                message = ngettext("%(num)s registration approved.", "%(num)s registrations approved.", count)
            else:
                count = services.reject(workshop, ids, form.reason.data or "", current_user)
                message = ngettext("%(num)s registration rejected.", "%(num)s registrations rejected.", count)
        except services.RegistrationRefused as refused:
            db.session.rollback()
            form.reason.errors = [*form.reason.errors, str(refused.message)]
        else:
            db.session.commit()
            flash(message, "success")
            return redirect(url_for("workshops.participants", workshop_id=workshop.id))
    elif not ids:
        form.form_errors.append(_("Select at least one registration."))
    return render_template("workshops/participant_list.html", workshop=workshop, state="",
                           registrations=services.participants(workshop.id),
                           positions=services.waitlist_positions(workshop.id), form=form), 400


@bp.get("/workshops/<int:workshop_id>/participants.csv")
@secretariat_required
def export(workshop_id: int):
    workshop = load_workshop(workshop_id)
    return participants_csv(workshop, services.participants(workshop.id))


@bp.route("/workshops/<int:workshop_id>/waitlist", methods=["GET", "POST"])
@secretariat_required
def waitlist(workshop_id: int):
    workshop = load_workshop(workshop_id)
    form = ReorderForm()
    waiting = services.participants(workshop.id, [RegistrationState.WAITLISTED.value])
    if form.validate_on_submit():
        promoted = services.reorder_waitlist(workshop, form.wished_positions(request.form, waiting), current_user)
        db.session.commit()
        flash(_("The waiting list was reordered.") if not promoted else ngettext(
            "The waiting list was reordered; %(num)s person got a seat.",
            "The waiting list was reordered; %(num)s people got a seat.", len(promoted)), "success")
        return redirect(url_for("workshops.waitlist", workshop_id=workshop.id))
    return _page("workshops/waitlist.html", workshop=workshop, waiting=waiting, form=form)


@bp.route("/workshops/<int:workshop_id>/register-someone", methods=["GET", "POST"])
@secretariat_required
def register_someone(workshop_id: int):
    workshop = load_workshop(workshop_id)
    form = OnBehalfForm.for_workshop(workshop)
    if request.method == "GET":
        form.material_language.data = workshop.working_languages[0]
    if form.validate_on_submit():
        person = db.session.scalar(db.select(User).where(User.email == email_key(form.email.data)))
        if person is None or not person.is_active:
            form.email.errors = [*form.email.errors, _("No active member has this email address.")]
        else:
            try:
                registration = services.register(workshop, person, form.to_answers(), actor=current_user,
                                                 on_behalf=True)
            except services.RegistrationRefused as refused:
                db.session.rollback()
                _refused(form, refused)
            else:
                db.session.commit()
                flash(_("%(name)s is registered: %(state)s.", name=person.full_name,
                        state=registration_state_name(registration.state)), "success")
                return redirect(url_for("workshops.participants", workshop_id=workshop.id))
    return _page("workshops/register_someone.html", workshop=workshop, form=form)


@bp.get("/workshops/<int:workshop_id>/log")
@secretariat_required
def audit(workshop_id: int):
    workshop = load_workshop(workshop_id)
    before = request.args.get("before", type=database_id)
    entries = services.audit_log(workshop.id, limit=100, before_id=before)
    return render_template("workshops/audit_log.html", workshop=workshop, entries=entries,
                           older=entries[-1].id if len(entries) == 100 else None)


# --- the command line -------------------------------------------------------------------------------


@bp.cli.command("remind")
def remind_command() -> None:
    """Mail seat holders of workshops starting within a week; each registration is reminded once."""
    count = services.send_reminders()
    db.session.commit()
    click.echo(f"{count} reminder(s) queued.")
