"""Re-check on codebook change: a coding carried over to a new codebook version names the one it
came from, and the answers whose indicator's wording changed are flagged for re-checking."""
import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ("coding", "0009_article_number"),
    ]

    operations = [
        migrations.AddField(
            model_name="answer",
            name="recheck",
            field=models.BooleanField(default=False, verbose_name="re-check"),
        ),
        migrations.AddField(
            model_name="historicalanswer",
            name="recheck",
            field=models.BooleanField(default=False, verbose_name="re-check"),
        ),
        migrations.AddField(
            model_name="coding",
            name="carried_from",
            field=models.OneToOneField(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL,
                                       related_name="carried_to", to="coding.coding", verbose_name="carried over from"),
        ),
        migrations.AddField(
            model_name="historicalcoding",
            name="carried_from",
            field=models.ForeignKey(blank=True, db_constraint=False, null=True,
                                    on_delete=django.db.models.deletion.DO_NOTHING, related_name="+",
                                    to="coding.coding", verbose_name="carried over from"),
        ),
    ]
