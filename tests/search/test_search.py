"""Searching: languages, permissions in the query, filters with counts, spelling, pages, any input."""

import random
import re

import pytest

from ecommunity.accounts.models import Role
from ecommunity.extensions import db
from ecommunity.forums import services as forums
from tests.search.conftest import keys, sign_in


@pytest.fixture
def posts(categories, people, make_topic):
    """One topic in each category, all about waterbird counts."""
    made = {}
    for name, title in (("open", "Waterbird counts for the national report"),
                        ("staff", "Waterbird counts: budget for the secretariat"),
                        ("africa", "Waterbird counts in African wetlands"),
                        ("asia", "Waterbird counts along the Central Asian Flyway")):
        made[name] = make_topic(categories[name], people["staff"], title, f"Notes about waterbird counts ({name}).")
    return made


def _post_key(topic) -> str:
    return f"forum-post:{topic.id}"  # first post ids follow topic ids here (one post per topic)


def test_each_reader_finds_only_what_they_may_see(app, posts, people):
    everyone = {name: _post_key(topic) for name, topic in posts.items()}
    assert keys(app, "waterbird", None) == []
    assert set(keys(app, "waterbird", people["member"])) == {everyone["open"], everyone["africa"]}
    assert set(keys(app, "waterbird", people["asian"])) == {everyone["open"], everyone["asia"]}
    assert set(keys(app, "waterbird", people["staff"])) == set(everyone.values())


def test_counts_and_pages_count_only_what_the_reader_may_see(app, categories, people, make_topic):
    for n in range(13):
        make_topic(categories["open"], people["member"], f"Flyway meeting {n}", "The flyway meeting notes.")
        make_topic(categories["staff"], people["staff"], f"Flyway budget {n}", "The flyway budget, staff only.")
    from ecommunity.search.services import search

    first = search("flyway", people["member"], "en", page=1).results
    second = search("flyway", people["member"], "en", page=2).results
    assert first.total == 13 and first.pages == 2 and len(first.hits) == 10 and len(second.hits) == 3
    assert not {h.key for h in first.hits} & {h.key for h in second.hits}
    assert first.facets["topic"] == {"national-reporting": 13}
    assert search("flyway", people["staff"], "en").results.total == 26


def test_events_in_three_languages_accents_optional(app, make_event, people):
    public = make_event(title_en="Regional workshop on migratory species",
                        title_fr="Atelier régional sur les espèces migratrices",
                        title_es="Taller regional sobre la migración de especies",
                        description_fr="Préparer la COP et les frontières.", instruments=["cms", "aewa"])
    private = make_event(title_en="Closed briefing on species", is_public=False, instruments=["sharks"])
    assert keys(app, "especes migratrices", None, "fr")[0] == f"event:{public.id}:fr"
    assert f"event:{public.id}:es" in keys(app, "migracion", None, "es")
    assert f"event:{public.id}:fr" in keys(app, "frontieres", None, "fr")
    assert f"event:{private.id}:en" not in keys(app, "species briefing", None)
    assert f"event:{private.id}:en" in keys(app, "species briefing", people["member"])
    assert keys(app, "especes", None, "fr", language=["es"]) == []
    assert keys(app, "species", people["member"], instrument=["sharks"]) == [f"event:{private.id}:en"]


def test_facets_count_every_hit_and_filters_narrow(app, make_event, posts, people):
    make_event(title_en="Waterbird census training", instruments=["aewa"])
    from ecommunity.search.services import search

    found = search("waterbird", people["member"], "en").results
    assert found.facets["kind"] == {"forum-post": 2, "event": 1}
    assert found.facets["instrument"] == {"aewa": 1}
    narrowed = search("waterbird", people["member"], "en", {"kind": ("event",)}).results
    assert narrowed.total == 1 and narrowed.hits[0].kind == "event"


def test_snippets_mark_matches_and_escape_the_text(app, categories, people, make_topic):
    make_topic(categories["open"], people["member"], "Reporting tips",
               "Use the <script>alert(1)</script> online reporting system before the deadline.")
    from ecommunity.search.services import search

    hit = search("reporting system", people["member"], "en").results.hits[0]
    assert "<mark>reporting</mark>" in hit.snippet.lower() or "<mark>system</mark>" in hit.snippet.lower()
    assert "<script>" not in hit.snippet and "&lt;script&gt;" in hit.snippet


def test_did_you_mean_proposes_a_title_word_when_nothing_is_found(app, categories, people, make_topic):
    make_topic(categories["open"], people["member"], "Negotiation of resolutions", "How the COP decides.")
    from ecommunity.search.services import search

    found = search("negociation resolutoins", people["member"], "en").results
    assert found.suggestion == "negotiation resolutions"
    assert search("negotiation", people["member"], "en").results.suggestion is None


def test_the_search_page(app, client, posts, people):
    sign_in(client, people["member"])
    page = client.get("/search?q=waterbird+counts")
    html = page.get_data(as_text=True)
    assert page.status_code == 200
    assert "2 results" in html and "<mark>" in html
    assert 'href="/forums/' in html
    assert client.get("/search").status_code == 200
    assert "kind=forum-post" in html


NASTY = [
    '"unbalanced', "*", "?", "AND OR NOT", "AND", "NOT NOT", "(", ")", "((((((((((", "(" * 2000, '"' * 301,
    "a" * 2000, "word " * 400, "co*", "*tion", "goverment~2", "title:x", "audience:secretariat",
    "kind:event OR", "[a TO z]", "{a TO}", "^2", "x^", "'single", "\\", "%00", "<script>", "😀 🦆",
    "AND (OR NOT)", '"" ""', "-", "+", "!!", "...", "«»", "ᚠᛇᚻ", "∑∫", "OR", "NOT waterbird",
]


def test_any_input_gives_a_page(client, posts):
    for text in NASTY:
        response = client.get("/search", query_string={"q": text})
        assert response.status_code == 200, text
        assert b"<h1>" in response.data
    # No keyboard types a NUL character: like everywhere on the site, it is a 400 with the error page.
    response = client.get("/search", query_string={"q": "a\x00b"})
    assert response.status_code == 400 and b"<h1>" in response.data


def test_random_inputs_never_fail(app, client, posts, people):
    rng = random.Random(6)
    alphabet = 'abcé ()"*?~^:[]{}+-!&|\\/ANDORNOT' + "\u00e0\u00f1\u4e2d"
    sign_in(client, people["staff"])
    for _ in range(150):
        text = "".join(rng.choice(alphabet) for _ in range(rng.randint(1, 60)))
        response = client.get("/search", query_string={"q": text, "page": rng.choice(["1", "2", "-3", "x", "99999"])})
        assert response.status_code == 200, text


def test_filters_from_the_address_are_bounded(client, posts):
    response = client.get("/search?q=waterbird&" + "&".join(f"kind=k{n}" for n in range(50)) + "&topic=" + "x" * 500)
    assert response.status_code == 200


def test_a_field_query_cannot_widen_the_audience(app, posts, people):
    assert keys(app, "audience:secretariat waterbird", people["member"]) != []
    assert _post_key(posts["staff"]) not in keys(app, "audience:secretariat waterbird", people["member"])
    assert re.search(r"secretariat", " ".join(keys(app, "secretariat", people["member"]))) is None


def test_secretariat_role_and_members_are_read_from_the_account(app, make_user, posts):
    admin = make_user(role=Role.ADMIN)
    assert len(keys(app, "waterbird", admin)) == 4
    forums.moderate_topic(posts["open"], admin, "hide")
    db.session.commit()
    assert len(keys(app, "waterbird", admin)) == 3
