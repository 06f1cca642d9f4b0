"""URLs of the analysis app's pages (the API's are config/api_urls.py). Names are stable:
templates and tests reverse them."""

from django.urls import path

from .views import comparisons, releases, run_tables, runs, sensitivity

app_name = "analysis"
urlpatterns = [
    path("releases/", releases.release_list, name="release_list"),
    path("releases/new/", releases.release_new, name="release_new"),
    path("releases/<int:number>/", releases.release_detail, name="release_detail"),
    path("releases/<int:number>/histogram.<str:fmt>", releases.release_histogram, name="release_histogram"),
    path("releases/<int:number>/irt.<str:fmt>", releases.release_irt_curves, name="release_irt_curves"),
    path("releases/<int:number>/evidence.<str:fmt>", releases.release_evidence_download, name="release_evidence"),
    path("releases/<int:number>/report/", releases.release_report_page, name="release_report"),
    path("releases/<int:number>/<str:shape>.<str:fmt>", releases.release_download, name="release_download"),
    path("compare/", comparisons.comparison, name="comparison"),
    path("runs/", runs.run_list, name="run_list"),
    path("runs/<int:pk>/", runs.run_detail, name="run_detail"),
    path("runs/<int:pk>/status/", runs.run_status, name="run_status"),
    path("runs/<int:pk>/cancel/", runs.run_cancel, name="run_cancel"),
    path("runs/table.<str:fmt>", runs.run_table, name="run_table"),
    path("runs/<int:pk>/finished.<str:fmt>", run_tables.run_finished_table, name="run_finished_table"),
    path("runs/plot.<str:fmt>", runs.run_plot, name="run_plot"),
    path("panels/<int:pk>.<str:fmt>", runs.panel_download, name="panel_download"),
    path("sensitivity/", sensitivity.sensitivity_list, name="sensitivity_list"),
    path("sensitivity/<int:pk>/", sensitivity.sensitivity_detail, name="sensitivity_detail"),
    path("sensitivity/<int:pk>/status/", sensitivity.sensitivity_status_json, name="sensitivity_status"),
    path("sensitivity/<int:pk>/plot.<str:fmt>", sensitivity.sensitivity_plot, name="sensitivity_plot"),
    path("sensitivity/<int:pk>/table.<str:fmt>", sensitivity.sensitivity_table, name="sensitivity_table"),
]
