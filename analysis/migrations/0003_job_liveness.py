"""Job liveness: the worker process that runs a job ("host:pid"), its last heartbeat, how many times
a worker started it, how many times the sweeper re-sent its lost task (coding/services/jobs.py).

The model run inherits these fields from coding.models.jobs.Job (coding 0008_job_liveness).
Written in parallel with 0004_sensitivity (both follow 0002_panels_runs); depending on both keeps
one leaf, so `migrate` runs without a merge migration."""
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ("analysis", "0002_panels_runs"),
        ("analysis", "0004_sensitivity"),
    ]

    operations = [
        migrations.AddField(
            model_name="modelrun",
            name="attempts",
            field=models.PositiveSmallIntegerField(default=0, verbose_name="attempts"),
        ),
        migrations.AddField(
            model_name="modelrun",
            name="heartbeat_at",
            field=models.DateTimeField(blank=True, null=True, verbose_name="last heartbeat"),
        ),
        migrations.AddField(
            model_name="modelrun",
            name="resends",
            field=models.PositiveSmallIntegerField(default=0),
        ),
        migrations.AddField(
            model_name="modelrun",
            name="worker",
            field=models.CharField(blank=True, max_length=200, verbose_name="worker"),
        ),
    ]
