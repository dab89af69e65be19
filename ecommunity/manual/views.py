"""Manual pages: the contents, chapters, sections and a chapter's print view; the secretariat's editing.

Reading is public: the manual is the community's training resource and carries nothing
confidential (who edited what is shown to the secretariat only). The language of a version is
the reader's interface language, or `?lang=` (kept in the manual's links once chosen).
"""

from babel import Locale
from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import get_locale
from flask_babel import gettext as _
from flask_login import current_user
from wtforms.fields.choices import SelectChoice

from ecommunity.accounts.auth import secretariat_required
from ecommunity.core.i18n import LANGUAGE_NAMES
from ecommunity.extensions import db
from ecommunity.forums.services import topics_linking_to
from ecommunity.manual import services
from ecommunity.manual.forms import ChapterForm, ConfirmForm, MoveForm, PartForm, SectionForm, VersionForm
from ecommunity.manual.models import (
    LANGUAGES,
    ManualChapter,
    ManualPart,
    ManualSection,
    SectionRevision,
    SectionVersion,
)
from ecommunity.manual.services import EditConflict, ManualError

bp = Blueprint("manual", __name__, url_prefix="/manual")
LANGUAGE_CONVERTER = "any(en, fr, es)"


@bp.app_template_global("language_label")
def language_label(code: str) -> str:
    """A language's name in the reader's language ("Spanish", "espagnol")."""
    return Locale.parse(code).get_language_name(str(get_locale() or "en"))


def _interface_language() -> str:
    from ecommunity.core.templating import template_globals

    return template_globals()["current_language"]


def reading_language() -> str:
    """`?lang=` when given and known, else the interface language."""
    asked = request.args.get("lang")
    return asked if asked in LANGUAGES else _interface_language()


def lang_args() -> dict:
    """The `lang` argument to keep in the manual's links: only when the reader chose one."""
    asked = request.args.get("lang")
    return {"lang": asked} if asked in LANGUAGES and asked != _interface_language() else {}


def _form_page(template: str, form, **context):
    return render_template(template, form=form, **context), 400 if form.errors else 200


def _me():
    return current_user._get_current_object()


# --- loaders: one per resource, 404 when it does not exist -----------------------------------


def load_chapter(chapter_slug: str) -> ManualChapter:
    chapter = services.load_chapter(chapter_slug)
    if chapter is None:
        abort(404)
    return chapter


def load_section(chapter_slug: str, section_slug: str) -> ManualSection:
    section = services.load_section(chapter_slug, section_slug)
    if section is None:
        abort(404)
    return section


def _get(model, object_id: int):
    found = db.session.get(model, object_id)
    if found is None:
        abort(404)
    return found


# --- reading -------------------------------------------------------------------------------


@bp.get("")
def index():
    language = reading_language()
    return render_template("manual/index.html", outline=services.outline(language), language=language,
                           lang_args=lang_args())


@bp.get("/<chapter_slug>")
def chapter(chapter_slug: str):
    chapter = load_chapter(chapter_slug)
    language = reading_language()
    sections = services.outline(language, [chapter.id])[0].chapters[0].sections
    return render_template("manual/chapter.html", chapter=chapter, sections=sections, language=language,
                           lang_args=lang_args())


@bp.get("/<chapter_slug>/print")
def chapter_print(chapter_slug: str):
    chapter = load_chapter(chapter_slug)
    language = reading_language()
    return render_template("manual/chapter_print.html", chapter=chapter, language=language,
                           printed=services.chapter_for_print(chapter, language), lang_args=lang_args())


@bp.get("/<chapter_slug>/<section_slug>")
def section(chapter_slug: str, section_slug: str):
    section = load_section(chapter_slug, section_slug)
    page = services.section_page(section, reading_language())
    viewer = _me() if current_user.is_authenticated else None
    return render_template(
        "manual/section.html", page=page, language=page.requested, lang_args=lang_args(),
        language_names=LANGUAGE_NAMES, linked_topics=topics_linking_to("manual", section.ref, viewer),
    )


