"""The JSON API of both apps under /api/ (project level: it imports coding and analysis, and the
coding app never imports the analysis app). URL names are stable: tests reverse them."""

from django.urls import path, register_converter

from analysis.apis import releases, runs
from coding.apis import agreements, codebooks, codings

from .converters import IdConverter

register_converter(IdConverter, "id")  # a database id: a longer number is a 404, not a 500

urlpatterns = [
    path("agreements/", agreements.AgreementListApi.as_view(), name="api-agreement-list"),
    path("agreements/<str:ref>/", agreements.AgreementDetailApi.as_view(), name="api-agreement-detail"),
    path("agreements/<str:ref>/articles/", agreements.AgreementArticlesApi.as_view(), name="api-agreement-articles"),
    path("codings/", codings.CodingListApi.as_view(), name="api-coding-list"),
    path("codings/<id:pk>/", codings.CodingDetailApi.as_view(), name="api-coding-detail"),
    path("codings/<id:pk>/submit/", codings.CodingSubmitApi.as_view(), name="api-coding-submit"),
    path("releases/", releases.ReleaseListApi.as_view(), name="api-release-list"),
    path("releases/<str:ref>/", releases.ReleaseDetailApi.as_view(), name="api-release-detail"),
    path("runs/", runs.RunListApi.as_view(), name="api-run-list"),
    path("runs/<id:pk>/", runs.RunDetailApi.as_view(), name="api-run-detail"),
    path("runs/<id:pk>/cancel/", runs.RunCancelApi.as_view(), name="api-run-cancel"),
    path("codebooks/", codebooks.CodebookVersionListApi.as_view(), name="api-codebook-list"),
]
