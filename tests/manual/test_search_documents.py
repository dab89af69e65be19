"""The manual's search documents: one per section and language, gone where a version is missing."""

from ecommunity.extensions import db
from ecommunity.manual import search, services
from ecommunity.manual.models import ManualChapter, ManualPart


def test_one_document_per_existing_language(manual):
    welcome = services.load_section("first-steps", "welcome")

    documents = {d.key: d for d in search.documents_for([welcome.id, 9999])}

    french = documents[f"manual:{welcome.id}:fr"]
    assert french.indexable and french.language == "fr" and french.title == "Bienvenue"
    assert french.url_path == "/manual/first-steps/welcome?lang=fr"
    assert "Chaque section a une table des matières." in french.body and "<" not in french.body
    assert french.context == "Les bases › Premiers pas" and french.topic == "first-steps"
    assert french.audience == "public"
    assert ("especes-migratrices", "Espèces migratrices") in french.extra["headings"]
    assert not documents[f"manual:{welcome.id}:es"].indexable
    assert not any(documents[f"manual:9999:{lang}"].indexable for lang in ("en", "fr", "es"))


def test_all_ids_and_the_change_mapping(manual):
    ids = list(search.all_ids(batch=2))
    assert len(ids) == 5
    meetings = db.session.scalar(db.select(ManualChapter).filter_by(slug="meetings"))
    assert len(search.sections_of_chapters([meetings.id])) == 3
    practice = db.session.scalar(db.select(ManualPart).filter_by(slug="in-practice"))
    assert sorted(search.sections_of_parts([practice.id])) == sorted(search.sections_of_chapters([meetings.id]))
