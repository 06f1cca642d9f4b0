"""Treaty texts become versions: TextVersion; chapters and articles belong to a version; the
agreement points at its current text; codings record the text version they were made on.

Data: every agreement's existing chapters and articles become its text version 1 (carrying the
old text hash, so re-importing the same file stays a no-op), and every coding of it is bound to
that version. Supervisors (and coders) get view permission on text versions."""
import django.db.models.deletion
import django.utils.timezone
from django.conf import settings
from django.db import migrations, models

from coding.roles import sync_groups_in_migration


def texts_become_version_1(apps, schema_editor):
    Agreement = apps.get_model("coding", "Agreement")
    TextVersion = apps.get_model("coding", "TextVersion")
    Chapter = apps.get_model("coding", "Chapter")
    Article = apps.get_model("coding", "Article")
    Coding = apps.get_model("coding", "Coding")
    with_text = set(Chapter.objects.values_list("agreement_id", flat=True).distinct())
    for agreement in Agreement.objects.filter(pk__in=with_text).only("pk", "text_hash", "updated_at"):
        version = TextVersion.objects.create(
            agreement=agreement, number=1, text_hash=agreement.text_hash, created_at=agreement.updated_at,
            note="the text imported before text versions were kept",
        )
        Chapter.objects.filter(agreement=agreement).update(version=version)
        Article.objects.filter(agreement=agreement).update(version=version)
        Agreement.objects.filter(pk=agreement.pk).update(current_text=version)
        Coding.objects.filter(agreement=agreement).update(text_version=version)
    if schema_editor.connection.vendor == "postgresql":
        # Fire the deferred foreign-key checks now: PostgreSQL refuses to ALTER a table (the
        # NOT NULL below) that still has pending trigger events from these updates.
        schema_editor.execute("SET CONSTRAINTS ALL IMMEDIATE")


def back_to_one_text(apps, schema_editor):
    """Reverse: keep each agreement's current text only (the old schema holds one text)."""
    Agreement = apps.get_model("coding", "Agreement")
    Chapter = apps.get_model("coding", "Chapter")
    for agreement in Agreement.objects.exclude(current_text=None).select_related("current_text"):
        Chapter.objects.filter(agreement=agreement).exclude(version=agreement.current_text).delete()
        Agreement.objects.filter(pk=agreement.pk).update(text_hash=agreement.current_text.text_hash)
    Chapter.objects.filter(agreement__current_text=None).delete()
    # The columns and the text version table are dropped by the reversed schema operations.
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute("SET CONSTRAINTS ALL IMMEDIATE")


class Migration(migrations.Migration):

    dependencies = [
        ("coding", "0006_job_fields"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.CreateModel(
            name="TextVersion",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("number", models.PositiveIntegerField(verbose_name="version number")),
                ("source_name", models.CharField(blank=True, max_length=300, verbose_name="source")),
                ("text_hash", models.CharField(blank=True, max_length=64, verbose_name="text hash")),
                ("created_at", models.DateTimeField(default=django.utils.timezone.now, verbose_name="imported at")),
                ("note", models.TextField(blank=True, verbose_name="note")),
                ("agreement", models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name="text_versions", to="coding.agreement")),
                ("created_by", models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name="+", to=settings.AUTH_USER_MODEL, verbose_name="imported by")),
            ],
            options={
                "verbose_name": "text version",
                "verbose_name_plural": "text versions",
                "ordering": ["agreement_id", "number"],
                "constraints": [models.UniqueConstraint(fields=("agreement", "number"), name="unique_text_version_number")],
            },
        ),
        migrations.AlterModelOptions(
            name="article",
            options={"ordering": ["version_id", "position"], "verbose_name": "article", "verbose_name_plural": "articles"},
        ),
        migrations.AlterModelOptions(
            name="chapter",
            options={"ordering": ["version_id", "position"], "verbose_name": "chapter", "verbose_name_plural": "chapters"},
        ),
        migrations.RemoveConstraint(model_name="article", name="unique_article_identifier"),
        migrations.RemoveConstraint(model_name="chapter", name="unique_chapter_identifier"),
        migrations.AddField(
            model_name="textimport",
            name="new_version",
            field=models.BooleanField(default=False, verbose_name="import as a new version"),
        ),
        migrations.AddField(
            model_name="textimport",
            name="note",
            field=models.TextField(blank=True, verbose_name="note"),
        ),
        migrations.AlterField(
            model_name="article",
            name="agreement",
            field=models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name="all_articles", to="coding.agreement"),
        ),
        migrations.AlterField(
            model_name="chapter",
            name="agreement",
            field=models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name="all_chapters", to="coding.agreement"),
        ),
        migrations.AddField(
            model_name="agreement",
            name="current_text",
            field=models.ForeignKey(blank=True, editable=False, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name="+", to="coding.textversion", verbose_name="current text version"),
        ),
        migrations.AddField(
            model_name="article",
            name="version",
            field=models.ForeignKey(null=True, on_delete=django.db.models.deletion.CASCADE, related_name="articles", to="coding.textversion"),
        ),
        migrations.AddField(
            model_name="chapter",
            name="version",
            field=models.ForeignKey(null=True, on_delete=django.db.models.deletion.CASCADE, related_name="chapters", to="coding.textversion"),
        ),
        migrations.AddField(
            model_name="coding",
            name="text_version",
            field=models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.RESTRICT, related_name="codings", to="coding.textversion", verbose_name="text version"),
        ),
        migrations.AddField(
            model_name="historicalcoding",
            name="text_version",
            field=models.ForeignKey(blank=True, db_constraint=False, null=True, on_delete=django.db.models.deletion.DO_NOTHING, related_name="+", to="coding.textversion", verbose_name="text version"),
        ),
        migrations.RunPython(texts_become_version_1, back_to_one_text),
        migrations.AlterField(
            model_name="article",
            name="version",
            field=models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name="articles", to="coding.textversion"),
        ),
        migrations.AlterField(
            model_name="chapter",
            name="version",
            field=models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name="chapters", to="coding.textversion"),
        ),
        migrations.AddConstraint(
            model_name="article",
            constraint=models.UniqueConstraint(fields=("version", "identifier"), name="unique_article_identifier_per_version"),
        ),
        migrations.AddConstraint(
            model_name="chapter",
            constraint=models.UniqueConstraint(fields=("version", "identifier"), name="unique_chapter_identifier_per_version"),
        ),
        migrations.RemoveField(model_name="agreement", name="text_hash"),
        migrations.RunPython(sync_groups_in_migration, migrations.RunPython.noop),
    ]
