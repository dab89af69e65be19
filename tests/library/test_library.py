"""The training library: uploads checked by content and size, files served safely, access, filters."""

import io
from pathlib import Path
from urllib.parse import quote

import pytest

from ecommunity.accounts.models import Role
from ecommunity.extensions import db
from ecommunity.library import services
from ecommunity.library.demo import seed_library
from ecommunity.library.models import LibraryDocument
from ecommunity.library.services import UploadRefused, check_file
from tests.accounts.conftest import text
from tests.conftest import csrf_token_from
from tests.library.conftest import blank_pdf, pdf_bytes

EXE = b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff\x00\x00" + bytes(range(256)) * 4


def upload(client, filename, content, **fields):
    token = csrf_token_from(client.get("/library/upload").get_data(as_text=True))
    form = {"csrf_token": token, "title": "A document", "kind": "guideline", "language": "en", "instrument": "",
            "topic": "", "year": "2024", "file": (io.BytesIO(content), filename)}
    form.update(fields)
    return client.post("/library/upload", data=form, content_type="multipart/form-data")


@pytest.fixture
def staff(as_role):
    return as_role(Role.SECRETARIAT)


def test_a_pdf_is_stored_outside_static_with_its_text(client, staff, app):
    response = upload(client, "Kit de formation.pdf", pdf_bytes("Les espèces migratrices traversent les frontières."))

    assert response.status_code == 302
    document = db.session.scalar(db.select(LibraryDocument))
    assert "espèces migratrices" in document.text and document.has_text and document.page_count == 1
    assert document.original_filename == "Kit de formation.pdf"
    stored = Path(app.config["LIBRARY_DIR"]) / document.stored_name
    assert stored.is_file() and "static" not in stored.parts
    assert document.stored_name != document.original_filename and document.stored_name.endswith(".pdf")


def test_a_pdf_without_text_is_accepted_with_a_notice(client, staff):
    response = upload(client, "scan.pdf", blank_pdf())

    assert response.status_code == 302
    assert "will not be found by search" in text(client.get(response.headers["Location"]))
    assert not db.session.scalar(db.select(LibraryDocument)).has_text


@pytest.mark.parametrize("filename, content, message", [
    ("fake.pdf", b"This is plain text pretending to be a PDF", "not a PDF document"),
    ("setup.pdf", EXE, "not a PDF document"),
    ("broken.pdf", b"%PDF-1.4\n1 0 obj\n<< garbage", "could not be read"),
    ("notes.txt", "Café".encode("latin-1") + b"\xff\xfe", "not in UTF-8"),
    ("setup.txt", EXE, "UTF-8"),
    ("binary.md", b"text\x00with a NUL", "binary data"),
    ("setup.exe", EXE, "takes PDF"),
    ("empty.pdf", b"", "empty"),
])
def test_uploads_refused_by_content(client, staff, filename, content, message):
    response = upload(client, filename, content)

    assert response.status_code == 400
    assert message in text(response)
    assert 'id="file-error"' in response.get_data(as_text=True)
    assert db.session.scalar(db.select(db.func.count(LibraryDocument.id))) == 0


def test_an_oversized_file_is_refused_beside_the_field(app, client, staff):
    app.config["LIBRARY_MAX_BYTES"] = 1000

    response = upload(client, "big.pdf", pdf_bytes("word " * 400))

    assert response.status_code == 400 and "larger than" in text(response)


def test_a_request_over_the_site_limit_gets_a_friendly_413(app, client, staff):
    token = csrf_token_from(client.get("/library/upload").get_data(as_text=True))
    app.config["MAX_CONTENT_LENGTH"] = 2000

    response = client.post("/library/upload", data={"csrf_token": token, "file": (io.BytesIO(b"%PDF-" + b"x" * 5000),
                                                                                   "big.pdf")},
                           content_type="multipart/form-data")

    assert response.status_code == 413 and "larger than this site accepts" in text(response)


def test_check_file_reads_markdown_and_text():
    assert check_file("notes.md", "# Titre\n\nÉtats de l'aire".encode()).text.startswith("# Titre")
    assert check_file("notes.TXT", "\ufeffBOM first".encode()).text == "BOM first"
    with pytest.raises(UploadRefused):
        check_file("notes.html", b"<p>hi</p>")


def test_pdfs_open_inline_and_text_downloads_as_attachment(client, make_document):
    pdf = make_document()
    note = make_document(filename="notes.md", content=b"# Notes\n")

    response = client.get(f"/library/{pdf.id}/file")
    assert response.status_code == 200 and response.mimetype == "application/pdf"
    assert response.headers["Content-Disposition"].startswith("inline;")
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.data.startswith(b"%PDF-")
    response = client.get(f"/library/{note.id}/file")
    assert response.headers["Content-Disposition"].startswith("attachment;")
    assert response.headers["Content-Type"] == "text/markdown; charset=utf-8"


