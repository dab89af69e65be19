"""Forum pages. Each view loads (404 for what the reader may not see), checks, calls one service, commits once."""

from functools import cache

from babel import Locale
from babel.dates import format_datetime
from flask import (
    Blueprint,
    Response,
    abort,
    current_app,
    flash,
    g,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask_babel import get_locale, get_timezone
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from limits import parse_many

from ecommunity.accounts.auth import admin_required, secretariat_required
from ecommunity.core.input import database_id
from ecommunity.core.paging import requested_page
from ecommunity.database import utcnow
from ecommunity.extensions import csrf, db, limiter, login_manager
from ecommunity.forums import feeds, markdown, notifications, services
from ecommunity.forums.forms import (
    REPORT_REASONS,
    CategoryForm,
    CategoryWatchForm,
    ConfirmForm,
    ModerationForm,
    MoveForm,
    PostEditForm,
    ReplyForm,
    ReportDecisionForm,
    ReportForm,
    SettingsForm,
    TopicForm,
    TopicWatchForm,
    choices,
)
from ecommunity.forums.links import link_label, link_path
from ecommunity.forums.models import POSTS_PER_PAGE, Category, ForumMember, Post, Report, Topic, Watch, page_of
from ecommunity.forums.rendering import rendered_category_list, rendered_posts, rendered_topic_row
from ecommunity.forums.services import DuplicateSubmission, ForumError

bp = Blueprint("forums", __name__, url_prefix="/forums")

# Reachable without a session: feed readers and mail clients carry signed tokens instead.
PUBLIC_ENDPOINTS = {"forums.feed", "forums.category_feed", "forums.unsubscribe"}

CLOSED_MESSAGES = {
    "locked": _l("This topic is locked: it accepts no new replies."),
    "closed": _l("This topic was hidden or deleted: it accepts no new replies."),
    "forbidden": _l("You cannot post in this category."),
}

REPORT_REFUSALS = {
    "already-reported": _l("You already reported this post; the moderators have not decided yet."),
    "not-reportable": _l("This post was hidden or deleted: it cannot be reported."),
}


@bp.before_request
def require_member():
    """The forums are for logged-in members; their visits are tracked for "new since my last visit"."""
    if request.endpoint in PUBLIC_ENDPOINTS:
        return None
    if not current_user.is_authenticated:
        return login_manager.unauthorized()
    # The session remembers when the visit was last noted, so most requests skip the database.
    now = utcnow()
    noted = session.get("forum_seen", 0)
    if not isinstance(noted, int) or now.timestamp() - noted > services.SEEN_RESOLUTION.total_seconds():
        g.forum_member, changed = services.note_visit(me(), now)
        if changed:
            db.session.commit()
        session["forum_seen"] = int(now.timestamp())
    return None


def member():
    """The member's forum row (settings, visits), loaded once per request when a page needs it."""
    if "forum_member" not in g:
        g.forum_member = db.session.get(ForumMember, current_user.id)
    return g.forum_member


def me():
    return current_user._get_current_object()


def _form_page(template: str, form, status: int | None = None, **context):
    """Render a form page: 400 when the form was sent with mistakes, else 200."""
    return render_template(template, form=form, **context), status or (400 if form.errors else 200)


def _posting_too_fast(user, form) -> bool:
    """Count a new post against the member's pace (FORUM_POST_RATE_LIMIT); on excess, say so beside the text.

    Checked here rather than by a decorator so that the refused text comes back in the form.
    """
    if user.is_secretariat or not limiter.enabled:
        return False
    allowed = all([limiter.limiter.hit(item, "forum-post", str(user.id))
                   for item in parse_many(current_app.config["FORUM_POST_RATE_LIMIT"])])
    if not allowed:
        form.body.errors = [*form.body.errors, _(
            "You are posting faster than the forums allow. Wait a few minutes, then send again: "
            "your text is kept below.")]
    return not allowed


def post_url(post: Post) -> str:
    return url_for("forums.topic", topic_id=post.topic_id, page=page_of(post.number)) + f"#p{post.number}"


@bp.app_template_global("forum_post_url")
def forum_post_url(topic_id: int, number: int) -> str:
    """Where a post of a topic is shown: its page and anchor."""
    return url_for("forums.topic", topic_id=topic_id, page=page_of(number)) + f"#p{number}"


bp.add_app_template_global(rendered_topic_row, "forum_topic_row")


@bp.app_template_global("forum_latest_topics")
def forum_latest_topics(limit: int = 5) -> list:
    """The latest discussions the current member may read, for the home page."""
    if not current_user.is_authenticated:
        return []
    return services.latest_topics(me(), member(), limit)


@cache
def _locale(code: str) -> Locale:
    return Locale.parse(code)


@bp.app_template_filter("forum_datetime")
def forum_datetime(moment) -> str:
    """Like the `datetime` filter ("short", reader's language and zone), with the locale data kept per process.

    A topic page shows dozens of dates; a fresh Locale per request made each one cost a millisecond.
    """
    return format_datetime(moment, "short", tzinfo=get_timezone(), locale=_locale(str(get_locale() or "en")))


@bp.app_template_global("forum_link")
def forum_link(topic: Topic) -> tuple[str, str] | None:
    """(label, path) of the event or manual page a topic links to."""
    if not topic.link_kind:
        return None
    return link_label(topic.link_kind), link_path(topic.link_kind, topic.link_ref)


# --- reading -------------------------------------------------------------------------------


@bp.get("/")
def index():
    """Categories with their counts and last activity."""
    user = me()
    if "forum_member" in g:
        new_count = services.count_new_since_last_visit(user, g.forum_member)
    else:
        g.forum_member, new_count = services.member_and_new_count(user)
    return render_template(
        "forums/index.html",
        category_list=rendered_category_list(services.category_overview(user)),
        new_count=new_count,
        report_count=services.count_open_reports() if user.is_secretariat else 0,
        feed_token=notifications.feed_token(user, member()),
    )


@bp.get("/c/<slug>/")
def category(slug: str):
    """A category's topics: pinned first, then by last activity."""
    user = me()
    category, forum_member, watching = services.load_category_for_reading(slug, user)
    g.setdefault("forum_member", forum_member)
    page = requested_page()
    listing = services.topics_in(category, user, member(), page)
    if page > listing.pages:
        abort(404)
    return render_template(
        "forums/category.html", category=category, listing=listing,
        watching=watching, watch_form=CategoryWatchForm(),
        feed_token=notifications.feed_token(user, member()),
    )


@bp.get("/t/<int:topic_id>/")
def topic(topic_id: int):
    """One page of a topic (20 posts); reading it moves the member's read mark."""
    user = me()
    topic, state, g.forum_member = services.load_topic_for_reading(topic_id, user)
    page = requested_page()
    if page > topic.page_count:
        return redirect(url_for("forums.topic", topic_id=topic.id, page=topic.page_count))
    posts = services.posts_on_page(topic, page)
    last_read = state.last_read_number if state is not None else None
    unread = services.is_unread(topic, last_read, member())
    first_unread = services.first_unread_number(topic, state, member()) if unread else None
    can_reply = services.can_reply(user, topic)
    html = render_template(
        "forums/topic.html", topic=topic, page=page, first_unread=first_unread,
        articles=rendered_posts(topic, posts, user, can_reply=can_reply, moderator=user.is_secretariat,
                                last_read=last_read or 0),
        pager=services.Page([], page, POSTS_PER_PAGE, topic.last_number),
        watch=state.watch if state is not None else None, can_reply=can_reply, moderator=user.is_secretariat,
        reply_form=ReplyForm().prepare() if can_reply and page == topic.page_count else None,
        reply_url=url_for("forums.reply", topic_id=topic.id),
        closed_message=None if can_reply or not topic.is_visible and user.is_secretariat
        else CLOSED_MESSAGES["locked" if topic.locked else "closed"],
    )
    if posts and services.mark_read(user, topic, posts[-1].number, state):
        db.session.commit()
    return html


@bp.get("/t/<int:topic_id>/unread")
def topic_unread(topic_id: int):
    """Go to the first post the member has not read yet (the link in notification mails)."""
    topic = services.load_topic(topic_id, me())
    state = services.topic_state_for(me(), topic)
    number = services.first_unread_number(topic, state, member())
    return redirect(forum_post_url(topic.id, number))


@bp.get("/p/<int:post_id>")
def post(post_id: int):
    """A post's permanent address: its topic page and anchor."""
    return redirect(post_url(services.load_post(post_id, me())))


@bp.get("/new")
def new_topics():
    """Topics with activity since the member's previous visit."""
    row = member()
    listing = services.new_since_last_visit(me(), row, requested_page())
    return render_template("forums/topic_list.html", listing=listing, view="new",
                           since=row.last_visit_at if row else None, confirm_form=ConfirmForm())


@bp.get("/unread")
def unread():
    """Topics with posts the member has not read."""
    listing = services.unread_topics(me(), member(), requested_page())
    return render_template("forums/topic_list.html", listing=listing, view="unread", since=None,
                           confirm_form=ConfirmForm())


@bp.post("/mark-read")
def mark_all_read():
    """Count every topic as read up to now."""
    if ConfirmForm().validate_on_submit():
        services.mark_all_read(me())
        db.session.commit()
        flash(_("All topics are marked as read."), "success")
    return redirect(url_for("forums.index"))


# --- writing -------------------------------------------------------------------------------


@bp.route("/c/<slug>/new", methods=["GET", "POST"])
def topic_new(slug: str):
    """Start a topic."""
    category = services.load_category(slug, me())
    form = TopicForm()
    if form.validate_on_submit():
        if _posting_too_fast(me(), form):
            return _form_page("forums/topic_new.html", form.prepare(), 429, category=category)
        try:
            topic = services.create_topic(
                category=category, author=me(), title=form.title.data, body=form.body.data,
                token=form.submission.data, link=getattr(form, "parsed_link", None),
            )
            db.session.commit()
        except DuplicateSubmission as duplicate:
            return redirect(post_url(duplicate.post))
        flash(_("Your topic is online."), "success")
        return redirect(url_for("forums.topic", topic_id=topic.id))
    return _form_page("forums/topic_new.html", form.prepare(), category=category)


@bp.route("/t/<int:topic_id>/reply", methods=["GET", "POST"])
def reply(topic_id: int):
    """Reply to a topic; `?quote=<post id>` starts the reply with that post quoted."""
    user = me()
    # With the member's forum row, which the reply reads for their settings: no query of its own.
    topic, _state, g.forum_member = services.load_topic_for_reading(topic_id, user)
    form = ReplyForm()
    if not services.can_reply(user, topic):
        return _closed(topic, "locked" if topic.locked and topic.is_visible else "closed")
    if form.validate_on_submit():
        if _posting_too_fast(user, form):
            return _form_page("forums/reply.html", form.prepare(), 429, topic=topic)
        try:
            post = services.reply(topic=topic, author=user, body=form.body.data, token=form.submission.data)
            # Before the commit, which expires every loaded row: reading them again would cost two queries.
            target, message = post_url(post), _("Your reply is online.")
            db.session.commit()
        except DuplicateSubmission as duplicate:
            return redirect(post_url(duplicate.post))
        except ForumError as error:
            db.session.rollback()
            return _closed(services.load_topic(topic_id, me()), error.reason)
        flash(message, "success")
        return redirect(target)
    quote_id = request.args.get("quote", type=database_id)
    if request.method == "GET" and quote_id:
        quoted = services.load_post(quote_id, user)
        if quoted.topic_id == topic.id and quoted.is_visible:
            name = quoted.author.full_name if quoted.author else _("A former member")
            form.body.data = markdown.quote(quoted.body, name)
    return _form_page("forums/reply.html", form.prepare(), topic=topic)


def _closed(topic: Topic, reason: str):
    return render_template("forums/reply_closed.html", topic=topic, message=CLOSED_MESSAGES[reason]), 409


@bp.route("/p/<int:post_id>/edit", methods=["GET", "POST"])
def post_edit(post_id: int):
    """Edit one's own post (moderators may edit any); the former version is kept."""
    user = me()
    post = services.load_post(post_id, user)
    if not services.can_edit(user, post):
        abort(403)
    form = PostEditForm(obj=post, title=post.topic.title if post.number == 1 else None, first_post=post.number == 1)
    if form.validate_on_submit():
        services.edit_post(post, user, form.body.data, title=form.title.data if post.number == 1 else None)
        db.session.commit()
        flash(_("Your changes are saved."), "success")
        return redirect(post_url(post))
    return _form_page("forums/post_edit.html", form, post=post)


@bp.route("/p/<int:post_id>/delete", methods=["GET", "POST"])
def post_delete(post_id: int):
    """Delete one's own post, after a confirmation; the first post takes its topic along."""
    user = me()
    post = services.load_post(post_id, user)
    if not services.can_delete(user, post):
        abort(403)
    form = ConfirmForm()
    if form.validate_on_submit():
        topic, category_slug, first = post.topic, post.topic.category.slug, post.number == 1
        services.delete_own_post(post, user)
        db.session.commit()
        if first:
            flash(_("Your topic was deleted."), "success")
            return redirect(url_for("forums.category", slug=category_slug))
        flash(_("Your post was deleted."), "success")
        return redirect(url_for("forums.topic", topic_id=topic.id))
    return render_template("forums/post_delete.html", post=post, form=form)


@bp.route("/p/<int:post_id>/report", methods=["GET", "POST"])
def post_report(post_id: int):
    """Ask the moderators to look at a post."""
    post = services.load_post(post_id, me())
    form = ReportForm()
    if form.validate_on_submit():
        try:
            services.report_post(post, me(), form.reason.data, form.details.data or "")
            db.session.commit()
            flash(_("Thank you. The moderators will look at this post."), "success")
        except ForumError as error:
            db.session.rollback()
            flash(str(REPORT_REFUSALS[error.reason]), "info")
        return redirect(post_url(post))
    return _form_page("forums/post_report.html", form, post=post)


@bp.post("/t/<int:topic_id>/watch")
def topic_watch(topic_id: int):
    """Watch a topic, mute it, or go back to the default."""
    topic = services.load_topic(topic_id, me())
    form = TopicWatchForm()
    if form.validate_on_submit():
        choice = form.watch.data
        services.set_topic_watch(me(), topic, None if choice == "default" else choice)
        db.session.commit()
        flash({
            Watch.WATCHING.value: _("You will get a mail when someone replies."),
            Watch.MUTED.value: _("You will get no mail about this topic."),
        }.get(choice, _("You will get mail about this topic only if you watch its category.")), "success")
    return redirect(url_for("forums.topic", topic_id=topic.id))


@bp.post("/c/<slug>/watch")
def category_watch(slug: str):
    """Watch or stop watching a whole category."""
    category = services.load_category(slug, me())
    form = CategoryWatchForm()
    if form.validate_on_submit():
        services.set_category_watch(me(), category, form.watch.data == "on")
        db.session.commit()
        flash(_("You will get a mail about new topics and replies in this category.") if form.watch.data == "on"
              else _("You no longer watch this category."), "success")
    return redirect(url_for("forums.category", slug=category.slug))


@bp.route("/settings", methods=["GET", "POST"])
def settings():
    """Digest, mention mails, automatic watching, feeds and what the member watches."""
    user = me()
    member = services.member_settings(user)
    form = SettingsForm(obj=member)
    if form.validate_on_submit():
        services.update_settings(user, digest=form.digest.data, mention_mails=form.mention_mails.data,
                                 auto_watch=form.auto_watch.data)
        db.session.commit()
        flash(_("Your forum settings are saved."), "success")
        return redirect(url_for("forums.settings"))
    return _form_page(
        "forums/settings.html", form, confirm_form=ConfirmForm(),
        feed_token=notifications.feed_token(user, member),
        categories=services.watched_categories(user), topics=services.watched_topics(user),
    )


@bp.post("/settings/feed")
def feed_reset():
    """Replace the private feed address; the old one stops working."""
    if ConfirmForm().validate_on_submit():
        services.reset_feed_token(me())
        db.session.commit()
        flash(_("Your feed addresses were renewed. Update them in your feed reader."), "success")
    return redirect(url_for("forums.settings"))


@bp.route("/unsubscribe/<token>", methods=["GET", "POST"])
@csrf.exempt
def unsubscribe(token: str):
    """The signed link in every forum mail. GET asks; POST (one click, or RFC 8058) unsubscribes."""
    data = notifications.read_unsubscribe_token(token)
    if data is None:
        return render_template("forums/unsubscribe.html", invalid=True), 404
    user_id, kind, ref = data
    if request.method == "POST":
        if notifications.unsubscribe(user_id, kind, ref) is None:
            return render_template("forums/unsubscribe.html", invalid=True), 404
        db.session.commit()
        return render_template("forums/unsubscribe.html", done=True, kind=kind)
    return render_template("forums/unsubscribe.html", kind=kind)


# --- feeds ---------------------------------------------------------------------------------


def _feed_reader():
    """The member a feed is for: a valid ?token=, else the logged-in member, else anonymous (None)."""
    token = request.args.get("token")
    if token:
        user = notifications.user_for_feed_token(token)
        if user is None:
            abort(404)
        return user
    return me() if current_user.is_authenticated else None


def _atom(body: bytes, private: bool) -> Response:
    response = Response(body, mimetype="application/atom+xml")
    response.headers["Cache-Control"] = "private, max-age=300" if private else "public, max-age=300"
    response.headers["X-Robots-Tag"] = "noindex"
    return response


@bp.get("/feed.atom")
def feed():
    """The latest topics the reader may see; anonymous readers see none (the forums are closed)."""
    reader = _feed_reader()
    token = request.args.get("token")
    return _atom(feeds.latest_topics_feed(reader, token), private=reader is not None)


@bp.get("/c/<slug>/feed.atom")
def category_feed(slug: str):
    """A category's latest topics, for a member (by token or session)."""
    reader = _feed_reader()
    category = services.load_category(slug, reader)
    return _atom(feeds.category_feed(category, reader, request.args.get("token")), private=True)


# --- moderation ----------------------------------------------------------------------------


@bp.post("/t/<int:topic_id>/moderate")
@secretariat_required
def topic_moderate(topic_id: int):
    """Pin, unpin, lock, unlock, hide or restore a topic."""
    topic = services.load_topic(topic_id, me())
    form = ModerationForm()
    if form.validate_on_submit() and form.action.data in services.TOPIC_ACTIONS:
        services.moderate_topic(topic, me(), form.action.data, form.reason.data or "")
        db.session.commit()
        flash(_("Done: %(action)s.", action=TOPIC_ACTION_NAMES[form.action.data]), "success")
    else:
        abort(400)
    return redirect(url_for("forums.topic", topic_id=topic_id))


TOPIC_ACTION_NAMES = {
    "pin": _l("pinned"), "unpin": _l("unpinned"), "lock": _l("locked"), "unlock": _l("unlocked"),
    "hide": _l("hidden"), "restore": _l("restored"),
}


@bp.route("/t/<int:topic_id>/move", methods=["GET", "POST"])
@secretariat_required
def topic_move(topic_id: int):
    """Move a topic to another category."""
    topic = services.load_topic(topic_id, me())
    form = MoveForm(category=topic.category_id)
    categories = services.categories_for(me())
    form.category.choices = choices((c.id, c.display_name) for c in categories)
    if form.validate_on_submit():
        target = db.get_or_404(Category, form.category.data)
        services.move_topic(topic, target, me(), form.reason.data or "")
        db.session.commit()
        flash(_("The topic is now in %(category)s.", category=target.display_name), "success")
        return redirect(url_for("forums.topic", topic_id=topic_id))
    return _form_page("forums/topic_move.html", form, topic=topic)


@bp.post("/p/<int:post_id>/moderate")
@secretariat_required
def post_moderate(post_id: int):
    """Hide or restore a post."""
    post = services.load_post(post_id, me())
    form = ModerationForm()
    if not form.validate_on_submit() or form.action.data not in ("hide", "restore"):
        abort(400)
    services.moderate_post(post, me(), form.action.data, form.reason.data or "")
    db.session.commit()
    flash(_("The post is hidden.") if form.action.data == "hide" else _("The post is restored."), "success")
    return redirect(post_url(post))


@bp.get("/p/<int:post_id>/history")
@secretariat_required
def post_history(post_id: int):
    """The former versions of an edited post."""
    post = services.load_post(post_id, me())
    return render_template("forums/post_history.html", post=post, revisions=services.revisions_of(post))


@bp.get("/moderation/reports")
@secretariat_required
def reports():
    """The queue of open reports, oldest first."""
    return render_template("forums/reports.html", listing=services.open_reports(requested_page()),
                           reason_names=dict(REPORT_REASONS))


@bp.post("/moderation/reports/<int:report_id>")
@secretariat_required
def report_resolve(report_id: int):
    """Hide the reported post, or dismiss the report."""
    report = db.get_or_404(Report, report_id)
    form = ReportDecisionForm()
    if not form.validate_on_submit() or form.decision.data not in ("hide", "dismiss"):
        abort(400)
    try:
        services.resolve_report(report, me(), form.decision.data)
        db.session.commit()
        flash(_("The post is hidden.") if form.decision.data == "hide" else _("The report is dismissed."), "success")
    except ForumError:
        db.session.rollback()
        flash(_("Another moderator already decided on this report."), "info")
    return redirect(url_for("forums.reports"))


@bp.get("/moderation/log")
@secretariat_required
def moderation_log():
    """Every moderation action, with who and when."""
    return render_template("forums/moderation_log.html", listing=services.moderation_log(requested_page()),
                           action_names=ACTION_NAMES)


ACTION_NAMES = {
    "topic-pin": _l("Pinned the topic"), "topic-unpin": _l("Unpinned the topic"),
    "topic-lock": _l("Locked the topic"), "topic-unlock": _l("Unlocked the topic"),
    "topic-hide": _l("Hid the topic"), "topic-restore": _l("Restored the topic"),
    "topic-move": _l("Moved the topic"), "post-hide": _l("Hid a post"), "post-restore": _l("Restored a post"),
    "report-dismiss": _l("Dismissed a report"),
}


# --- categories (admins) -------------------------------------------------------------------


@bp.get("/admin/categories")
@admin_required
def admin_categories():
    categories = db.session.scalars(db.select(Category).order_by(Category.position, Category.name)).all()
    return render_template("forums/admin_categories.html", categories=categories, form=ConfirmForm())


@bp.route("/admin/categories/new", methods=["GET", "POST"])
@admin_required
def category_new():
    return _category_form(None)


@bp.route("/admin/categories/<int:category_id>/edit", methods=["GET", "POST"])
@admin_required
def category_edit(category_id: int):
    return _category_form(db.get_or_404(Category, category_id))


def _category_form(category: Category | None):
    form = CategoryForm(obj=category)
    if form.validate_on_submit():
        taken = db.session.scalar(db.select(Category.id).where(Category.slug == form.slug.data))
        if taken is not None and (category is None or taken != category.id):
            form.slug.errors.append(_("Another category already has this address name."))
        else:
            fields = {name: getattr(form, name).data for name in services.CATEGORY_FIELDS}
            fields["region"] = fields["region"] or None
            for name in ("name_fr", "name_es", "description", "description_fr", "description_es"):
                fields[name] = fields[name] or ""
            services.save_category(category, **fields)
            db.session.commit()
            flash(_("The category is saved."), "success")
            return redirect(url_for("forums.admin_categories"))
    return _form_page("forums/category_form.html", form, category=category)


@bp.post("/admin/categories/<int:category_id>/delete")
@admin_required
def category_delete(category_id: int):
    category = db.get_or_404(Category, category_id)
    if ConfirmForm().validate_on_submit():
        try:
            services.delete_category(category)
            db.session.commit()
            flash(_("The category is deleted."), "success")
        except ForumError:
            db.session.rollback()
            flash(_("Only an empty category can be deleted. Move its topics first."), "error")
    return redirect(url_for("forums.admin_categories"))

