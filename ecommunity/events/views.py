"""Event pages: lists, the month grid, an event, the organisers' forms, and the feeds.

Who sees what: visitors who are not logged in see public events (the official calendar) and the
public feeds; members see every event; secretariat staff create, edit, postpone and cancel.
"""

from datetime import UTC, date, datetime

from flask import Blueprint, abort, current_app, flash, redirect, render_template, request, session, url_for
from flask_babel import format_date, get_locale
from flask_babel import gettext as _
from flask_login import current_user
from markupsafe import Markup
from sqlalchemy.orm import selectinload

from ecommunity.accounts.auth import secretariat_required
from ecommunity.core.paging import requested_page
from ecommunity.core.reference import is_known_timezone
from ecommunity.core.views import safe_next
from ecommunity.database import utcnow
from ecommunity.events import feeds
from ecommunity.events.formatting import (
    TEMPLATE_GLOBALS,
    current_language,
    current_locale,
    grid_entries,
    reader_zone_name,
    zone,
)
from ecommunity.events.forms import (
    CancelForm,
    ConfirmForm,
    EventForm,
    FilterChoices,
    PostponeForm,
    ReaderZoneForm,
    attach_errors,
)
from ecommunity.events.grid import month_bounds, month_grid, neighbours
from ecommunity.events.models import Event
from ecommunity.events.services import (
    EventFilters,
    EventInvalid,
    FeedWindow,
    cancel_event,
    create_event,
    event_data_from,
    events_between,
    events_state,
    next_events,
    past_events,
    postpone_event,
    reinstate_event,
    upcoming_events,
    update_event,
)
from ecommunity.extensions import db

bp = Blueprint("events", __name__)


@bp.record_once
def _template_helpers(state) -> None:
    state.app.jinja_env.globals.update(TEMPLATE_GLOBALS, home_next_events=home_next_events)


HOME_EVENT_COUNT = 5


def home_next_events() -> Markup:
    """The home page's "Next events", rendered once per state of the events and kind of reader.

    Every member lands on the home page. The list stays right until its first event ends or an
    event changes (the version), so that is how long a rendering is kept.
    """
    version, changed_at = events_state()
    key = ("next", _members(), str(get_locale()), reader_zone_name(), version, changed_at)
    cache = feeds.events_cache()
    kept = cache.get(key)
    if kept is None or kept[0] <= utcnow():
        events = next_events(members=_members(), limit=HOME_EVENT_COUNT)
        html = render_template("events/_next_events.html", upcoming=events)
        kept = (min((event.ends_at for event in events), default=datetime.max.replace(tzinfo=UTC)), html)
        cache.put(key, kept)
    return Markup(kept[1])  # noqa: S704 - our own template, rendered with autoescaping


def _members() -> bool:
    return current_user.is_authenticated


def load_event(event_id: int, *relations) -> Event:
    """The event, or 404; members-only events send visitors who are not logged in to the login page."""
    options = [selectinload(getattr(Event, name)) for name in relations]
    # populate_existing: an instance already in the session may carry a list query's raiseload.
    event = db.session.get(Event, event_id, options=options, populate_existing=True)
    if event is None:
        abort(404)
    if not event.is_public and not current_user.is_authenticated:
        abort(current_app.login_manager.unauthorized())
    return event


def _list(view: str, query):
    filters = EventFilters.from_args(request.args)
    events = query(filters, _members(), requested_page(), current_app.config.get("PAGE_SIZE", 20))
    return render_template(
        "events/event_list.html", view=view, events=events, filters=filters,
        filter_form=_filter_form(filters), feed_links=_feed_links(filters),
    )


@bp.get("/events")
def upcoming():
    return _list("upcoming", upcoming_events)


@bp.get("/events/past")
def past():
    return _list("past", past_events)


@bp.get("/events/calendar")
def calendar():
    today = datetime.now(zone(reader_zone_name())).date()
    return month(today.year, today.month)


@bp.get("/events/calendar/<int:year>/<int:month>")
def month(year: int, month: int):
    if not (1 <= month <= 12 and 1900 <= year <= 2200):
        abort(404)
    filters = EventFilters.from_args(request.args)
    locale = current_locale()
    weekdays = [(locale.days["format"]["wide"][(locale.first_week_day + i) % 7],
                 locale.days["format"]["abbreviated"][(locale.first_week_day + i) % 7]) for i in range(7)]
    before, after = neighbours(year, month)
    return render_template(
        "events/event_month.html", year=year, month=month, first=date(year, month, 1),
        month_table=_month_table(year, month, filters, locale, weekdays),
        before=before, after=after, filters=filters, filter_form=_filter_form(filters),
        feed_links=_feed_links(filters),
    )


