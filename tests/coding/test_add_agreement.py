"""An agreement in neither DESTA nor ToTA (issue 19, item 9): `manage.py add_agreement` and the
supervisors' form create one through the same service, refuse a duplicate of an existing treaty,
a code that is not ISO3 and a year out of range, and write nothing when they refuse."""

import datetime
import io

import pytest
from django.core.management import CommandError, call_command
from django.urls import reverse

from coding.models import Agreement, AgreementParty
from tests.factories import AgreementFactory

TPA = ["--name", "Turkey-Palestinian Authority", "--parties", "TUR,PSE", "--signed", "2004", "--in-force", "2005"]


def counts():
    return Agreement.objects.count(), AgreementParty.objects.count(), Agreement.history.count()


def add(*args):
    out = io.StringIO()
    call_command("add_agreement", *args, stdout=out)
    return out.getvalue()


@pytest.mark.django_db
def test_command_adds_the_turkey_palestinian_authority_fta(users):
    output = add(*TPA, "--user", "supervisor")
    agreement = Agreement.objects.get(name="Turkey-Palestinian Authority")
    assert agreement.party_codes == ["PSE", "TUR"]
    assert (agreement.year_signed, agreement.entry_into_force_year, agreement.membership) == (2004, 2005, "bilateral")
    assert (agreement.desta_number, agreement.tota_id) == (None, None)
    assert (
        f"Added agreement {agreement.pk}: Turkey-Palestinian Authority (PSE TUR, signed 2004, in force 2005)" in output
    )
    assert agreement.history.get().history_user == users["supervisor"]


@pytest.mark.django_db
@pytest.mark.parametrize(
    "args, says",
    [
        (["--name", "turkey-palestinian AUTHORITY", "--parties", "TUR,ISR", "--signed", "2010"], "exists already"),
        (["--name", "Palestine-Turkey FTA", "--parties", "pse tur", "--signed", "2004"], "exists already"),
    ],
)
def test_command_refuses_a_duplicate_by_name_or_by_parties_and_year(args, says):
    add(*TPA)
    before = counts()
    with pytest.raises(CommandError, match=says) as refused:
        add(*args)
    assert "Turkey-Palestinian Authority (PSE TUR, signed 2004" in str(refused.value)
    assert counts() == before


@pytest.mark.django_db
def test_the_same_parties_in_another_year_are_another_agreement():
    add(*TPA)
    add("--name", "Turkey-Palestine FTA, second", "--parties", "TUR,PSE", "--signed", "2018")
    assert Agreement.objects.filter(parties__iso3="PSE").count() == 2


@pytest.mark.django_db
@pytest.mark.parametrize(
    "change, says",
    [
        ({"--parties": "TUR,XXX"}, "'XXX' is not an ISO 3166 alpha-3"),
        ({"--parties": "TUR,PS"}, "'PS' is not an ISO 3166 alpha-3"),
        ({"--parties": "TUR"}, "at least two different parties"),
        ({"--parties": "TUR,TUR"}, "at least two different parties"),
        ({"--parties": "TUR,PSE,TUR"}, "listed twice"),
        ({"--signed": "1939"}, "year signed: 1939 is outside 1940 to"),
        ({"--signed": str(datetime.date.today().year + 2)}, "is outside 1940 to"),
        ({"--signed": "20x4"}, "year signed: '20x4' is not a year"),
        ({"--signed": "1e3"}, "is not a year"),
        ({"--in-force": "2003"}, "year in force: 2003 is before the year signed, 2004"),
        ({"--name": "  "}, "an agreement needs a name"),
        ({"--name": "x" * 301}, "301 characters long; at most 300"),
    ],
)
def test_command_refuses_bad_codes_years_and_names_and_writes_nothing(change, says):
    args = list(TPA)
    for option, value in change.items():
        args[args.index(option) + 1] = value
    before = counts()
    with pytest.raises(CommandError, match=says):
        add(*args)
    assert counts() == before


@pytest.mark.django_db
def test_command_refuses_a_user_who_is_not_a_supervisor(users):
    with pytest.raises(CommandError, match="no active supervisor"):
        add(*TPA, "--user", "coder_a")
    assert not Agreement.objects.exists()


FORM = {
    "name": "Turkey-Palestinian Authority",
    "name_zh": "土耳其—巴勒斯坦自贸协定",
    "parties": "TUR, PSE",
    "year_signed": "2004",
    "entry_into_force_year": "2005",
}


@pytest.mark.django_db
def test_supervisor_form_on_the_agreements_page_creates_one(client_for, users):
    client = client_for(users["supervisor"])
    page = client.get(reverse("coding:agreement_list")).content.decode()
    assert 'id="agreement-add-form"' in page and f'action="{reverse("coding:agreement_add")}"' in page
    response = client.post(reverse("coding:agreement_add"), FORM)
    agreement = Agreement.objects.get(name="Turkey-Palestinian Authority")
    assert response.status_code == 302 and response["Location"] == agreement.get_absolute_url()
    assert agreement.name_zh == "土耳其—巴勒斯坦自贸协定" and agreement.party_codes == ["PSE", "TUR"]
    assert agreement.history.get().history_user == users["supervisor"]


@pytest.mark.django_db
def test_supervisor_form_refuses_a_duplicate_and_bad_input_with_the_reasons(client_for, users):
    AgreementFactory(name="Turkey - Palestinian Authority", parties=["TUR", "PSE"], year_signed=2004)
    client = client_for(users["supervisor"])
    before = counts()
    response = client.post(reverse("coding:agreement_add"), dict(FORM, name="Another name"))
    assert (
        response.status_code == 400
        and "This agreement exists already: Turkey - Palestinian Authority" in response.content.decode()
    )
    response = client.post(reverse("coding:agreement_add"), dict(FORM, parties="TUR, QQQ", year_signed="1900"))
    page = response.content.decode()
    assert response.status_code == 400
    assert "&#x27;QQQ&#x27; is not an ISO 3166 alpha-3 country code" in page and "1900 is outside 1940" in page
    assert 'value="TUR, QQQ"' in page  # the form comes back as it was sent
    assert counts() == before


@pytest.mark.django_db
def test_supervisor_form_in_chinese(client_for, users):
    client = client_for(users["supervisor"])
    client.post("/i18n/setlang/", {"language": "zh-hans", "next": "/"})
    page = client.post(reverse("coding:agreement_add"), dict(FORM, year_signed="1900")).content.decode()
    assert "签署年份：1900 不在 1940 至" in page


@pytest.mark.django_db
def test_a_coder_gets_403_and_no_form(client_for, users):
    client = client_for(users["coder"])
    assert client.post(reverse("coding:agreement_add"), FORM).status_code == 403
    assert client.get(reverse("coding:agreement_add")).status_code == 403
    assert 'id="agreement-add-form"' not in client.get(reverse("coding:agreement_list")).content.decode()
    assert not Agreement.objects.exists()
