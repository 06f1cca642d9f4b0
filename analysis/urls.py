from django.urls import path

from . import views

app_name = "analysis"
urlpatterns = [
    path("releases/", views.release_list, name="release_list"),
    path("releases/new/", views.release_new, name="release_new"),
    path("releases/<int:number>/", views.release_detail, name="release_detail"),
    path("releases/<int:number>/histogram.<str:fmt>", views.release_histogram, name="release_histogram"),
    path("releases/<int:number>/<str:shape>.<str:fmt>", views.release_download, name="release_download"),
    path("compare/", views.comparison, name="comparison"),
    path("runs/", views.run_list, name="run_list"),
    path("runs/<int:pk>/", views.run_detail, name="run_detail"),
    path("runs/<int:pk>/status/", views.run_status, name="run_status"),
    path("runs/<int:pk>/cancel/", views.run_cancel, name="run_cancel"),
    path("runs/table.<str:fmt>", views.run_table, name="run_table"),
    path("runs/plot.<str:fmt>", views.run_plot, name="run_plot"),
]
