"""With Redis configured, login limits hold across workers and restarts (shared state)."""

import os
import uuid

import pytest
import redis

from ecommunity import create_app
from tests.conftest import PASSWORD, RequestIsolatingClient, submit

REDIS_URL = os.environ.get("REDIS_URL", "redis://127.0.0.1:6379/15")


@pytest.fixture
def redis_uri():
    try:
        redis.Redis.from_url(REDIS_URL, socket_connect_timeout=1).ping()
    except redis.exceptions.ConnectionError:
        if os.environ.get("CI"):
            pytest.fail(f"Redis is not reachable at {REDIS_URL} in CI")
        pytest.skip(f"Redis is not reachable at {REDIS_URL}")
    return REDIS_URL


def _worker(app_config, redis_uri):
    """A fresh app, as another gunicorn worker or host would build it."""
    app = create_app({**app_config, "RATELIMIT_STORAGE_URI": redis_uri})
    app.test_client_class = RequestIsolatingClient
    return app


def _login(client, email, password, environ):
    return submit(client, "/login", {"email": email, "password": password}, environ_base=environ)


def test_attempts_counted_by_one_worker_limit_the_next(app_config, redis_uri, make_user):
    # Unique account and address, so counts left in Redis by earlier runs cannot interfere.
    run = uuid.uuid4().hex[:12]
    target = make_user(email=f"target-{run}@example.org")
    address = {"REMOTE_ADDR": f"198.51.100.{uuid.uuid4().int % 250 + 1}"}

    first = _worker(app_config, redis_uri)
    with first.app_context():
        client = first.test_client()
        for _ in range(5):
            assert _login(client, target.email, "wrong password", address).status_code == 400

    keys = redis.Redis.from_url(redis_uri).keys(f"*{run}*")
    assert keys, "the attempts should be counted in Redis"

    second = _worker(app_config, redis_uri)
    with second.app_context():
        response = _login(second.test_client(), target.email, PASSWORD, address)
    assert response.status_code == 429
    redis.Redis.from_url(redis_uri).delete(*keys)