def _month_table(year: int, month: int, filters: EventFilters, locale, weekdays) -> Markup:
    """The month's grid, rendered once per state of the events (their version) and kind of reader.

    Its dozens of times in two zones make it the costly part of the page; the version moves with
    every change to an event, so a cached grid is never stale.
    """
    reader_zone = reader_zone_name()
    today = datetime.now(zone(reader_zone)).date()
    version, changed_at = events_state()
    filter_key = tuple((name, tuple(values)) for name, values in sorted(filters.as_args().items()))
    key = ("month", year, month, filter_key, _members(), str(locale), reader_zone, today, version, changed_at)

    def render() -> str:
        first, last = month_bounds(year, month)
        events = events_between(filters, _members(), first, last)
        return render_template(
            "events/_month_table.html", filters=filters, event_count=len(events), today=today, weekdays=weekdays,
            weeks=month_grid(year, month, locale.first_week_day, events), month_name=format_date(first, "MMMM y"),
            entries=grid_entries(events, url_for("events.detail", event_id=0)[:-1]),
        )

    return Markup(feeds.events_cache().get_or_render(key, render))  # noqa: S704 - our template, autoescaped


@bp.get("/events/<int:event_id>")
def detail(event_id: int):
    event = load_event(event_id, "instrument_links", "sessions", "documents")
    return render_template("events/event_detail.html", event=event, event_ics=url_for(
        "events.event_ics", event_id=event.id, _external=True, lang=_language()))


@bp.get("/events/<int:event_id>.ics")
def event_ics(event_id: int):
    event = load_event(event_id)
    return feeds.event_calendar(event, feeds.feed_language(request.args.get("lang") or _language()),
                                private=not event.is_public)


@bp.get("/events.ics")
def feed_ics():
    filters = EventFilters.from_args(request.args)
    return feeds.feed_calendar(filters, members=False, window=_window(), language=feeds.feed_language(),
                               private=False)


@bp.get("/events.atom")
def feed_atom():
    filters = EventFilters.from_args(request.args)
    return feeds.feed_atom(filters, members=False, language=feeds.feed_language(), private=False,
                           self_url=request.url)


@bp.get("/events/feed/<token>.ics")
def private_feed_ics(token: str):
    user = feeds.user_for_token(token)
    if user is None:
        abort(404)
    filters = EventFilters.from_args(request.args)
    return feeds.feed_calendar(filters, members=True, window=_window(),
                               language=feeds.feed_language(request.args.get("lang") or user.language),
                               private=True)


@bp.get("/events/feed/<token>.atom")
def private_feed_atom(token: str):
    user = feeds.user_for_token(token)
    if user is None:
        abort(404)
    filters = EventFilters.from_args(request.args)
    return feeds.feed_atom(filters, members=True,
                           language=feeds.feed_language(request.args.get("lang") or user.language),
                           private=True, self_url=request.url)


@bp.get("/events/subscribe")
def subscribe():
    filters = EventFilters.from_args(request.args)
    private = None
    if current_user.is_authenticated:
        token = feeds.feed_token(current_user)
        args = {**filters.as_args(), "lang": _language()}
        ics = url_for("events.private_feed_ics", token=token, _external=True, **args)
        private = {"ics": ics, "webcal": feeds.webcal(ics),
                   "atom": url_for("events.private_feed_atom", token=token, _external=True, **args)}
    return render_template("events/event_subscribe.html", filters=filters, links=_feed_links(filters),
                           private=private, filter_form=_filter_form(filters))


@bp.route("/events/timezone", methods=["GET", "POST"])
def reader_zone():
    """Visitors who are not logged in choose the zone times are shown in (members: in their profile)."""
    form = ReaderZoneForm()
    if request.method == "GET":
        form.timezone.data = reader_zone_name()
    if form.validate_on_submit():
        if is_known_timezone(form.timezone.data or ""):
            session["timezone"] = form.timezone.data
            return redirect(safe_next(request.args.get("next"), url_for("events.upcoming")))
        form.timezone.errors = [*form.timezone.errors, _("Choose a time zone from the list, such as Africa/Nairobi.")]
    status = 400 if request.method == "POST" else 200
    return render_template("events/reader_zone.html", form=form, next=request.args.get("next", "")), status


# --- organisers ----------------------------------------------------------------------------------


@bp.route("/events/new", methods=["GET", "POST"])
@secretariat_required
def create():
    form = EventForm()
    if request.method == "GET":
        form.timezone.data = current_user.timezone or "UTC"
        form.add_blank_rows()
    if form.validate_on_submit():
        event = create_event(form.to_data(), author=current_user)
        db.session.commit()
        flash(_("The event was created."), "success")
        return redirect(url_for("events.detail", event_id=event.id))
    return _form_page("events/event_form.html", form=form, event=None)


