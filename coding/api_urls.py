from django.urls import path

from . import apis

urlpatterns = [
    path("agreements/", apis.AgreementListApi.as_view(), name="api-agreement-list"),
    path("agreements/<str:ref>/", apis.AgreementDetailApi.as_view(), name="api-agreement-detail"),
    path("agreements/<str:ref>/articles/", apis.AgreementArticlesApi.as_view(), name="api-agreement-articles"),
    path("codebooks/", apis.CodebookVersionListApi.as_view(), name="api-codebook-list"),
]