# --- the secretariat's editing ----------------------------------------------------------------


@bp.get("/manage")
@secretariat_required
def manage():
    return render_template("manual/manage.html", outline=services.outline(_interface_language()))


def _move(item, endpoint_anchor: str):
    form = MoveForm()
    if not form.validate_on_submit():
        abort(400)
    if services.move(item, form.direction.data):
        db.session.commit()
    return redirect(url_for("manual.manage") + f"#{endpoint_anchor}")


@bp.route("/manage/parts/new", methods=["GET", "POST"])
@secretariat_required
def part_new():
    form = PartForm()
    if form.validate_on_submit():
        try:
            part = services.create_part(form.slug.data, form.titles())
        except ManualError as error:
            getattr(form, error.field).errors.append(str(error))
        else:
            db.session.commit()
            flash(_("The part was added."), "success")
            return redirect(url_for("manual.manage") + f"#part-{part.id}")
    return _form_page("manual/part_form.html", form, part=None)


@bp.route("/manage/parts/<int:part_id>", methods=["GET", "POST"])
@secretariat_required
def part_edit(part_id: int):
    part = _get(ManualPart, part_id)
    form = PartForm(obj=part)
    form.slug.data = part.slug  # fixed once created
    if form.validate_on_submit():
        services.update_part(part, form.titles())
        db.session.commit()
        flash(_("The part was saved."), "success")
        return redirect(url_for("manual.manage") + f"#part-{part.id}")
    return _form_page("manual/part_form.html", form, part=part)


@bp.post("/manage/parts/<int:part_id>/move")
@secretariat_required
def part_move(part_id: int):
    return _move(_get(ManualPart, part_id), f"part-{part_id}")


def _part_choices(form: ChapterForm) -> None:
    form.part.choices = [SelectChoice(p.id, p.title_en) for p in db.session.scalars(
        db.select(ManualPart).order_by(ManualPart.position, ManualPart.id))]


@bp.route("/manage/chapters/new", methods=["GET", "POST"])
@secretariat_required
def chapter_new():
    form = ChapterForm()
    _part_choices(form)
    if not form.part.choices:
        flash(_("Add a part first: every chapter belongs to a part."), "info")
        return redirect(url_for("manual.part_new"))
    if request.method == "GET" and request.args.get("part", type=int):
        form.part.data = request.args.get("part", type=int)
    if form.validate_on_submit():
        try:
            chapter = services.create_chapter(db.session.get(ManualPart, form.part.data), form.slug.data,
                                              form.titles(), form.summaries())
        except ManualError as error:
            getattr(form, error.field).errors.append(str(error))
        else:
            db.session.commit()
            flash(_("The chapter was added."), "success")
            return redirect(url_for("manual.manage") + f"#chapter-{chapter.id}")
    return _form_page("manual/chapter_form.html", form, chapter=None)


@bp.route("/manage/chapters/<int:chapter_id>", methods=["GET", "POST"])
@secretariat_required
def chapter_edit(chapter_id: int):
    chapter = _get(ManualChapter, chapter_id)
    form = ChapterForm(obj=chapter)
    _part_choices(form)
    if request.method == "GET":
        form.part.data = chapter.part_id
    form.slug.data = chapter.slug
    if form.validate_on_submit():
        services.update_chapter(chapter, db.session.get(ManualPart, form.part.data), form.titles(),
                                form.summaries())
        db.session.commit()
        flash(_("The chapter was saved."), "success")
        return redirect(url_for("manual.manage") + f"#chapter-{chapter.id}")
    return _form_page("manual/chapter_form.html", form, chapter=chapter)


@bp.post("/manage/chapters/<int:chapter_id>/move")
@secretariat_required
def chapter_move(chapter_id: int):
    return _move(_get(ManualChapter, chapter_id), f"chapter-{chapter_id}")


