"""Django admin for supervisors: texts (to correct an article split), agreements and codebooks.
Corrections by hand only; the workbench's own writes go through coding/services. Text versions
are read-only here: a new text is imported (a new version), never edited into an old one."""

from django import forms
from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from .models import (
    Agreement,
    AgreementParty,
    Article,
    Chapter,
    Codebook,
    CodebookVersion,
    Indicator,
    TextImport,
    TextVersion,
)


class PartyInline(admin.TabularInline):
    model = AgreementParty
    extra = 0


class TextVersionInline(admin.TabularInline):
    model = TextVersion
    extra = 0
    fields = ("number", "source_name", "created_at", "created_by", "note")
    readonly_fields = fields
    show_change_link = True
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(Agreement)
class AgreementAdmin(SimpleHistoryAdmin):
    list_display = (
        "name",
        "entry_into_force_year",
        "desta_number",
        "tota_id",
        "wto_rta_id",
        "membership",
        "current_text",
    )
    list_filter = ("membership", "language")
    search_fields = ("name", "name_zh", "desta_number", "parties__iso3")
    list_select_related = ("current_text",)
    inlines = [PartyInline, TextVersionInline]


class ChapterInline(admin.TabularInline):
    model = Chapter
    extra = 0
    fields = ("position", "identifier", "name")
    readonly_fields = fields
    show_change_link = True
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(TextVersion)
class TextVersionAdmin(admin.ModelAdmin):
    """Read-only: what was imported when, by whom, and its chapters (each links to its articles)."""

    list_display = ("agreement", "number", "source_name", "created_at", "created_by")
    list_select_related = ("agreement", "created_by")
    search_fields = ("agreement__name", "source_name", "note")
    readonly_fields = ("agreement", "number", "source_name", "text_hash", "created_at", "created_by", "note")
    inlines = [ChapterInline]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    # Deleting stays with the permission (admins only): deleting an agreement deletes its
    # versions, and a version codings were made on cannot be deleted on its own (RESTRICT).


class ArticleForm(forms.ModelForm):
    """An article belongs to its chapter's text version and agreement: both are set from the
    chapter before validation, so an identifier used twice in one version is a form error."""

    class Meta:
        model = Article
        fields = ("chapter", "identifier", "heading", "text", "position")

    def clean(self):
        cleaned = super().clean()
        chapter = cleaned.get("chapter") or (self.instance.chapter if self.instance.chapter_id else None)
        if chapter is not None:
            self.instance.version_id, self.instance.agreement_id = chapter.version_id, chapter.agreement_id
        return cleaned

    def _get_validation_exclusions(self):
        return super()._get_validation_exclusions() - {"version"}  # check (version, identifier)


class ArticleInline(admin.StackedInline):
    model = Article
    form = ArticleForm
    extra = 0
    fields = ("position", "identifier", "heading", "text")


@admin.register(Chapter)
class ChapterAdmin(admin.ModelAdmin):
    list_display = ("agreement", "version", "position", "identifier", "name")
    search_fields = ("agreement__name", "name")
    list_select_related = ("agreement", "version")
    raw_id_fields = ("agreement", "version")
    inlines = [ArticleInline]


@admin.register(Article)
class ArticleAdmin(admin.ModelAdmin):
    """Correcting a split: edit the text, move an article to another chapter, or add one (it
    belongs to its chapter's text version)."""

    list_display = ("agreement", "version", "identifier", "heading", "chapter", "position")
    search_fields = ("agreement__name", "identifier", "heading")
    list_select_related = ("agreement", "chapter", "version")
    raw_id_fields = ("chapter",)
    form = ArticleForm
    fields = ("chapter", "identifier", "heading", "text", "position")


class IndicatorInline(admin.StackedInline):
    model = Indicator
    extra = 0
    can_delete = False


@admin.register(CodebookVersion)
class CodebookVersionAdmin(admin.ModelAdmin):
    """Read-only: a version is changed by importing a new YAML file, never edited in place."""

    list_display = ("codebook", "number", "label", "imported_at")
    inlines = [IndicatorInline]

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


admin.site.register(Codebook)


@admin.register(TextImport)
class TextImportAdmin(admin.ModelAdmin):
    list_display = ("original_name", "agreement", "status", "created_by", "created_at", "finished_at")
    list_filter = ("status",)
    readonly_fields = (
        "agreement",
        "upload",
        "original_name",
        "status",
        "error",
        "result",
        "task_id",
        "created_by",
        "finished_at",
    )
