"""Django admin for supervisors: texts (to correct an article split), agreements and codebooks."""
from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from .models import Agreement, AgreementParty, Article, Chapter, Codebook, CodebookVersion, Indicator, TextImport


class PartyInline(admin.TabularInline):
    model = AgreementParty
    extra = 0


class ChapterInline(admin.TabularInline):
    model = Chapter
    extra = 0
    fields = ("position", "identifier", "name")
    show_change_link = True


@admin.register(Agreement)
class AgreementAdmin(SimpleHistoryAdmin):
    list_display = ("name", "entry_into_force_year", "desta_number", "tota_id", "wto_rta_id", "membership")
    list_filter = ("membership", "language")
    search_fields = ("name", "name_zh", "desta_number", "parties__iso3")
    inlines = [PartyInline, ChapterInline]


class ArticleInline(admin.StackedInline):
    model = Article
    extra = 0
    fields = ("position", "identifier", "heading", "text")


@admin.register(Chapter)
class ChapterAdmin(admin.ModelAdmin):
    list_display = ("agreement", "position", "identifier", "name")
    search_fields = ("agreement__name", "name")
    list_select_related = ("agreement",)
    inlines = [ArticleInline]


@admin.register(Article)
class ArticleAdmin(admin.ModelAdmin):
    """Correcting a split: edit the text, move an article to another chapter, or add one."""

    list_display = ("agreement", "identifier", "heading", "chapter", "position")
    search_fields = ("agreement__name", "identifier", "heading")
    list_select_related = ("agreement", "chapter")
    raw_id_fields = ("agreement", "chapter")


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
    readonly_fields = ("agreement", "upload", "original_name", "status", "error", "result", "task_id", "created_by", "finished_at")
