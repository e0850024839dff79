"""The web app for patients and clinicians (FastAPI, Jinja2, htmx), and its JSON API.

Build it with :func:`~taperline.web.app.create_app` from a
:class:`~taperline.web.settings.Settings`; ``taperline serve`` runs it with uvicorn.
"""

from taperline.web.app import create_app
from taperline.web.settings import Settings

__all__ = ["Settings", "create_app"]
