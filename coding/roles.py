"""The three roles are Django groups. Permissions are granted here, once, by a data migration."""
from django.utils.translation import gettext_lazy as _

CODER, SUPERVISOR, ADMIN = "coder", "supervisor", "admin"
# Reference coders (DESTA 2.1, the study) are users in this group; they never log in.
REFERENCE = "reference"
ROLE_LABELS = {CODER: _("coder"), SUPERVISOR: _("supervisor"), ADMIN: _("admin")}

# Model permissions (app_label.codename prefix) each group gets. Supervisors run the Django admin
# for texts and codebooks (e.g. to correct an article split); coders change nothing there.
GROUP_PERMISSIONS = {
    CODER: ["coding.view_agreement", "coding.view_article", "coding.view_chapter", "coding.view_codebook",
            "coding.view_codebookversion", "coding.view_indicator"],
    SUPERVISOR: [f"coding.{action}_{model}" for model in ("agreement", "agreementparty", "chapter", "article")
                 for action in ("view", "add", "change", "delete")]
    + ["coding.view_codebook", "coding.view_codebookversion", "coding.view_indicator"]
    + [f"coding.view_{model}" for model in ("assignment", "coding", "answer", "evidence", "adjudication", "finalvalue")],
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
                for perm in permission_model.objects.filter(content_type__app_label=p.split(".")[0], codename=p.split(".")[1])
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
