"""Who may open which page: every GET route of the app, for every kind of visitor.

A route without a row in ROUTES fails `test_every_get_route_has_a_row`: when you add a
page, add its row (and, for a new URL argument, an entry in URL_VALUES).
The forms (POST routes) have their own table in test_permissions_post.py.
"""

from datetime import timedelta

import pytest

from ecommunity.accounts.models import Role
from ecommunity.database import utcnow
from ecommunity.events.services import EventData, Schedule, create_event
from ecommunity.extensions import db
from ecommunity.forums import services as forums
from ecommunity.forums.models import Access
from tests.accounts.conftest import sign_in
from tests.evaluations.world import evaluation_world
from tests.workshops.world import workshop_world

VISITORS = ("anonymous", "member", "secretariat", "admin")

OK = 200
BAD_LINK = 400  # a token route given a made-up token
DENIED = 403
NOT_FOUND = 404
LOGIN = "to login"  # 302 to the login page, which then comes back
HOME = "to home"  # 302 to the home page
FORWARD = "forwards"  # 302 to another page than the login page (a permanent link to a post, say)

# Expected answer for (anonymous, member, secretariat, admin).
PUBLIC = (OK, OK, OK, OK)
MEMBERS = (LOGIN, OK, OK, OK)
STAFF = (LOGIN, DENIED, OK, OK)
ADMINS = (LOGIN, DENIED, DENIED, OK)
GUESTS = (OK, HOME, HOME, HOME)  # pages for people who are not logged in
LINKS = (BAD_LINK, BAD_LINK, BAD_LINK, BAD_LINK)
DEAD_LINKS = (NOT_FOUND, NOT_FOUND, NOT_FOUND, NOT_FOUND)  # feed and unsubscribe links given a made-up token
MEMBERS_FORWARD = (LOGIN, FORWARD, FORWARD, FORWARD)
# A feed for members by session or ?token=: a feed reader without either gets 404, not a login page.
MEMBER_FEED = (NOT_FOUND, OK, OK, OK)
# Deleting someone else's post: only its author may (moderators hide posts instead).
AUTHOR_ONLY = (LOGIN, DENIED, DENIED, DENIED)

