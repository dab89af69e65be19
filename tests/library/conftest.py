"""Helpers for the library tests: files in a temporary LIBRARY_DIR, documents through the services."""

import io

import pytest

from ecommunity.accounts.models import Role
from ecommunity.extensions import db
from ecommunity.library.demo import simple_pdf
from ecommunity.library.services import DocumentData, add_document
from tests.accounts.conftest import sign_in


@pytest.fixture
def app_config(app_config, tmp_path):
    return {**app_config, "LIBRARY_DIR": str(tmp_path / "library")}


def pdf_bytes(*paragraphs: str) -> bytes:
    return simple_pdf("A test document", list(paragraphs) or ["Migratory species cross borders."])


def blank_pdf() -> bytes:
    """A PDF with one empty page: no text layer, like a scan."""
    from pypdf import PdfWriter

    writer = PdfWriter()
    writer.add_blank_page(width=595, height=842)
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def data(**changes) -> DocumentData:
    values = {"title": "Flyways Training Kit", "language": "en", "kind": "training-kit", "instrument": "aewa",
              "topic": "flyways", "year": 2010}
    values.update(changes)
    return DocumentData(**values)


@pytest.fixture
def make_document(app):
    """Add and commit a document through the services (a small PDF unless told otherwise)."""

    def make(filename="kit.pdf", content=None, **changes):
        document = add_document(data(**changes), filename, content if content is not None else pdf_bytes(), None)
        db.session.commit()
        return document

    return make


@pytest.fixture
def as_role(client, make_user):
    def sign(role):
        if role is None:
            return None
        user = make_user(role=Role(role))
        sign_in(client, user)
        return user

    return sign
