"""The search page: one box over the manual, the library, the forums and the events."""

from flask import Blueprint, render_template, request
from flask_login import current_user

from ecommunity.search import services
from ecommunity.search.cli import COMMANDS
from ecommunity.search.forms import SearchForm
from ecommunity.search.indexer import indexing_mode, start_background_indexer

bp = Blueprint("search", __name__, cli_group="search")
for _command in COMMANDS:
    bp.cli.add_command(_command)


@bp.before_app_request
def _start_indexer():
    """Start this process's indexer thread with its first request (never in CLI commands)."""
    from flask import current_app

    app = current_app._get_current_object()
    if "search-indexer" not in app.extensions and indexing_mode(app) == "background":
        start_background_indexer(app)


@bp.get("/search")
def search():
    form = SearchForm(request.args)
    filters = services.filters_from(request.args)
    page = request.args.get("page", 1, type=int) or 1
    language = _reader_language()
    found = services.search(form.q.data or "", current_user, language, filters, page)
    return render_template(
        "search/search.html", form=form, found=found, filters=filters, kind_labels=services.KIND_LABELS,
        filter_args={name: list(values) for name, values in filters.items()}, value_label=services.value_label,
    )


def _reader_language() -> str:
    from flask_babel import get_locale

    locale = get_locale()
    return str(locale.language) if locale else "en"
