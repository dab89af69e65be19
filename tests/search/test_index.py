"""The index follows the database: after commit only, never rolled-back data, rebuilt when lost."""

import time
from pathlib import Path

import pytest

from ecommunity.extensions import db
from ecommunity.forums import services as forums
from ecommunity.forums.models import Access
from ecommunity.search import engine
from ecommunity.search.changes import SearchChange
from ecommunity.search.engine import IndexBusy, Store
from ecommunity.search.indexer import catch_up, rebuild, status
from tests.search.conftest import keys, sign_in


def _changes() -> int:
    return db.session.scalar(db.select(db.func.count(SearchChange.id)))


def test_a_new_topic_is_found_after_commit(app, categories, people, make_topic):
    topic = make_topic(categories["open"], people["member"], "Preparing the national report", "Deadlines for Parties")
    assert keys(app, "deadlines", people["member"]) == [f"forum-post:{topic.id}"]


def test_rolled_back_data_is_never_searchable(app, categories, people, make_topic):
    make_topic(categories["open"], people["member"], "Anything", "To build the index")
    before = _changes()
    forums.create_topic(category=categories["open"], author=people["member"], title="Secret draft",
                        body="Zanzibar unpublished", notify=False)
    db.session.flush()
    assert _changes() > before  # logged in the transaction...
    db.session.rollback()
    assert _changes() == before  # ...and gone with it
    catch_up()
    assert keys(app, "zanzibar", people["staff"]) == []


def test_edits_hiding_and_access_changes_reach_the_index(app, categories, people, make_topic):
    topic = make_topic(categories["open"], people["member"], "Saiga antelope survey", "Counting in spring.")
    post = topic_post = db.session.scalars(db.select(forums.Post).where(forums.Post.topic_id == topic.id)).one()
    forums.edit_post(topic_post, people["member"], "Counting in autumn.", title="Saiga antelope census")
    db.session.commit()
    assert keys(app, "census autumn", people["member"]) == [f"forum-post:{post.id}"]
    assert keys(app, "spring", people["member"]) == []
    forums.save_category(categories["open"], access=Access.SECRETARIAT)  # bulk update of its topics
    db.session.commit()
    assert keys(app, "saiga", people["member"]) == []
    assert keys(app, "saiga", people["staff"]) == [f"forum-post:{post.id}"]
    forums.moderate_topic(topic, people["staff"], "hide")
    db.session.commit()
    assert keys(app, "saiga", people["staff"]) == []


def test_an_edit_through_a_page_is_found_by_the_next_search(app, client, categories, people):
    sign_in(client, people["member"])
    page = client.get("/forums/c/national-reporting/new").get_data(as_text=True)
    import re

    token = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', page).group(1)
    submission = re.search(r'name="submission"[^>]*value="([^"]+)"', page).group(1)
    response = client.post("/forums/c/national-reporting/new", data={
        "csrf_token": token, "submission": submission, "title": "Dugong sightings", "body": "Seagrass beds."})
    assert response.status_code == 302
    assert "Dugong sightings" in client.get("/search?q=seagrass").get_data(as_text=True)


def test_a_missing_index_shows_a_message_then_is_rebuilt(app, client, categories, people, make_topic):
    make_topic(categories["open"], people["member"], "Flyway atlas", "Maps.")
    root = Path(app.config["SEARCH_INDEX_DIR"])
    (root / "CURRENT").unlink()
    sign_in(client, people["member"])
    html = client.get("/search?q=atlas").get_data(as_text=True)
    assert "Search is being prepared" in html
    assert "Flyway atlas" in client.get("/search?q=atlas").get_data(as_text=True)
    assert client.get("/healthz").get_json()["search_index"] == "ok"


def test_a_corrupt_index_shows_a_message_then_is_rebuilt(app, client, categories, people, make_topic):
    make_topic(categories["open"], people["member"], "Flyway atlas", "Maps.")
    root = Path(app.config["SEARCH_INDEX_DIR"])
    generation = root / (root / "CURRENT").read_text()
    for path in generation.iterdir():
        if path.suffix in {".toc", ".seg", ".pst", ".trm"}:
            path.write_bytes(b"\0" * 64)
    sign_in(client, people["member"])
    first = client.get("/search?q=atlas")
    assert first.status_code == 200
    assert "Search is being prepared" in first.get_data(as_text=True)
    assert "Flyway atlas" in client.get("/search?q=atlas").get_data(as_text=True)


def test_an_index_of_an_older_layout_is_rebuilt(app, client, categories, people, make_topic):
    from whoosh import fields, index

    make_topic(categories["open"], people["member"], "Flyway atlas", "Maps.")
    root = Path(app.config["SEARCH_INDEX_DIR"])
    old = root / "ix-old"
    old.mkdir()
    schema = fields.Schema(**{n: engine.SCHEMA[n] for n in engine.SCHEMA.names() if "_pairs_" not in n})
    writer = index.create_in(str(old), schema).writer()
    writer.add_document(key=engine.STATE_KEY, audience=engine.HIDDEN_AUDIENCE, meta='{"applied": 0, "gaps": {}}')
    writer.commit()
    (root / "CURRENT").write_text("ix-old")
    with pytest.raises(engine.IndexUnavailable, match="outdated"):
        Store(root).open()
    sign_in(client, people["member"])
    assert "Search is being prepared" in client.get("/search?q=atlas").get_data(as_text=True)
    assert "Flyway atlas" in client.get("/search?q=atlas").get_data(as_text=True)


