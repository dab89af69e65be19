"""Friendly error pages in the reader's language."""

from flask import current_app, render_template
from flask_babel import lazy_gettext as _l
from flask_wtf.csrf import CSRFError
from werkzeug.exceptions import HTTPException, InternalServerError

from ecommunity.extensions import db

MESSAGES = {
    400: (_l("Bad request"),
          _l("The request could not be understood. Please check what you entered and try again.")),
    403: (_l("Access denied"), _l("You do not have permission to see this page or do this action.")),
    404: (_l("Page not found"), _l("This page does not exist or was moved.")),
    405: (_l("Method not allowed"), _l("This address does not accept that kind of request.")),
    413: (_l("Too large"), _l("What you sent is larger than this site accepts.")),
    415: (_l("Unsupported request"), _l("This site accepts forms sent from its own pages only.")),
    429: (_l("Too many attempts"),
          _l("You made too many attempts in a short time. Please wait a few minutes and try again.")),
    500: (_l("Something went wrong"),
          _l("An unexpected error happened on our side. It has been logged; please try again later.")),
}


def render_error(code: int, detail: str | None = None):
    title, message = MESSAGES.get(code, MESSAGES[500])
    return render_template("errors/error.html", code=code, title=title, message=detail or message), code


def handle_http_exception(error: HTTPException):
    if error.code is None or error.code < 400:
        return error
    code = error.code if error.code in MESSAGES else (400 if error.code < 500 else 500)
    return render_error(code)


def handle_csrf_error(error: CSRFError):
    return render_error(
        400,
        _l("This form expired or was sent from another site. Please go back, reload the page and try again."),
    )


def handle_unexpected_error(error: Exception):
    current_app.logger.exception("unhandled error", exc_info=error)
    # After a failed statement the session refuses every query until rolled back, and the error
    # page itself reads the member (the header): without this the error page failed too.
    db.session.rollback()
    return render_error(500)


def register_error_handlers(app) -> None:
    app.register_error_handler(CSRFError, handle_csrf_error)
    app.register_error_handler(HTTPException, handle_http_exception)
    app.register_error_handler(InternalServerError, handle_http_exception)
    app.register_error_handler(Exception, handle_unexpected_error)
