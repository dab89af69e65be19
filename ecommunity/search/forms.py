"""The search box: a GET form, so results have shareable addresses and need no CSRF token."""

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import SearchField


class SearchForm(FlaskForm):
    class Meta:
        csrf = False

    # No length limit here: a long text is shortened by the search itself, with a note.
    q = SearchField(_l("Search the manual, library, forums and events"))
