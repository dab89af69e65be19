"""With Redis configured, login limits hold across workers and restarts (shared state)."""

import os
import uuid

import pytest
import redis

from ecommunity import create_app
from tests.conftest import RequestIsolatingClient, login

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


def _worker(app_config, redis_uri, prefix):
    """A fresh app, as another gunicorn worker or host would build it."""
    app = create_app({**app_config, "RATELIMIT_STORAGE_URI": redis_uri, "RATELIMIT_KEY_PREFIX": prefix})
    app.test_client_class = RequestIsolatingClient
    return app


def test_attempts_counted_by_one_worker_limit_the_next(app_config, redis_uri, make_user):
    prefix = f"test-{uuid.uuid4().hex}"
    target = make_user(email="target@example.org")

    first = _worker(app_config, redis_uri, prefix)
    with first.app_context():
        client = first.test_client()
        for _ in range(5):
            assert login(client, target.email, "wrong password").status_code == 400

    keys = redis.Redis.from_url(redis_uri).keys(f"*{prefix}*")
    assert keys, "the attempts should be counted in Redis"

    second = _worker(app_config, redis_uri, prefix)
    with second.app_context():
        response = login(second.test_client(), target.email)
    assert response.status_code == 429
    redis.Redis.from_url(redis_uri).delete(*keys)
