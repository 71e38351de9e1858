"""The WSGI entry point for a production server: `gunicorn dashboard.wsgi:app`."""

from dashboard.app import create_app

app = create_app()
