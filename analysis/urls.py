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
]
