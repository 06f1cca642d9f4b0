"""Writes of users: roles granted and revoked, and the reference sources (DESTA 2.1, the study)
that exist as users who never log in. Services: keyword-only and atomic.

Roles are groups (coding.roles). is_staff follows them through the m2m_changed receiver
coding.roles.staff_follows_roles (connected in CodingConfig.ready()), which also updates the
`user` object passed here: a supervisor or admin always gets, and losing the role loses, the
staff flag the Django admin requires."""

from django.contrib.auth import get_user_model
from django.contrib.auth.models import AbstractBaseUser, Group
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from ..roles import REFERENCE, ROLE_LABELS


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


def reference_coder_get_or_create(name: str) -> AbstractBaseUser:
    """A reference source such as "DESTA 2.1" as a user who cannot log in (inactive, no usable
    password) when new; in the reference group either way."""
    User = get_user_model()
    user, created = User.objects.get_or_create(
        username=name[:150], defaults={"first_name": name[:150], "is_active": False}
    )
    if created:
        user.set_unusable_password()
        user.save()
    user.groups.add(Group.objects.get_or_create(name=REFERENCE)[0])
    return user