ROUTES = {
    # core
    "core.home": PUBLIC,
    "core.healthz": PUBLIC,
    # accounts
    "accounts.login": GUESTS,
    "accounts.signup": GUESTS,
    "accounts.signup_sent": PUBLIC,
    "accounts.verify_email": LINKS,
    "accounts.resend_verification": PUBLIC,
    "accounts.password_forgot": PUBLIC,
    "accounts.password_reset": LINKS,
    "accounts.profile": MEMBERS,
    "accounts.profile_edit": MEMBERS,
    "accounts.email_change": MEMBERS,
    "accounts.email_confirm": LINKS,
    "accounts.password_change": MEMBERS,
    "accounts.directory": MEMBERS,
    "accounts.member": MEMBERS,
    "accounts.review_list": STAFF,
    # forums: closed to the public, except the feeds and the unsubscribe links of the mails
    "forums.index": MEMBERS,
    "forums.category": MEMBERS,
    "forums.topic": MEMBERS,
    "forums.topic_unread": MEMBERS_FORWARD,
    "forums.post": MEMBERS_FORWARD,
    "forums.new_topics": MEMBERS,
    "forums.unread": MEMBERS,
    "forums.topic_new": MEMBERS,
    "forums.reply": MEMBERS,
    "forums.post_edit": STAFF,  # someone else's post: moderators may edit it
    "forums.post_delete": AUTHOR_ONLY,
    "forums.post_report": MEMBERS,
    "forums.settings": MEMBERS,
    "forums.unsubscribe": DEAD_LINKS,
    "forums.feed": PUBLIC,  # anonymous readers get a valid feed without entries
    "forums.category_feed": MEMBER_FEED,
    "forums.topic_move": STAFF,
    "forums.post_history": STAFF,
    "forums.reports": STAFF,
    "forums.moderation_log": STAFF,
    "forums.admin_categories": ADMINS,
    "forums.category_new": ADMINS,
    "forums.category_edit": ADMINS,
    # events: public events and feeds for everyone, the organisers' forms for the secretariat
    "events.upcoming": PUBLIC,
    "events.past": PUBLIC,
    "events.calendar": PUBLIC,
    "events.month": PUBLIC,
    "events.detail": PUBLIC,
    "events.event_ics": PUBLIC,
    "events.feed_ics": PUBLIC,
    "events.feed_atom": PUBLIC,
    "events.private_feed_ics": DEAD_LINKS,
    "events.private_feed_atom": DEAD_LINKS,
    "events.subscribe": PUBLIC,
    "events.reader_zone": PUBLIC,
    "events.create": STAFF,
    "events.edit": STAFF,
    "events.postpone": STAFF,
    "events.cancel": STAFF,
    # workshops (issue 5)
    "workshops.mine": MEMBERS,
    "workshops.index": STAFF,
    "workshops.register": MEMBERS,  # the secretariat may not register itself here: the page says why
    "workshops.edit": (LOGIN, NOT_FOUND, OK, OK),  # someone else's registration: its person and the secretariat
    "workshops.withdraw": (LOGIN, NOT_FOUND, OK, OK),
    "workshops.settings": STAFF,
    "workshops.dashboard": STAFF,
    "workshops.participants": STAFF,
    "workshops.export": STAFF,
    "workshops.waitlist": STAFF,
    "workshops.register_someone": STAFF,
    "workshops.audit": STAFF,
    "evaluations.mine": MEMBERS,
    "evaluations.answer": AUTHOR_ONLY,  # only the workshop's confirmed participants (none in this world)
    "evaluations.index": STAFF,
    "evaluations.index_export": STAFF,
    "evaluations.create": STAFF,
    "evaluations.edit": STAFF,
    "evaluations.results_page": STAFF,
    "evaluations.results_export": STAFF,
    # manual and library (issue 6)
    "manual.index": PUBLIC,
    "manual.chapter": PUBLIC,
    "manual.chapter_print": PUBLIC,
    "manual.section": PUBLIC,
    "manual.manage": STAFF,
    "manual.part_new": STAFF,
    "manual.part_edit": STAFF,
    "manual.chapter_new": STAFF,
    "manual.chapter_edit": STAFF,
    "manual.section_new": STAFF,
    "manual.version_edit": STAFF,
    "manual.history": STAFF,
    "manual.revision": STAFF,
    "library.index": PUBLIC,
    "library.detail": PUBLIC,
    "library.download": PUBLIC,
    "library.upload": STAFF,
    "library.edit": STAFF,
    # search (issue 6)
    "search.search": PUBLIC,  # everyone may search; each finds only what they may see
}

# How to fill each URL argument (of GET and POST routes), from the objects `world` creates.
URL_VALUES = {
    "user_id": lambda world: world["member"].id,
    "token": lambda world: "not-a-valid-token",
    "slug": lambda world: world["category"].slug,
    "category_id": lambda world: world["category"].id,
    "topic_id": lambda world: world["topic"].id,
    "post_id": lambda world: world["post"].id,
    "report_id": lambda world: world["report"].id,
    "event_id": lambda world: world["event"].id,
    "year": lambda world: world["event"].start_date.year,
    "month": lambda world: world["event"].start_date.month,
    # workshops (issue 5)
    "workshop_id": lambda world: world["workshop"].id,
    "registration_id": lambda world: world["registration"].id,
    "evaluation_id": lambda world: world["evaluation"].id,
    # manual and library (issue 6)
    "chapter_slug": lambda world: world["manual_section"].chapter.slug,
    "section_slug": lambda world: world["manual_section"].slug,
    "part_id": lambda world: world["manual_section"].chapter.part_id,
    "chapter_id": lambda world: world["manual_section"].chapter_id,
    "section_id": lambda world: world["manual_section"].id,
    "language": lambda world: "fr",
    "revision_id": lambda world: world["manual_revision"].id,
    "document_id": lambda world: world["library_document"].id,
    # search (issue 6)
}


