"""Supervisors and admins are staff (the Django admin lets only staff in), however they get the
role: user_role_grant, or a group added on the user's or the group's admin page."""

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.db.models.signals import m2m_changed
from django.urls import reverse

from coding.roles import CODER, SUPERVISOR, connect_staff_signal
from coding.services.users import user_role_grant, user_role_revoke
from tests.factories import UserFactory

UID = "coding.roles.staff_follows_roles"


@pytest.fixture
def staff_signal():
    """The receiver as CodingConfig.ready() connects it; disconnected again only if it was not
    connected before (so a connection made by the app stays)."""
    was_connected = any(key[0] == UID for key, *_ in m2m_changed.receivers)
    connect_staff_signal()
    yield
    if not was_connected:
        m2m_changed.disconnect(sender=get_user_model().groups.through, dispatch_uid=UID)


def fresh(user):
    return get_user_model().objects.get(pk=user.pk)


@pytest.mark.django_db
def test_granting_the_supervisor_role_opens_the_django_admin(client):
    user = UserFactory(username="new_boss", role=CODER)
    assert not user.is_staff

    user_role_grant(user=user, role=SUPERVISOR)

    assert user.is_staff and fresh(user).is_staff
    client.force_login(user)
    assert client.get(reverse("admin:index")).status_code == 200

    user_role_revoke(user=user, role=SUPERVISOR)
    assert not user.is_staff and not fresh(user).is_staff


@pytest.mark.django_db
def test_group_added_in_the_admin_sets_staff_and_removing_it_clears_it(staff_signal):
    user = UserFactory(username="promoted", role=CODER)
    supervisors, admins = Group.objects.get(name=SUPERVISOR), Group.objects.get(name="admin")

    # user page: the groups field is saved with set()
    user.groups.set([Group.objects.get(name=CODER), supervisors])
    assert fresh(user).is_staff and user.is_staff
    user.groups.add(admins)
    user.groups.remove(supervisors)
    assert fresh(user).is_staff  # still an admin
    user.groups.set([Group.objects.get(name=CODER)])
    assert not fresh(user).is_staff

    # group side (reverse relation), and clear()
    supervisors.user_set.add(user)
    assert fresh(user).is_staff
    supervisors.user_set.remove(user)
    assert not fresh(user).is_staff
    user.groups.add(supervisors)
    user.groups.clear()
    assert not fresh(user).is_staff
    user.groups.add(supervisors)
    supervisors.user_set.clear()
    assert not fresh(user).is_staff

    # other groups leave staff alone; superusers stay staff
    coder_only = UserFactory(username="staff_by_hand", role=CODER)
    get_user_model().objects.filter(pk=coder_only.pk).update(is_staff=True)
    coder_only.groups.remove(Group.objects.get(name=CODER))
    assert fresh(coder_only).is_staff
    root = UserFactory(username="root", role="admin")
    root.groups.clear()
    assert fresh(root).is_staff


@pytest.mark.django_db
def test_demo_supervisor_is_staff_even_if_the_user_existed():
    from config.demo import demo_users_create

    UserFactory(username="supervisor")
    demo_users_create()
    assert fresh(get_user_model().objects.get(username="supervisor")).is_staff
    assert not get_user_model().objects.get(username="coder_a").is_staff
