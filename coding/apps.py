"""The coding app's configuration: ready() connects the one signal (staff follows roles) and
hands the importers their settings (they import no Django). Nothing else runs at start-up."""

from django.apps import AppConfig
from django.conf import settings
from django.core.signals import setting_changed
from django.utils.translation import gettext_lazy as _


def importer_settings_apply(**kwargs):
    """TEXT_MAX_BYTES -> the plain-text reader's limit; again whenever a test overrides it."""
    from .importers.plaintext import reading

    if kwargs.get("setting", "TEXT_MAX_BYTES") == "TEXT_MAX_BYTES":
        reading.MAX_BYTES = int(
            settings.TEXT_MAX_BYTES
        )  # the default is base.py's; the reader's own only without Django


class CodingConfig(AppConfig):
    name = "coding"
    verbose_name = _("Coding")

    def ready(self):
        # Supervisors and admins are staff (the Django admin) however they get the role.
        from .roles import connect_staff_signal

        connect_staff_signal()
        importer_settings_apply()
        setting_changed.connect(importer_settings_apply, dispatch_uid="coding_importer_settings")
