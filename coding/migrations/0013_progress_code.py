"""Progress stored as a template and its parameters (jobs.models.Job: progress_code and
progress_params), translated when shown; rows written before keep their English text, and those
whose text is itself a known template get it as their code (issue 20)."""
from django.db import migrations, models

KNOWN = ["done", "cancelled", "loading the panel", "loading the model", "splitting the text"]


def codes_from_messages(apps, schema_editor):
    for name in ['TextImport', 'PrecodeJob']:
        model = apps.get_model('coding', name)
        for message in KNOWN:
            model.objects.filter(progress_message=message, progress_code="").update(progress_code=message)


class Migration(migrations.Migration):

    dependencies = [
        ('coding', '0012_first_answers'),
    ]

    operations = [
        migrations.AddField(
            model_name='precodejob',
            name='progress_code',
            field=models.CharField(blank=True, max_length=120),
        ),
        migrations.AddField(
            model_name='precodejob',
            name='progress_params',
            field=models.JSONField(blank=True, default=dict),
        ),
        migrations.AddField(
            model_name='textimport',
            name='progress_code',
            field=models.CharField(blank=True, max_length=120),
        ),
        migrations.AddField(
            model_name='textimport',
            name='progress_params',
            field=models.JSONField(blank=True, default=dict),
        ),
        migrations.RunPython(codes_from_messages, migrations.RunPython.noop),
    ]
