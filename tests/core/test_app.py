"""The factory, settings and site-wide behaviour."""

import pytest

from ecommunity import create_app
from ecommunity.config import DEV_SECRET_KEY, InsecureSettings


@pytest.mark.parametrize("key", ["", DEV_SECRET_KEY, "short"])
def test_production_refuses_to_start_without_a_real_secret_key(monkeypatch, key):
    monkeypatch.setenv("SECRET_KEY", key)
    monkeypatch.delenv("FLASK_DEBUG", raising=False)
    with pytest.raises(InsecureSettings):
        create_app()


def test_production_starts_with_a_real_secret_key(monkeypatch, tmp_path):
    monkeypatch.setenv("SECRET_KEY", "a-long-random-production-key-0123456789")
    monkeypatch.setenv("MAIL_DELIVERY", "command")
    monkeypatch.setenv("DATABASE_URL", f"sqlite:///{tmp_path}/x.sqlite3")
    monkeypatch.delenv("FLASK_DEBUG", raising=False)
    app = create_app()
    assert app.config["SESSION_COOKIE_SECURE"] is True
    assert app.config["SESSION_COOKIE_HTTPONLY"] is True
    assert app.config["SESSION_COOKIE_SAMESITE"] == "Lax"


def test_healthz_reports_database_and_search_index(client):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json == {"status": "ok", "database": "ok", "search_index": "absent"}


def test_every_page_carries_the_security_headers(client):
    response = client.get("/")
    csp = response.headers["Content-Security-Policy"]
    assert "script-src 'self'" in csp and "unsafe-inline" not in csp
    assert "frame-ancestors 'none'" in csp
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["Referrer-Policy"] == "strict-origin-when-cross-origin"


def test_unknown_page_is_a_friendly_404_in_the_readers_language(client):
    response = client.get("/no-such-page", headers={"Accept-Language": "fr"})
    assert response.status_code == 404
    assert "Page introuvable" in response.get_data(as_text=True)


def test_an_unexpected_error_shows_a_friendly_500_page(app, client):
    @app.get("/boom")
    def boom():
        raise RuntimeError("database on fire")

    response = client.get("/boom")
    assert response.status_code == 500
    html = response.get_data(as_text=True)
    assert "Something went wrong" in html
    assert "database on fire" not in html


def test_a_post_without_csrf_token_is_refused_kindly(client):
    response = client.post("/language", data={"language": "fr", "next": "/"})
    assert response.status_code == 400
    assert "This form expired" in response.get_data(as_text=True)
