from django.urls import path

from . import apis, apis_codings

urlpatterns = [
    path("agreements/", apis.AgreementListApi.as_view(), name="api-agreement-list"),
    path("agreements/<str:ref>/", apis.AgreementDetailApi.as_view(), name="api-agreement-detail"),
    path("agreements/<str:ref>/articles/", apis.AgreementArticlesApi.as_view(), name="api-agreement-articles"),
    path("codings/", apis_codings.CodingListApi.as_view(), name="api-coding-list"),
    path("codings/<int:pk>/", apis_codings.CodingDetailApi.as_view(), name="api-coding-detail"),
    path("codings/<int:pk>/submit/", apis_codings.CodingSubmitApi.as_view(), name="api-coding-submit"),
    path("codebooks/", apis.CodebookVersionListApi.as_view(), name="api-codebook-list"),
]
