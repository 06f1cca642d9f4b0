# Numbered 0005, the next free number; it depends on the leaf of the analysis migrations when
# written, 0003_job_liveness (which itself follows 0004_sensitivity).

from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('analysis', '0003_job_liveness'),
    ]

    operations = [
        # Existing releases get NULL: they were made before releases kept their evidence, and a
        # release never changes, so none is filled in afterwards.
        migrations.AddField(
            model_name='datasetrelease',
            name='evidence',
            field=models.JSONField(blank=True, editable=False, null=True, verbose_name='evidence'),
        ),
    ]