def build_world(make_user) -> dict:
    """A listed member; an open forum category with a topic, a reply and a report on it; a public event.

    The forum posts are written by another member than the visitors. Each call makes new objects.
    """
    member = make_user(full_name="Listed Member")
    author = make_user(full_name="Forum Author")
    category = forums.save_category(None, slug=f"open-talk-{member.id}", name="Open talk", access=Access.MEMBERS)
    topic = forums.create_topic(category=category, author=author, title="Which sites to count?", body="First",
                                notify=False)
    post = forums.reply(topic=topic, author=author, body="A reply", notify=False)
    report = forums.report_post(post, member, "spam")
    start = (utcnow() + timedelta(days=10)).date()
    event = create_event(EventData(
        title_en="Regional workshop", event_type="pre-cop-workshop", is_public=True, city="Nairobi",
        country="KE", schedule=Schedule("UTC", True, start, start),
    ))
    world = {"member": member, "category": category, "topic": topic, "post": post, "report": report,
             "event": event}
    # workshops (issue 5): world.update(...)
    world.update(workshop_world(event, member))
    world.update(evaluation_world())
    # manual and library (issue 6): world.update(...)
    from ecommunity.library.services import DocumentData, add_document
    from ecommunity.manual import services as manual

    chapter = manual.create_chapter(manual.create_part(f"part-{member.id}", {"en": "Basics"}), f"chapter-{member.id}",
                                    {"en": "First steps"}, {})
    section = manual.create_section(chapter, "welcome", "Welcome", "## Start\n\nHere.", None)
    manual.save_version(section, "fr", "Bienvenue", "Ici.", None)
    manual.save_version(section, "fr", "Bienvenue", "Ici, vraiment.", None)  # revision 1 can be restored
    world.update(manual_section=section, manual_revision=manual.revisions_of(section, "fr")[-1],
                 library_document=add_document(DocumentData("Kit", "en", "training-kit"), "kit.md", b"# Kit\n", None))
    db.session.commit()
    return world


def rules_with(app, method: str) -> list:
    return [rule for rule in app.url_map.iter_rules() if method in rule.methods and rule.endpoint != "static"]


def get_rules(app):
    return rules_with(app, "GET")


def url_of(rule, world) -> str:
    return rule.build({name: URL_VALUES[name](world) for name in rule.arguments}, append_unknown=False)[1]


def client_for(app, make_user, visitor: str):
    """A test client of its own, signed in as a new account with the visitor's role (none for anonymous)."""
    client = app.test_client()
    if visitor != "anonymous":
        sign_in(client, make_user(role=Role(visitor)))
    return client


def answer(response):
    """The response in the table's terms: a redirect kind, else the status code."""
    if response.status_code == 302:
        location = response.headers["Location"]
        if location.startswith("/login?next="):
            return LOGIN
        return HOME if location == "/" else FORWARD
    return response.status_code


def test_every_get_route_has_a_row(app):
    endpoints = {rule.endpoint for rule in get_rules(app)}
    assert endpoints - set(ROUTES) == set(), "pages without a row in ROUTES"
    assert set(ROUTES) - endpoints == set(), "rows in ROUTES for pages that no longer exist"
    routes = [rule for rule in app.url_map.iter_rules() if rule.endpoint != "static"]
    arguments = {argument for rule in routes for argument in rule.arguments}
    assert arguments - set(URL_VALUES) == set(), "URL arguments (of GET or POST routes) without an entry in URL_VALUES"


@pytest.fixture
def world(make_user):
    """The objects whose ids fill URLs."""
    return build_world(make_user)


@pytest.mark.parametrize("endpoint", sorted(ROUTES))
def test_who_may_open_each_page(app, make_user, world, endpoint):
    rules = [rule for rule in get_rules(app) if rule.endpoint == endpoint]
    assert rules, f"{endpoint} is no longer a GET route: remove its row"
    clients = {visitor: client_for(app, make_user, visitor) for visitor in VISITORS}
    for rule in rules:
        url = url_of(rule, world)

        answers = {visitor: answer(clients[visitor].get(url)) for visitor in VISITORS}

        assert answers == dict(zip(VISITORS, ROUTES[endpoint], strict=True)), url
