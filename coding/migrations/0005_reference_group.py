from django.db import migrations

from coding.roles import sync_groups_in_migration


class Migration(migrations.Migration):
    """Grant the coding workflow's permissions and create the reference group."""

    dependencies = [("coding", "0004_double_coding")]
    operations = [migrations.RunPython(sync_groups_in_migration, migrations.RunPython.noop)]
