from django.urls import path

from analysis import apis as analysis_apis

from . import apis, apis_codings

urlpatterns = [
    path("agreements/", apis.AgreementListApi.as_view(), name="api-agreement-list"),
    path("agreements/<str:ref>/", apis.AgreementDetailApi.as_view(), name="api-agreement-detail"),
    path("agreements/<str:ref>/articles/", apis.AgreementArticlesApi.as_view(), name="api-agreement-articles"),
    path("codings/", apis_codings.CodingListApi.as_view(), name="api-coding-list"),
    path("codings/<int:pk>/", apis_codings.CodingDetailApi.as_view(), name="api-coding-detail"),
    path("codings/<int:pk>/submit/", apis_codings.CodingSubmitApi.as_view(), name="api-coding-submit"),
    path("releases/", analysis_apis.ReleaseListApi.as_view(), name="api-release-list"),
    path("releases/<str:ref>/", analysis_apis.ReleaseDetailApi.as_view(), name="api-release-detail"),
    path("runs/", analysis_apis.RunListApi.as_view(), name="api-run-list"),
    path("runs/<int:pk>/", analysis_apis.RunDetailApi.as_view(), name="api-run-detail"),
    path("runs/<int:pk>/cancel/", analysis_apis.RunCancelApi.as_view(), name="api-run-cancel"),
    path("codebooks/", apis.CodebookVersionListApi.as_view(), name="api-codebook-list"),
]
