"""Library pages: the list with filters, a document, its file; the secretariat's upload, edit and delete.

Public documents are open to everyone; members-only ones are hidden from visitors who are not
logged in (left out of the list, the login page for the document page, 404 for the file).
"""


from flask import Blueprint, abort, current_app, flash, redirect, render_template, request, send_file, url_for
from flask_babel import gettext as _
from flask_login import current_user

from ecommunity.accounts.auth import secretariat_required
from ecommunity.core.paging import requested_page
from ecommunity.extensions import db
from ecommunity.library import services
from ecommunity.library.forms import ConfirmForm, DocumentForm, FilterForm, UploadForm
from ecommunity.library.models import DOCUMENT_KINDS, TOPICS, LibraryDocument
from ecommunity.library.services import LibraryFilters, UploadRefused

bp = Blueprint("library", __name__, url_prefix="/library")


@bp.record_once
def _template_names(state) -> None:
    state.app.jinja_env.globals.update(library_kinds=DOCUMENT_KINDS, library_topics=TOPICS)


def _members() -> bool:
    return current_user.is_authenticated


def load_document(document_id: int) -> LibraryDocument:
    """The document, or 404; a members-only one sends visitors who are not logged in to the login page."""
    document = db.session.get(LibraryDocument, document_id)
    if document is None:
        abort(404)
    if document.members_only and not _members():
        abort(current_app.login_manager.unauthorized())
    return document


@bp.get("")
def index():
    filters = LibraryFilters.from_args(request.args)
    documents = services.list_documents(filters, _members(), requested_page())
    form = FilterForm(services.year_choices(), formdata=None, data={
        name: str(value) for name, value in filters.as_args().items()})
    return render_template("library/index.html", documents=documents, filters=filters, filter_form=form)


@bp.get("/<int:document_id>")
def detail(document_id: int):
    return render_template("library/detail.html", document=load_document(document_id))


@bp.get("/<int:document_id>/file")
def download(document_id: int):
    """The file: inline for PDFs, as an attachment for anything else; 404 for what the reader may not see."""
    document = db.session.get(LibraryDocument, document_id)
    if document is None or (document.members_only and not _members()):
        abort(404)
    path = services.file_path(document.stored_name)
    if path is None or not path.is_file():
        current_app.logger.error("library file missing for document %s", document.id)
        abort(404)
    # Flask adds "; charset=utf-8" to text types: the library only keeps UTF-8 text.
    response = send_file(
        path, mimetype=document.content_type, as_attachment=not document.is_pdf,
        download_name=document.original_filename, conditional=True, etag=document.sha256,
        max_age=0 if document.members_only else 3600,
    )
    response.headers["X-Content-Type-Options"] = "nosniff"
    if document.members_only:
        response.headers["Cache-Control"] = "private, no-cache"
    return response


def _form_page(template: str, form, **context):
    return render_template(template, form=form, **context), 400 if form.errors else 200


@bp.route("/upload", methods=["GET", "POST"])
@secretariat_required
def upload():
    form = UploadForm()
    if form.validate_on_submit():
        upload = form.file.data
        try:
            content = services.read_limited(upload.stream, services.max_bytes())
            document = services.add_document(form.document_data(), upload.filename or "", content,
                                             current_user._get_current_object())
        except UploadRefused as error:
            form.file.errors.append(str(error))
        else:
            db.session.commit()
            if document.has_text:
                flash(_("The document was added to the library."), "success")
            else:
                flash(_("The document was added, but it has no text layer (a scan?): it will not be found by "
                        "search. Upload a PDF with text if you have one."), "info")
            return redirect(url_for("library.detail", document_id=document.id))
    return _form_page("library/upload.html", form, max_mb=f"{services.max_bytes() / 1024 / 1024:g}")


@bp.route("/<int:document_id>/edit", methods=["GET", "POST"])
@secretariat_required
def edit(document_id: int):
    document = load_document(document_id)
    form = DocumentForm(obj=document)
    if request.method == "GET":
        form.instrument.data = document.instrument or ""
        form.topic.data = document.topic or ""
    if form.validate_on_submit():
        services.update_document(document, form.document_data())
        db.session.commit()
        flash(_("The document was saved."), "success")
        return redirect(url_for("library.detail", document_id=document.id))
    return _form_page("library/edit.html", form, document=document)


@bp.post("/<int:document_id>/delete")
@secretariat_required
def delete(document_id: int):
    document = load_document(document_id)
    if not ConfirmForm().validate_on_submit():
        abort(400)
    stored_name = services.delete_document(document)
    db.session.commit()
    services.remove_file(stored_name)
    flash(_("The document was removed from the library."), "success")
    return redirect(url_for("library.index"))
