"""ecommunity: the capacity-building e-community of the CMS family."""

import logging
import os

from flask import Flask

from ecommunity.config import (
    PROJECT_ROOT,
    Config,
    DevelopmentConfig,
    TestConfig,
    check_production_settings,
    engine_options,
)
from ecommunity.core.input import IdConverter, refuse_unusable_input
from ecommunity.database import begin_transactions_when_needed, end_read_only_transaction
from ecommunity.extensions import babel, csrf, db, limiter, login_manager, migrate


def create_app(config: dict | object | None = None) -> Flask:
    """Build the application. `config` (a dict or settings object) overrides the environment."""
    app = Flask(
        __name__,
        template_folder=str(PROJECT_ROOT / "templates"),
        static_folder=str(PROJECT_ROOT / "static"),
        instance_path=str(PROJECT_ROOT / "instance"),
    )
    app.config.from_object(_base_settings(config))
    if isinstance(config, dict):
        app.config.update(config)
    elif config is not None:
        app.config.from_object(config)
    check_production_settings(app.config)
    os.makedirs(app.instance_path, exist_ok=True)
    app.url_map.converters["int"] = IdConverter  # before any route is added

    register_extensions(app)
    register_blueprints(app)
    register_request_hooks(app)
    register_template_helpers(app)
    register_commands(app)
    from ecommunity.core.errors import register_error_handlers

    register_error_handlers(app)
    if app.config["MAIL_DELIVERY"] == "background":
        from ecommunity.mail.services import start_background_sender

        start_background_sender(app)
    if not app.debug and not app.testing:
        logging.basicConfig(level=logging.INFO)
    return app


def _base_settings(config) -> Config:
    if isinstance(config, dict) and config.get("TESTING"):
        return TestConfig()
    if isinstance(config, TestConfig):
        return config
    if os.environ.get("FLASK_DEBUG", "").lower() in {"1", "true"}:
        return DevelopmentConfig()
    return Config()


def register_extensions(app: Flask) -> None:
    import ecommunity.models  # noqa: F401 - the whole schema, for Flask-Migrate
    from ecommunity.core.i18n import (
        CatalogueCachingRequest,
        install_template_gettext,
        select_locale,
        select_timezone,
    )

    app.config["SQLALCHEMY_ENGINE_OPTIONS"] = engine_options(
        app.config["SQLALCHEMY_DATABASE_URI"], app.config.get("SQLALCHEMY_ENGINE_OPTIONS", {}))
    db.init_app(app)
    if app.config["SQLALCHEMY_ENGINE_OPTIONS"].get("isolation_level") == "AUTOCOMMIT":
        with app.app_context():
            begin_transactions_when_needed(db.engine)
    migrate.init_app(app, db, directory=str(PROJECT_ROOT / "migrations"))
    login_manager.init_app(app)
    csrf.init_app(app)
    babel.init_app(app, locale_selector=select_locale, timezone_selector=select_timezone)
    install_template_gettext(app)
    app.request_class = CatalogueCachingRequest
    limiter.init_app(app)


def register_blueprints(app: Flask) -> None:
    from ecommunity.accounts.views import bp as accounts_bp
    from ecommunity.core.views import bp as core_bp
    from ecommunity.evaluations.views import bp as evaluations_bp
    from ecommunity.events.views import bp as events_bp
    from ecommunity.forums.views import bp as forums_bp
    from ecommunity.library.views import bp as library_bp
    from ecommunity.manual.views import bp as manual_bp
    from ecommunity.search.views import bp as search_bp
    from ecommunity.workshops.views import bp as workshops_bp

    for blueprint in (core_bp, accounts_bp, forums_bp, events_bp, workshops_bp, evaluations_bp, manual_bp,
                      library_bp, search_bp):
        app.register_blueprint(blueprint)


def register_request_hooks(app: Flask) -> None:
    from ecommunity.core.security import set_security_headers

    app.before_request(refuse_unusable_input)
    app.after_request(set_security_headers)

    @app.teardown_request
    def commit_read_only_request(error):
        if error is None and db.session.registry.has():
            end_read_only_transaction(db.session())


def register_template_helpers(app: Flask) -> None:
    from ecommunity.core import templating

    templating.init_app(app)


def register_commands(app: Flask) -> None:
    from ecommunity.cli import register

    register(app)
