"""The jobs app: abstract models only (every concrete job table lives in the app that owns the
work), so it has no migrations and nothing runs at start-up."""

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class JobsConfig(AppConfig):
    name = "jobs"
    verbose_name = _("Jobs")