@bp.route("/manage/chapters/<int:chapter_id>/sections/new", methods=["GET", "POST"])
@secretariat_required
def section_new(chapter_id: int):
    chapter = _get(ManualChapter, chapter_id)
    form = SectionForm()
    if form.validate_on_submit():
        try:
            section = services.create_section(chapter, form.slug.data, form.title.data, form.body.data, _me(),
                                              note=form.note.data or "")
        except ManualError as error:
            getattr(form, error.field).errors.append(str(error))
        else:
            db.session.commit()
            flash(_("The section was added."), "success")
            return redirect(url_for("manual.section", chapter_slug=chapter.slug, section_slug=section.slug))
    return _form_page("manual/section_form.html", form, chapter=chapter)


@bp.post("/manage/sections/<int:section_id>/move")
@secretariat_required
def section_move(section_id: int):
    return _move(_get(ManualSection, section_id), f"section-{section_id}")


def _version(section: ManualSection, language: str) -> SectionVersion | None:
    return db.session.scalar(db.select(SectionVersion).where(
        SectionVersion.section_id == section.id, SectionVersion.language == language))


@bp.route(f"/manage/sections/<int:section_id>/<{LANGUAGE_CONVERTER}:language>", methods=["GET", "POST"])
@secretariat_required
def version_edit(section_id: int, language: str):
    """Edit a section in one language, or write its first translation."""
    section = _get(ManualSection, section_id)
    version = _version(section, language)
    english = version if language == "en" else _version(section, "en")
    form = VersionForm(obj=version)
    if request.method == "GET":
        form.note.data = ""
        form.base_revision.data = str(version.revision_count if version else 0)
    status = None
    if form.validate_on_submit():
        base = int(form.base_revision.data) if form.base_revision.data else None
        try:
            services.save_version(section, language, form.title.data, form.body.data, _me(),
                                  note=form.note.data or "", expected_revision=base)
        except EditConflict as error:
            db.session.rollback()
            form.body.errors.append(str(error))
            latest = _version(section, language)
            form.base_revision.data = str(latest.revision_count if latest else 0)  # saving again is a choice
            version, status = latest, 409
        else:
            db.session.commit()
            flash(_("The section was saved."), "success")
            return redirect(url_for("manual.section", chapter_slug=section.chapter.slug, section_slug=section.slug,
                                    lang=language))
    page, code = _form_page("manual/version_form.html", form, section=section, language=language, version=version,
                            english=english, language_names=LANGUAGE_NAMES)
    return page, status or code


@bp.get(f"/manage/sections/<int:section_id>/<{LANGUAGE_CONVERTER}:language>/history")
@secretariat_required
def history(section_id: int, language: str):
    section = _get(ManualSection, section_id)
    revisions = services.revisions_of(section, language)
    if not revisions:
        abort(404)
    return render_template("manual/history.html", section=section, language=language, revisions=revisions,
                           language_names=LANGUAGE_NAMES)


@bp.get("/manage/revisions/<int:revision_id>")
@secretariat_required
def revision(revision_id: int):
    revision = _get(SectionRevision, revision_id)
    version = _version(revision.section, revision.language)
    return render_template(
        "manual/revision.html", revision=revision, section=revision.section,
        diff=services.diff(services.previous_revision(revision), revision),
        is_current=version is not None and version.revision_count == revision.number,
        form=ConfirmForm(), language_names=LANGUAGE_NAMES,
    )


@bp.post("/manage/revisions/<int:revision_id>/restore")
@secretariat_required
def revision_restore(revision_id: int):
    revision = _get(SectionRevision, revision_id)
    if not ConfirmForm().validate_on_submit():
        abort(400)
    try:
        services.restore_revision(revision, _me())
    except EditConflict:
        db.session.rollback()
        flash(_("Someone else saved this section at the same moment. Check the history and try again."), "error")
    else:
        db.session.commit()
        flash(_("Revision %(number)s was restored as a new revision.", number=revision.number), "success")
    return redirect(url_for("manual.history", section_id=revision.section_id, language=revision.language))
