"""Bad input on the analysis side is a clear 400 or message, never a 500: every query parameter
of the comparison page is parsed with bounds, and a release name longer than the column is
refused by the service (PostgreSQL would refuse the INSERT with a DataError)."""

from io import StringIO

import pytest
from django.core.exceptions import ValidationError
from django.core.management import CommandError, call_command

from analysis.models import DatasetRelease
from analysis.services.releases import release_create


@pytest.mark.django_db
@pytest.mark.parametrize("version", ["abc", "-1", "1.5", "²", "99999999999999999999", "1 OR 1=1"])
def test_a_malformed_version_is_a_400_naming_it(client_for, users, mini_version, version):
    response = client_for(users["supervisor"]).get(
        "/analysis/compare/", {"version": version, "a": "approved", "b": "DESTA 2.1"}
    )
    assert response.status_code == 400 and "version" in response.content.decode()


@pytest.mark.django_db
def test_comparison_parameters_within_bounds_still_work(client_for, users, mini_version):
    client = client_for(users["supervisor"])
    assert client.get("/analysis/compare/", {"version": str(mini_version.pk)}).context["version"] == mini_version
    assert client.get("/analysis/compare/", {"version": f" {mini_version.pk} "}).status_code == 200
    assert client.get("/analysis/compare/", {"version": ""}).status_code == 200
    assert client.get("/analysis/compare/", {"version": "987654", "a": "approved", "b": "nobody"}).status_code == 200
    for source in ("release:abc", "release:99999999999999999999", "release:"):
        assert (
            client.get("/analysis/compare/", {"version": mini_version.pk, "a": source, "b": "approved"}).status_code
            == 404
        ), source


@pytest.mark.django_db
@pytest.mark.parametrize("name", ["a", "b"])
def test_an_overlong_source_is_a_400(client_for, users, name):
    response = client_for(users["supervisor"]).get("/analysis/compare/", {name: "x" * 5000})
    assert response.status_code == 400 and f"“{name}”" in response.content.decode()


@pytest.mark.django_db
def test_a_release_name_longer_than_the_column_is_refused_by_the_service(mini_version):
    with pytest.raises(ValidationError, match="201 characters long; at most 200"):
        release_create(version=mini_version, name="x" * 201, source="DESTA 2.1")
    with pytest.raises(ValidationError, match="needs a name"):
        release_create(version=mini_version, name="   ", source="DESTA 2.1")
    assert not DatasetRelease.objects.exists()


@pytest.mark.django_db
def test_the_command_and_the_form_say_so_too(client_for, users, mini_version):
    with pytest.raises(CommandError, match="at most 200"):
        call_command("release_dataset", "--codebook", "mini", "--name", "n" * 300, stdout=StringIO())
    client = client_for(users["supervisor"])
    for data in (
        {"version": mini_version.pk, "name": "n" * 300},
        {"version": "abc", "name": "v"},
        {"version": "99999999999999999999", "name": "v"},
    ):
        response = client.post("/analysis/releases/new/", data, follow=True)
        assert response.status_code == 200 and response.redirect_chain, data
    messages = [str(m) for m in response.context["messages"]]
    assert messages  # the form's error is shown on the list page
    assert not DatasetRelease.objects.exists()
