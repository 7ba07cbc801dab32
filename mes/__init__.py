"""The MES project package: settings, URLs, the Celery app and cross-app code."""

from mes.celery import app as celery_app

__all__ = ["celery_app"]
