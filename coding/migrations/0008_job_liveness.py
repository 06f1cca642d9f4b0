"""Job liveness: the worker process that runs a job ("host:pid"), its last heartbeat, how many times
a worker started it, how many times the sweeper re-sent its lost task (coding/services/jobs.py).

Written in parallel with 0007_text_versions (both follow 0006_job_fields); depending on both keeps
one leaf, so `migrate` runs without a merge migration."""
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ("coding", "0006_job_fields"),
        ("coding", "0007_text_versions"),
    ]

    operations = [
        migrations.AddField(
            model_name="textimport",
            name="attempts",
            field=models.PositiveSmallIntegerField(default=0, verbose_name="attempts"),
        ),
        migrations.AddField(
            model_name="textimport",
            name="heartbeat_at",
            field=models.DateTimeField(blank=True, null=True, verbose_name="last heartbeat"),
        ),
        migrations.AddField(
            model_name="textimport",
            name="resends",
            field=models.PositiveSmallIntegerField(default=0),
        ),
        migrations.AddField(
            model_name="textimport",
            name="worker",
            field=models.CharField(blank=True, max_length=200, verbose_name="worker"),
        ),
    ]
