"""WSGI entry point: ``gunicorn -k gevent wsgi:app``."""

from bff.app import create_app

app = create_app()
