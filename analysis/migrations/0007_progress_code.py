"""Progress stored as a template and its parameters (jobs.models.Job: progress_code and
progress_params), translated when shown; rows written before keep their English text, and those
whose text is itself a known template get it as their code (issue 20)."""
from django.db import migrations, models

KNOWN = ["done", "cancelled", "loading the panel", "loading the model", "splitting the text"]


def codes_from_messages(apps, schema_editor):
    for name in ['ModelRun', 'SpecFit']:
        model = apps.get_model('analysis', name)
        for message in KNOWN:
            model.objects.filter(progress_message=message, progress_code="").update(progress_code=message)


class Migration(migrations.Migration):

    dependencies = [
        ('analysis', '0006_fan_out'),
    ]

    operations = [
        migrations.AddField(
            model_name='modelrun',
            name='progress_code',
            field=models.CharField(blank=True, max_length=120),
        ),
        migrations.AddField(
            model_name='modelrun',
            name='progress_params',
            field=models.JSONField(blank=True, default=dict),
        ),
        migrations.AddField(
            model_name='specfit',
            name='progress_code',
            field=models.CharField(blank=True, max_length=120),
        ),
        migrations.AddField(
            model_name='specfit',
            name='progress_params',
            field=models.JSONField(blank=True, default=dict),
        ),
        migrations.RunPython(codes_from_messages, migrations.RunPython.noop),
    ]