def test_a_hostile_filename_gives_a_safe_content_disposition(client, make_document):
    hostile = '..\\..\\"evil"; filename=x.html\r\nX-Injected: 1/Café rapport\u202e.md'

    document = make_document(filename=hostile, content=b"text")

    assert "/" not in document.original_filename and "\\" not in document.original_filename
    assert document.original_filename.endswith(".md")
    disposition = client.get(f"/library/{document.id}/file").headers["Content-Disposition"]
    assert disposition.startswith("attachment;")
    assert "\r" not in disposition and "\n" not in disposition
    assert f"filename*=UTF-8''{quote(document.original_filename)}" in disposition
    assert '"evil"' not in disposition


def test_members_only_documents_are_hidden_from_visitors(client, make_document, as_role):
    public = make_document(title="Public kit")
    private = make_document(title="Members kit", members_only=True)

    listing = text(client.get("/library"))
    assert "Public kit" in listing and "Members kit" not in listing
    assert client.get(f"/library/{private.id}/file").status_code == 404
    assert client.get(f"/library/{private.id}").headers["Location"].startswith("/login")
    assert client.get(f"/library/{public.id}/file").status_code == 200

    as_role(Role.MEMBER)
    assert "Members kit" in text(client.get("/library"))
    response = client.get(f"/library/{private.id}/file")
    assert response.status_code == 200 and "private" in response.headers["Cache-Control"]


def test_filters_and_pages(client, make_document):
    for n in range(23):
        make_document(title=f"Guide {n}", kind="guideline" if n % 2 else "cop-document", year=2000 + n % 3,
                      language="fr" if n % 5 == 0 else "en", content=b"text", filename="g.txt")

    first = text(client.get("/library"))
    assert "23 documents" in first and "Page 1 of 2" in first
    guidelines = text(client.get("/library?kind=guideline&year=2001"))
    assert "4 documents" in guidelines
    assert "Guide 1 " in guidelines + " " and "Guide 2 " not in guidelines + " "
    assert "5 documents" in text(client.get("/library?language=fr&kind=unknown&year=abc"))
    assert client.get("/library?page=99").status_code == 200


def test_the_secretariat_edits_and_deletes(client, staff, make_document, app):
    document = make_document()
    document_id = document.id
    stored = Path(app.config["LIBRARY_DIR"]) / document.stored_name
    page = client.get(f"/library/{document.id}/edit").get_data(as_text=True)
    form = {"csrf_token": csrf_token_from(page), "title": "Renamed kit", "kind": "guideline", "language": "fr",
            "instrument": "cms", "topic": "", "year": "", "members_only": "y"}

    assert client.post(f"/library/{document.id}/edit", data=form).status_code == 302
    db.session.expire_all()
    assert (document.title, document.language, document.members_only, document.year) == ("Renamed kit", "fr", True,
                                                                                         None)
    response = client.post(f"/library/{document_id}/delete", data={"csrf_token": form["csrf_token"]})
    assert response.status_code == 302 and not stored.exists()
    assert db.session.get(LibraryDocument, document_id) is None


def test_members_cannot_upload(client, as_role):
    as_role(Role.MEMBER)
    assert client.get("/library/upload").status_code == 403


def test_demo_documents_are_idempotent(app):
    assert seed_library() == 4
    db.session.commit()
    assert seed_library() == 0
    pdf = db.session.scalar(db.select(LibraryDocument).filter_by(content_type="application/pdf"))
    assert "Wings Over Wetlands" in pdf.text
    assert services.orphan_files() == []


def test_search_documents(make_document):
    from ecommunity.library import search

    public = make_document(content=pdf_bytes("Stopover sites along the flyway."), description="Three modules.")
    private = make_document(members_only=True, language="fr", instrument=None)

    documents = {d.key: d for d in search.documents_for([public.id, private.id, 999])}

    first = documents[f"library:{public.id}"]
    assert first.audience == "public" and first.instruments == ("aewa",) and first.topic == "flyways"
    assert first.body.startswith("Three modules.") and "Stopover sites" in first.body
    assert first.url_path == f"/library/{public.id}" and first.extra["library_kind"] == "training-kit"
    assert documents[f"library:{private.id}"].audience == "members"
    assert documents[f"library:{private.id}"].language == "fr"
    assert not documents["library:999"].indexable
    assert list(search.all_ids(batch=1)) == [public.id, private.id]
