"""URLs of the coding app's pages (the API's are config/api_urls.py). Names are stable: templates
and tests reverse them."""

from django.urls import path

from .views import adjudication, agreement_add, agreements, assignment, codebooks, codings, dashboard, precoder, recheck

app_name = "coding"
urlpatterns = [
    path("agreements/", agreements.agreement_list, name="agreement_list"),
    path("agreements/new/", agreement_add.agreement_add, name="agreement_add"),
    path("agreements/<int:pk>/", agreements.agreement_detail, name="agreement_detail"),
    path("agreements/ref/<str:ref>/", agreements.agreement_by_ref, name="agreement_by_ref"),
    path("agreements/<int:pk>/text-imports/", agreements.text_import_create, name="text_import_create"),
    path("text-imports/<int:job_id>/status/", agreements.text_import_status, name="text_import_status"),
    path("agreements/<int:pk>/history/", codings.agreement_history, name="agreement_history"),
    path("queue/", codings.my_queue, name="my_queue"),
    path("codings/<int:pk>/", codings.workspace, name="workspace"),
    path("codings/<int:pk>/feedback/", codings.coding_feedback_page, name="coding_feedback"),
    path("feedback/", codings.my_feedback, name="my_feedback"),
    path("recheck/", recheck.recheck, name="recheck"),
    path("assign/", assignment.assign, name="assign"),
    path(
        "precoder-training/<int:job_id>/status/",
        assignment.precoder_training_status,
        name="precoder_training_status",
    ),
    path("adjudication/", adjudication.adjudication_queue, name="adjudication_queue"),
    path("adjudication/<int:pk>/", adjudication.adjudication_detail, name="adjudication_detail"),
    path("supervision/", dashboard.supervisor_dashboard, name="supervisor_dashboard"),
    path("precoder/", precoder.precoder_page, name="precoder"),
    path("precoder/<int:number>/diagram.<str:fmt>", precoder.precoder_diagram, name="precoder_diagram"),
    path("agreements/<int:pk>/precode/", precoder.precode_create, name="precode_create"),
    path("agreements/<int:pk>/suggestion-display/", precoder.suggestion_display, name="suggestion_display"),
    path("precode-jobs/<int:job_id>/status/", precoder.precode_status, name="precode_status"),
    path("codings/<int:pk>/suggestions/", precoder.coding_suggestions, name="coding_suggestions"),
    path("codebooks/", codebooks.codebook_list, name="codebook_list"),
    path("codebooks/<slug:code>/", codebooks.codebook_detail, name="codebook_detail"),
    path("codebooks/<slug:code>/v<int:number>/", codebooks.codebook_detail, name="codebook_version"),
]
