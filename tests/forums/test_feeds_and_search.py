"""Atom feeds (valid structure, nothing for anonymous readers, private signed URLs) and search documents."""

import re
import xml.etree.ElementTree as ET

from ecommunity.extensions import db
from ecommunity.forums import services
from ecommunity.forums.search import may_see, search_documents
from tests.forums.conftest import sign_in

ATOM = "{http://www.w3.org/2005/Atom}"
STAMP = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$")


def parse_atom(response) -> ET.Element:
    assert response.status_code == 200
    assert response.mimetype == "application/atom+xml"
    root = ET.fromstring(response.data)  # noqa: S314 - our own output
    assert root.tag == f"{ATOM}feed"
    # RFC 4287: a feed has exactly one id, title and updated, and an author (here at feed level).
    for name in ("id", "title", "updated"):
        assert len(root.findall(f"{ATOM}{name}")) == 1, name
    assert STAMP.match(root.find(f"{ATOM}updated").text)
    assert root.find(f"{ATOM}author/{ATOM}name").text
    assert root.find(f"{ATOM}link[@rel='self']") is not None
    for entry in root.findall(f"{ATOM}entry"):
        for name in ("id", "title", "updated"):
            assert len(entry.findall(f"{ATOM}{name}")) == 1, name
        assert STAMP.match(entry.find(f"{ATOM}updated").text)
        assert entry.find(f"{ATOM}link[@rel='alternate']").get("href").startswith("http")
        assert entry.find(f"{ATOM}content").get("type") == "html"
    return root


def titles(root) -> list[str]:
    return [e.find(f"{ATOM}title").text for e in root.findall(f"{ATOM}entry")]


def test_anonymous_feed_is_valid_and_empty(client, categories, member, make_topic):
    make_topic(categories["open"], member, title="Members only")
    root = parse_atom(client.get("/forums/feed.atom"))
    assert titles(root) == []
    assert client.get("/forums/c/national-reporting/feed.atom").status_code == 404


def test_private_feed_url_shows_what_the_member_may_read(app, client, categories, member, moderator, make_topic):
    make_topic(categories["open"], member, title="Open <topic> & more", body="**Bold** text")
    make_topic(categories["africa"], member, title="Africa regional topic")
    make_topic(categories["staff"], moderator, title="Staff topic")
    sign_in(client, member)
    html = client.get("/forums/").get_data(as_text=True)
    url = re.search(r'href="(http://localhost/forums/feed\.atom\?token=[^"]+)"', html).group(1)
    reader = app.test_client()  # a feed reader: no cookies
    root = parse_atom(reader.get(url.replace("http://localhost", "")))
    assert set(titles(root)) == {"Open <topic> & more", "Africa regional topic"}
    content = root.find(f"{ATOM}entry/{ATOM}content").text
    assert "<strong>" in content or "<p>" in content
    category = parse_atom(reader.get(url.replace("http://localhost", "").replace("/feed.atom", "/c/africa/feed.atom")))
    assert titles(category) == ["Africa regional topic"]
    # Renewing the address revokes the old one.
    services.reset_feed_token(member)
    db.session.commit()
    assert reader.get(url.replace("http://localhost", "")).status_code == 404
    assert reader.get("/forums/feed.atom?token=forged").status_code == 404


def test_search_documents_carry_visibility(app, categories, member, moderator, make_topic, make_user):
    topic = make_topic(categories["africa"], member, title="Saiga census", body="Counting **saigas**", replies=1)
    services.moderate_post(services.post_by_number(topic, 2), moderator, "hide")
    db.session.commit()
    docs = list(search_documents())
    assert [d.number for d in docs] == [1, 2]
    first, hidden = docs
    assert first.title == "Saiga census" and first.body == "Counting saigas" and first.indexable
    assert first.url_path.startswith("/forums/p/") and first.visibility.access == "region"
    assert not hidden.indexable
    assert may_see(member, first.visibility) and may_see(moderator, first.visibility)
    assert not may_see(make_user(region="europe"), first.visibility) and not may_see(None, first.visibility)
    later = max(d.updated_at for d in docs)
    assert list(search_documents(changed_since=later)) == []
    services.move_topic(topic, categories["open"], moderator)
    db.session.commit()
    moved = list(search_documents(changed_since=later))
    assert len(moved) == 2 and moved[0].visibility.access == "members"