@bp.route("/events/<int:event_id>/edit", methods=["GET", "POST"])
@secretariat_required
def edit(event_id: int):
    event = load_event(event_id, "instrument_links", "sessions", "documents")
    form = EventForm()
    if request.method == "GET":
        _fill(form, event)
    if form.validate_on_submit():
        changed = update_event(event, form.to_data())
        db.session.commit()
        flash(_("The event was updated.") if changed else _("Nothing was changed."), "success")
        return redirect(url_for("events.detail", event_id=event.id))
    return _form_page("events/event_form.html", form=form, event=event)


@bp.route("/events/<int:event_id>/postpone", methods=["GET", "POST"])
@secretariat_required
def postpone(event_id: int):
    event = load_event(event_id, "sessions")
    form = PostponeForm()
    if request.method == "GET":
        data = event_data_from(event).schedule
        form.all_day.data = data.all_day
        form.start_date.data, form.start_time.data = data.start_date, data.start_time
        form.end_date.data, form.end_time.data = data.end_date, data.end_time
    if form.validate_on_submit():
        try:
            postpone_event(event, form.schedule(event.timezone), form.note.data or "")
        except EventInvalid as problem:
            attach_errors(form, problem.errors)
        else:
            db.session.commit()
            flash(_("The event was postponed. Subscribed calendars will show the new dates."), "success")
            return redirect(url_for("events.detail", event_id=event.id))
    return _form_page("events/event_postpone.html", form=form, event=event)


@bp.route("/events/<int:event_id>/cancel", methods=["GET", "POST"])
@secretariat_required
def cancel(event_id: int):
    event = load_event(event_id)
    form = CancelForm()
    if form.validate_on_submit():
        cancel_event(event, form.note.data or "")
        db.session.commit()
        flash(_("The event was cancelled. It stays listed, marked as cancelled."), "success")
        return redirect(url_for("events.detail", event_id=event.id))
    return _form_page("events/event_cancel.html", form=form, event=event)


@bp.route("/events/<int:event_id>/reinstate", methods=["POST"])
@secretariat_required
def reinstate(event_id: int):
    """Undo a cancellation made by mistake or reversed by the hosts."""
    event = load_event(event_id)
    if ConfirmForm().validate_on_submit() and event.is_cancelled:
        reinstate_event(event)
        db.session.commit()
        flash(_("The event is on again. Subscribed calendars show it as planned."), "success")
    return redirect(url_for("events.detail", event_id=event.id))


def _form_page(template: str, **context):
    status = 400 if request.method == "POST" else 200
    return render_template(template, **context), status


def _fill(form: EventForm, event: Event) -> None:
    data = event_data_from(event)
    for name in ("title_en", "title_fr", "title_es", "description_en", "description_fr", "description_es",
                 "event_type", "is_public", "city", "online_url", "organiser_name", "organiser_email"):
        form[name].data = getattr(data, name)
    form.region.data = data.region or ""
    form.country.data = data.country or ""
    form.instruments.data = data.instruments
    form.timezone.data = data.schedule.timezone
    form.all_day.data = data.schedule.all_day
    form.start_date.data, form.start_time.data = data.schedule.start_date, data.schedule.start_time
    form.end_date.data, form.end_time.data = data.schedule.end_date, data.schedule.end_time
    for item in data.sessions:
        form.sessions.append_entry({"day": item.day, "start_time": item.start_time, "end_time": item.end_time,
                                    "title": item.title})
    for doc in data.documents:
        form.documents.append_entry({"title": doc.title, "url": doc.url})
    form.add_blank_rows()


# --- helpers -----------------------------------------------------------------------------------


def _language() -> str:
    return current_language()


def _filter_form(filters: EventFilters) -> dict:
    """The filter selects: their options in the reader's language and what is selected now."""
    selected = {"region": filters.regions[:1], "type": filters.types[:1], "instrument": filters.instruments[:1]}
    return {"choices": FilterChoices.current(_language()),
            "selected": {name: values[0] if values else "" for name, values in selected.items()}}


def _window() -> FeedWindow:
    year = request.args.get("year", type=int)
    if year is not None and not 1900 <= year <= 2200:
        abort(404)
    return FeedWindow(year=year)


def _feed_links(filters: EventFilters) -> dict:
    """Public feed addresses for the current filters, in the reader's language."""
    args = {**filters.as_args(), "lang": _language()}
    ics = url_for("events.feed_ics", _external=True, **args)
    return {"ics": ics, "webcal": feeds.webcal(ics), "atom": url_for("events.feed_atom", _external=True, **args)}
