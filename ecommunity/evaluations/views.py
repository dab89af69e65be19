"""Evaluation pages: the participants' form, and the secretariat's settings, results and exports.

Who sees what: a workshop's confirmed participants answer its evaluation; secretariat staff prepare,
open and close evaluations and see the results, pooled and without names.
"""

from flask import Blueprint, Response, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import ngettext
from flask_login import current_user, login_required
from sqlalchemy.orm import selectinload

from ecommunity.accounts.auth import secretariat_required
from ecommunity.core.paging import requested_page
from ecommunity.evaluations import charts
from ecommunity.evaluations.forms import ActionForm, EvaluationForm, answer_form, answers_from, attach_errors
from ecommunity.evaluations.models import EVALUATION_STATUSES, Evaluation
from ecommunity.evaluations.services import (
    EvaluationInvalid,
    EvaluationUnavailable,
    check_may_answer,
    close_evaluation,
    create_evaluation,
    default_closing,
    evaluations_of,
    invite_participants,
    open_evaluation,
    overview,
    overview_csv,
    response_of,
    results,
    results_csv,
    save_response,
    update_evaluation,
    workshops_without_evaluation,
)
from ecommunity.events.formatting import current_language
from ecommunity.events.models import Event, EventType
from ecommunity.extensions import db

bp = Blueprint("evaluations", __name__)

PAGE_SIZE = 20
MAX_EXPORT_ROWS = 5000


def load_evaluation(evaluation_id: int) -> Evaluation:
    """The evaluation with its workshop, topics and sessions, or 404 (access is checked by each view)."""
    # populate_existing: an instance already in the session may carry a list query's loader options.
    evaluation = db.session.get(Evaluation, evaluation_id, populate_existing=True, options=[
        selectinload(Evaluation.event), selectinload(Evaluation.topics), selectinload(Evaluation.sessions)])
    if evaluation is None:
        abort(404)
    return evaluation


@bp.record_once
def _template_helpers(state) -> None:
    state.app.jinja_env.globals.update(evaluation_status_name=lambda code: EVALUATION_STATUSES.get(code, code))


# --- participants ----------------------------------------------------------------------------------


@bp.get("/evaluations/mine")
@login_required
def mine():
    return render_template("evaluations/evaluation_mine.html", items=evaluations_of(current_user))


@bp.route("/evaluations/<int:evaluation_id>/answer", methods=["GET", "POST"])
@login_required
def answer(evaluation_id: int):
    evaluation = load_evaluation(evaluation_id)
    try:
        check_may_answer(evaluation, current_user)
    except EvaluationUnavailable as problem:
        return render_template("evaluations/evaluation_unavailable.html", evaluation=evaluation,
                               message=problem.message), problem.status
    language = current_language()
    response = response_of(evaluation, current_user)
    form = answer_form(evaluation, language, response)
    if form.validate_on_submit():
        try:
            save_response(evaluation, current_user, answers_from(form))
        except EvaluationInvalid as problem:
            attach_errors(form, problem.errors)
        except EvaluationUnavailable as problem:  # closed while the participant was answering
            return render_template("evaluations/evaluation_unavailable.html", evaluation=evaluation,
                                   message=problem.message), problem.status
        else:
            db.session.commit()
            flash(_("Thank you: your answers were saved. You may change them until the evaluation closes."),
                  "success")
            return redirect(url_for("evaluations.answer", evaluation_id=evaluation.id))
    status = 400 if request.method == "POST" else 200
    return render_template("evaluations/evaluation_answer.html", evaluation=evaluation, form=form,
                           response=response, language=language), status


# --- the secretariat -----------------------------------------------------------------------------------


@bp.get("/evaluations")
@secretariat_required
def index():
    pagination, rows = overview(requested_page(), PAGE_SIZE)
    language = current_language()
    answered = [row for row in rows if row.level_count or row.rating_count]
    chart = charts.bar_chart(
        "chart-overview", _("Self-assessed level before and after each workshop"),
        _("Mean level from 1 to 5 that participants gave themselves on the workshop's topics, "
          "before and after the workshop. The table below gives the same figures."),
        [row.evaluation.event.title_in(language) for row in answered],
        [charts.Series(_("Before"), charts.BEFORE), charts.Series(_("After"), charts.AFTER)],
        [[row.mean_before, row.mean_after] for row in answered], empty_text=_("no answers"),
    ) if answered else None
    return render_template("evaluations/evaluation_index.html", pagination=pagination, rows=rows, chart=chart,
                           waiting=workshops_without_evaluation())


@bp.get("/evaluations.csv")
@secretariat_required
def index_export():
    _, rows = overview(1, MAX_EXPORT_ROWS)
    return _csv(overview_csv(rows, current_language()), "workshop-evaluations.csv")


