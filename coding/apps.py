from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CodingConfig(AppConfig):
    name = "coding"
    verbose_name = _("Coding")

    def ready(self):
        # Supervisors and admins are staff (the Django admin) however they get the role.
        from .roles import connect_staff_signal

        connect_staff_signal()
