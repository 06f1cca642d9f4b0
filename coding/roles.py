"""The three roles are Django groups. Permissions are granted here, once, by a data migration."""

from django.utils.translation import gettext_lazy as _

CODER, SUPERVISOR, ADMIN = "coder", "supervisor", "admin"
# Reference coders (DESTA 2.1, the study) are users in this group; they never log in.
REFERENCE = "reference"
ROLE_LABELS = {CODER: _("coder"), SUPERVISOR: _("supervisor"), ADMIN: _("admin")}

# Model permissions (app_label.codename prefix) each group gets. Supervisors run the Django admin
# for texts and codebooks (e.g. to correct an article split); coders change nothing there.
GROUP_PERMISSIONS = {
    CODER: [
        "coding.view_agreement",
        "coding.view_article",
        "coding.view_chapter",
        "coding.view_textversion",
        "coding.view_codebook",
        "coding.view_codebookversion",
        "coding.view_indicator",
    ],
    SUPERVISOR: [
        f"coding.{action}_{model}"
        for model in ("agreement", "agreementparty", "chapter", "article")
        for action in ("view", "add", "change", "delete")
    ]
    # Text versions are read-only: a new text is imported, never edited into an old version.
    + ["coding.view_textversion"]
    + ["coding.view_codebook", "coding.view_codebookversion", "coding.view_indicator"]
    + [
        f"coding.view_{model}" for model in ("assignment", "coding", "answer", "evidence", "adjudication", "finalvalue")
    ],
}


def user_role(user):
    """The strongest role a user has, or None."""
    if not user.is_authenticated:
        return None
    if user.is_superuser:
        return ADMIN
    names = {g.name for g in user.groups.all()}
    for role in (ADMIN, SUPERVISOR, CODER):
        if role in names:
            return role
    return None


def is_supervisor(user):
    return user_role(user) in {SUPERVISOR, ADMIN}


def sync_groups(group_model, permission_model):
    """Create the groups and give them exactly their permissions (idempotent)."""
    group_model.objects.get_or_create(name=REFERENCE)
    for name in (CODER, SUPERVISOR, ADMIN):
        group, _ = group_model.objects.get_or_create(name=name)
        wanted = GROUP_PERMISSIONS.get(name)
        if wanted is None:  # admin: every permission of the two apps
            perms = permission_model.objects.filter(content_type__app_label__in=["coding", "analysis"])
        else:
            # Filter, not get: an early migration runs this before later models exist; the
            # last migration that calls it grants the rest.
            perms = [
                perm
                for p in wanted
                for perm in permission_model.objects.filter(
                    content_type__app_label=p.split(".")[0], codename=p.split(".")[1]
                )
            ]
        group.permissions.set(perms)


def sync_groups_in_migration(apps, schema_editor):
    """RunPython body for migrations: permissions are normally created after all migrations, so
    create them first, then give the groups theirs."""
    from django.contrib.auth.management import create_permissions

    for app_config in apps.get_app_configs():
        app_config.models_module = True
        create_permissions(app_config, apps=apps, verbosity=0)
        app_config.models_module = None
    sync_groups(apps.get_model("auth", "Group"), apps.get_model("auth", "Permission"))


# Supervisors and admins work in the Django admin, which only lets staff in. Roles are groups,
# granted in the admin (user or group page) or by user_role_grant, so is_staff follows the
# groups here: gaining a staff role sets it; losing the last one clears it (superusers keep it).
STAFF_ROLES = {SUPERVISOR, ADMIN}


def staff_sync(user_ids, *, granted):
    """After a staff role was granted to (`granted`) or taken from these users, make is_staff
    follow. Returns the ids changed. update(): no save signals, and auth.User keeps no history."""
    from django.contrib.auth import get_user_model

    users = get_user_model().objects.filter(pk__in=list(user_ids))
    if granted:
        users = users.filter(is_staff=False)
    else:
        users = users.filter(is_staff=True, is_superuser=False).exclude(groups__name__in=STAFF_ROLES)
    changed = list(users.values_list("pk", flat=True))
    if changed:
        get_user_model().objects.filter(pk__in=changed).update(is_staff=granted)
    return changed


def staff_follows_roles(sender, instance, action, reverse, model, pk_set, **kwargs):
    """m2m_changed receiver for User.groups (connect with sender=User.groups.through).
    Forward (user.groups.add(group)): instance is the user, pk_set group ids. Reverse
    (group.user_set.add(user)): instance is the group, pk_set user ids."""
    if action in {"post_add", "post_remove"}:
        if reverse:
            if instance.name not in STAFF_ROLES:
                return
            user_ids = pk_set
        else:
            if not model.objects.filter(pk__in=pk_set, name__in=STAFF_ROLES).exists():
                return
            user_ids = [instance.pk]
    elif action == "pre_clear":
        # After the clear it is too late to see which users held the role: note them now.
        if reverse:
            instance._staff_role_users = (
                list(instance.user_set.values_list("pk", flat=True)) if instance.name in STAFF_ROLES else []
            )
        else:
            instance._staff_role_users = [instance.pk] if instance.groups.filter(name__in=STAFF_ROLES).exists() else []
        return
    elif action == "post_clear":
        user_ids = getattr(instance, "_staff_role_users", [])
    else:
        return
    granted = action == "post_add"
    changed = staff_sync(user_ids, granted=granted)
    if not reverse and instance.pk in changed:
        instance.is_staff = granted  # keep the caller's object in step with the row


def connect_staff_signal():
    """Called from CodingConfig.ready(); the dispatch_uid makes connecting twice harmless."""
    from django.contrib.auth import get_user_model
    from django.db.models.signals import m2m_changed

    m2m_changed.connect(
        staff_follows_roles, sender=get_user_model().groups.through, dispatch_uid="coding.roles.staff_follows_roles"
    )
