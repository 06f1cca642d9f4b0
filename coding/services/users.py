"""Writes of users' roles: grant and revoke. Services: keyword-only and atomic.

Roles are groups (coding.roles). is_staff follows them through the m2m_changed receiver
coding.roles.staff_follows_roles (connected in CodingConfig.ready()), which also updates the
`user` object passed here: a supervisor or admin always gets, and losing the role loses, the
staff flag the Django admin requires."""
from django.contrib.auth.models import Group
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from ..roles import ROLE_LABELS


def _role_group(role):
    if role not in ROLE_LABELS:
        raise ValidationError(_("Unknown role: %(role)s") % {"role": role})
    return Group.objects.get_or_create(name=role)[0]


@transaction.atomic
def user_role_grant(*, user, role):
    user.groups.add(_role_group(role))
    return user


@transaction.atomic
def user_role_revoke(*, user, role):
    user.groups.remove(_role_group(role))
    return user
