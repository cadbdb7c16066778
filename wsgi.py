"""The WSGI entry point: `gunicorn wsgi:app`."""
from screening import create_app

app = create_app()
