"""Entry point for WSGI servers: `gunicorn wsgi:app`."""

from ecommunity import create_app

app = create_app()
