"""Roles are groups (coding.roles). Granting or taking one goes through here, so a supervisor or
admin always gets (and, losing the role, loses) the staff flag the Django admin requires."""
from django.contrib.auth.models import Group
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from ..roles import ROLE_LABELS, STAFF_ROLES, staff_sync


def _role_group(role):
    if role not in ROLE_LABELS:
        raise ValidationError(_("Unknown role: %(role)s") % {"role": role})
    return Group.objects.get_or_create(name=role)[0]


@transaction.atomic
def user_role_grant(*, user, role):
    user.groups.add(_role_group(role))
    # Also done by the m2m_changed receiver in coding.roles; repeating it here keeps this
    # function right on its own, and staff_sync changes nothing the second time.
    if role in STAFF_ROLES and staff_sync([user.pk], granted=True):
        user.is_staff = True
    return user


@transaction.atomic
def user_role_revoke(*, user, role):
    user.groups.remove(_role_group(role))
    if role in STAFF_ROLES and staff_sync([user.pk], granted=False):
        user.is_staff = False
    return user
