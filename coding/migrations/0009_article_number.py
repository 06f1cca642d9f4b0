"""Articles keep the treaty's own number ("4.3" from ToTA's "ARTICLE 4.3") beside the stable
identifier. Existing texts get theirs when their ToTA file is imported again (same text, same
version: see services/texts.py)."""
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ("coding", "0008_job_liveness"),
    ]

    operations = [
        migrations.AddField(
            model_name="article",
            name="number",
            field=models.CharField(blank=True, max_length=40, verbose_name="article number"),
        ),
    ]
