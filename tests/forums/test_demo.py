"""The demo forums: alive in three languages, and seeding twice changes nothing."""

from ecommunity.accounts.models import User
from ecommunity.demo import seed_demo
from ecommunity.extensions import db
from ecommunity.forums import services
from ecommunity.forums.models import Category, ModerationAction, Post, Report, Topic
from tests.forums.conftest import sign_in


def counts():
    return [db.session.scalar(db.select(db.func.count()).select_from(model))
            for model in (Category, Topic, Post, Report, ModerationAction)]


def test_demo_forums_are_seeded_once_and_make_sense(app, client):
    seed_demo()
    db.session.commit()
    first = counts()
    assert first[0] >= 8 and first[1] >= 12 and first[2] >= 30 and first[3] == 1
    seed_demo()
    db.session.commit()
    assert counts() == first
    for category in db.session.scalars(db.select(Category)):
        topics = db.session.scalar(db.select(db.func.count()).where(Topic.category_id == category.id,
                                                                    Topic.state == "visible"))
        posts = db.session.scalar(db.select(db.func.sum(Topic.post_count)).where(
            Topic.category_id == category.id, Topic.state == "visible")) or 0
        assert (category.topic_count, category.post_count) == (topics, posts), category.slug
    bodies = " ".join(db.session.scalars(db.select(Post.body)))
    assert "Bonjour" in bodies and "colegas" in bodies.lower() and "national report" in bodies
    kenya = db.session.scalars(db.select(User).where(User.email == "nfp.kenya@example.org")).one()
    sign_in(client, kenya)
    html = client.get("/forums/").get_data(as_text=True)
    assert "Africa" in html and "Europe" not in html.split("Agreements and MOUs")[1]
    assert "<span class=\"badge badge-new\">" in client.get("/forums/").get_data(as_text=True)
    assert services.new_since_last_visit(kenya, services.member_settings(kenya), 1).total >= 3
