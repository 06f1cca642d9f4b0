"""The shared web layer as an installed app: only so that Django finds its template tags."""

from django.apps import AppConfig


class WebConfig(AppConfig):
    name = "web"
    verbose_name = "Web"