@bp.route("/events/<int:event_id>/evaluation/new", methods=["GET", "POST"])
@secretariat_required
def create(event_id: int):
    event = db.get_or_404(Event, event_id)
    if event.event_type != EventType.PRE_COP_WORKSHOP:
        abort(404)  # only training workshops are evaluated
    existing = db.session.scalar(db.select(Evaluation.id).where(Evaluation.event_id == event.id))
    if existing is not None:
        return redirect(url_for("evaluations.results_page", evaluation_id=existing))
    form = EvaluationForm()
    if request.method == "GET":
        form.fill(None, event, default_closing(event))
    if form.validate_on_submit():
        try:
            evaluation = create_evaluation(event, form.topic_data(), form.closes_at(event), author=current_user)
        except EvaluationInvalid as problem:
            attach_errors(form, problem.errors)
        else:
            db.session.commit()
            flash(_("The evaluation was prepared. Open it once the workshop has ended."), "success")
            return redirect(url_for("evaluations.results_page", evaluation_id=evaluation.id))
    return _form_page(form=form, event=event, evaluation=None)


@bp.route("/evaluations/<int:evaluation_id>/edit", methods=["GET", "POST"])
@secretariat_required
def edit(evaluation_id: int):
    evaluation = load_evaluation(evaluation_id)
    form = EvaluationForm()
    if request.method == "GET":
        form.fill(evaluation, evaluation.event, evaluation.closes_at)
    if form.validate_on_submit():
        try:
            update_evaluation(evaluation, form.topic_data(), form.closes_at(evaluation.event))
        except EvaluationInvalid as problem:
            attach_errors(form, problem.errors)
        else:
            db.session.commit()
            flash(_("The evaluation was updated."), "success")
            return redirect(url_for("evaluations.results_page", evaluation_id=evaluation.id))
    return _form_page(form=form, event=evaluation.event, evaluation=evaluation)


def _form_page(**context):
    status = 400 if request.method == "POST" else 200
    return render_template("evaluations/evaluation_form.html", **context), status


@bp.get("/evaluations/<int:evaluation_id>")
@secretariat_required
def results_page(evaluation_id: int):
    return _results_page(load_evaluation(evaluation_id))


def _results_page(evaluation: Evaluation, problem: str | None = None, status: int = 200):
    result = results(evaluation)
    language = current_language()
    topics_chart = charts.bar_chart(
        f"chart-topics-{evaluation.id}", _("Self-assessed level before and after, by topic"),
        _("Mean level from 1 to 5 that participants gave themselves on each topic, before and after the "
          "workshop. The table below gives the same figures."),
        [item.topic.title_in(language) for item in result.topics],
        [charts.Series(_("Before"), charts.BEFORE), charts.Series(_("After"), charts.AFTER)],
        [[item.mean_before, item.mean_after] for item in result.topics], empty_text=_("no answers"),
    ) if result.topics and result.responses else None
    sessions_chart = charts.bar_chart(
        f"chart-sessions-{evaluation.id}", _("Mean rating of each session"),
        _("Mean usefulness from 1 to 5 that participants gave each session. The table below gives the "
          "same figures with the number of answers at each level."),
        [item.session.title for item in result.sessions], [charts.Series(_("Mean rating"), charts.SINGLE)],
        [[item.mean] for item in result.sessions], empty_text=_("no answers"),
    ) if result.sessions and result.responses else None
    return render_template(
        "evaluations/evaluation_results.html", evaluation=evaluation, result=result, language=language,
        topics_chart=topics_chart, sessions_chart=sessions_chart, problem=problem,
    ), status


@bp.get("/evaluations/<int:evaluation_id>.csv")
@secretariat_required
def results_export(evaluation_id: int):
    evaluation = load_evaluation(evaluation_id)
    return _csv(results_csv(results(evaluation), current_language()), f"evaluation-{evaluation.id}.csv")


def _csv(text: str, filename: str) -> Response:
    return Response(text.encode("utf-8"), mimetype="text/csv", headers={
        "Content-Disposition": f'attachment; filename="{filename}"', "Cache-Control": "no-store"})


def _act(evaluation_id: int, action, done: str):
    evaluation = load_evaluation(evaluation_id)
    form = ActionForm()
    if not form.validate_on_submit():
        abort(400)
    try:
        message = action(evaluation)
    except EvaluationInvalid as problem:
        db.session.rollback()
        return _results_page(load_evaluation(evaluation_id), problem=next(iter(problem.errors.values())),
                             status=409)
    db.session.commit()
    flash(message or done, "success")
    return redirect(url_for("evaluations.results_page", evaluation_id=evaluation_id))


@bp.post("/evaluations/<int:evaluation_id>/open", endpoint="open")
@secretariat_required
def open_evaluation_view(evaluation_id: int):
    def action(evaluation):
        invited = open_evaluation(evaluation)
        return ngettext("The evaluation is open. %(num)s participant was invited by mail.",
                        "The evaluation is open. %(num)s participants were invited by mail.", invited)

    return _act(evaluation_id, action, "")


@bp.post("/evaluations/<int:evaluation_id>/invite")
@secretariat_required
def invite(evaluation_id: int):
    def action(evaluation):
        if not evaluation.is_open():
            raise EvaluationInvalid({"status": _("Invitations go out only while the evaluation is open.")})
        invited = invite_participants(evaluation)
        return ngettext("%(num)s participant not invited before was invited now.",
                        "%(num)s participants not invited before were invited now.", invited)

    return _act(evaluation_id, action, "")


@bp.post("/evaluations/<int:evaluation_id>/close")
@secretariat_required
def close(evaluation_id: int):
    return _act(evaluation_id, close_evaluation, _("The evaluation is closed. Its results stay available."))
