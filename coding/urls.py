from django.urls import path

from . import views, views_codings

app_name = "coding"
urlpatterns = [
    path("agreements/", views.agreement_list, name="agreement_list"),
    path("agreements/<int:pk>/", views.agreement_detail, name="agreement_detail"),
    path("agreements/ref/<str:ref>/", views.agreement_by_ref, name="agreement_by_ref"),
    path("agreements/<int:pk>/text-imports/", views.text_import_create, name="text_import_create"),
    path("text-imports/<int:job_id>/status/", views.text_import_status, name="text_import_status"),
    path("agreements/<int:pk>/history/", views_codings.agreement_history, name="agreement_history"),
    path("queue/", views_codings.my_queue, name="my_queue"),
    path("codings/<int:pk>/", views_codings.workspace, name="workspace"),
    path("assign/", views_codings.assign, name="assign"),
    path("adjudication/", views_codings.adjudication_queue, name="adjudication_queue"),
    path("adjudication/<int:pk>/", views_codings.adjudication_detail, name="adjudication_detail"),
    path("supervision/", views_codings.supervisor_dashboard, name="supervisor_dashboard"),
    path("codebooks/", views.codebook_list, name="codebook_list"),
    path("codebooks/<slug:code>/", views.codebook_detail, name="codebook_detail"),
    path("codebooks/<slug:code>/v<int:number>/", views.codebook_detail, name="codebook_version"),
]