def test_reindex_and_status_commands(app, runner, categories, people, make_topic):
    make_topic(categories["open"], people["member"], "Flyway atlas", "Maps.")
    result = runner.invoke(args=["search", "reindex"])
    assert result.exit_code == 0, result.output
    assert result.output.startswith("indexed 1 documents in ")
    status_output = runner.invoke(args=["search", "status"]).output
    assert "documents: 1" in status_output and "behind: 0" in status_output
    caught = runner.invoke(args=["search", "catch-up"])
    assert caught.exit_code == 0 and "applied 0 changes" in caught.output


def test_a_held_lock_makes_the_indexer_skip_and_requests_go_on(app, client, categories, people, make_topic):
    make_topic(categories["open"], people["member"], "Flyway atlas", "Maps.")
    store = Store(app.config["SEARCH_INDEX_DIR"])
    with store.writing():  # another worker is indexing
        with pytest.raises(IndexBusy):
            store.writing().__enter__()
        app.config["SEARCH_INDEXING"] = "background"
        sign_in(client, people["member"])
        started = time.monotonic()
        html = client.get("/search?q=atlas").get_data(as_text=True)
        assert "Flyway atlas" in html and time.monotonic() - started < 2
        forums.create_topic(category=categories["open"], author=people["member"], title="Bat migration",
                            body="Eurobats.", notify=False)
        db.session.commit()  # wakes the background indexer, which finds the lock taken
        assert catch_up()["busy"] is True
        assert keys(app, "eurobats", people["member"]) == []
    deadline = time.monotonic() + 5
    while not keys(app, "eurobats", people["member"]) and time.monotonic() < deadline:
        time.sleep(0.1)  # the background indexer polls every second
    assert keys(app, "eurobats", people["member"]) != []
    app.extensions["search-indexer"].stop()


def test_a_change_committed_late_with_a_lower_id_is_not_lost(app, categories, people, make_topic):
    topic = make_topic(categories["open"], people["member"], "Great bustard", "Steppe.")
    post_id = db.session.scalar(db.select(forums.Post.id).where(forums.Post.topic_id == topic.id))
    late = db.session.scalar(db.select(db.func.max(SearchChange.id))) + 1
    # A later transaction commits first, with id late + 1: `late` is a gap the indexer waits for.
    db.session.add(SearchChange(id=late + 1, kind="forum-post", entity="forum_post", entity_id=999))
    db.session.commit()
    catch_up()
    assert str(late) in status_and_gaps(app)
    db.session.execute(db.update(forums.Post).where(forums.Post.id == post_id).values(body_html="<p>Grassland</p>"))
    db.session.execute(db.delete(SearchChange).where(SearchChange.id > late - 1))  # keep ids as we want them
    db.session.add_all([SearchChange(id=late, kind="forum-post", entity="forum_post", entity_id=post_id),
                        SearchChange(id=late + 1, kind="forum-post", entity="forum_post", entity_id=999)])
    db.session.commit()
    catch_up()
    assert keys(app, "grassland", people["member"]) == [f"forum-post:{post_id}"]
    assert status()["waiting_for"] == 0


def status_and_gaps(app) -> list[str]:
    return list(Store(app.config["SEARCH_INDEX_DIR"]).state()["gaps"])


def test_rebuild_swaps_in_a_new_generation_and_keeps_searchers_working(app, categories, people, make_topic):
    make_topic(categories["open"], people["member"], "Flyway atlas", "Maps.")
    root = Path(app.config["SEARCH_INDEX_DIR"])
    first = (root / "CURRENT").read_text()
    assert keys(app, "atlas", people["member"])
    result = rebuild()
    assert result["documents"] == 1 and (root / "CURRENT").read_text() != first
    assert keys(app, "atlas", people["member"])
    assert engine.index_state(str(root)) == "ok"


def test_manual_sections_and_chapter_renames_reach_the_index(app, people):
    from ecommunity.manual import services as manual

    part = manual.create_part("the-convention", {"en": "The Convention"})
    chapter = manual.create_chapter(part, "appendices", {"en": "Appendices"}, {})
    section = manual.create_section(chapter, "appendix-i", "Appendix I", "Endangered migratory species.", None)
    db.session.commit()
    hits = keys(app, "endangered", None)
    assert hits == [f"manual:{section.id}:en"]
    manual.save_version(section, "fr", "Annexe I", "Espèces migratrices menacées d'extinction.", None)
    db.session.commit()
    assert keys(app, "especes menacees", None, "fr") == [f"manual:{section.id}:fr"]
    manual.update_chapter(chapter, part, {"en": "The two appendices"}, {})  # the breadcrumb changes
    db.session.commit()
    from ecommunity.search.services import search

    hit = search("endangered", None, "en").results.hits[0]
    assert hit.context == "The Convention › The two appendices"
    assert hit.url == "/manual/appendices/appendix-i?lang=en"


def test_the_indexer_merge_gathers_every_small_segment(app, categories, people, make_topic):
    make_topic(categories["open"], people["member"], "Flyway atlas", "Maps.")
    root = Store(app.config["SEARCH_INDEX_DIR"])
    for merge in [False] * 8 + [True]:
        with root.writing() as writing:
            writing.apply({}, dict(writing.state), merge=merge)
    assert len(root.open()._segments()) == 1
    assert keys(app, "atlas", people["member"])
