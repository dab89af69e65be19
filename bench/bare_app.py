"""The ceiling: a bare Flask app under the same gunicorn settings as the site."""

from flask import Flask

app = Flask(__name__)


@app.get("/")
def hello():
    return "<!doctype html><title>bare</title><p>Hello</p>"
