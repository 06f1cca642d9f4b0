"""Agreement list, treaty reader and codebook pages, in English and Simplified Chinese."""

import pytest
from django.urls import reverse

from coding.services import codebook_import
from tests.factories import AgreementFactory, add_text


@pytest.fixture
def treaties(db):
    korea = AgreementFactory(
        name="China - Korea",
        name_zh="中国-韩国",
        parties=["CHN", "KOR"],
        entry_into_force_year=2015,
        desta_number="909",
        tota_id=398,
    )
    add_text(
        korea,
        [
            ("1", "Preamble", [("1", "The Parties agree...")]),
            (
                "6",
                "Technical Barriers to Trade",
                [
                    ("60", "Each Party shall use International Standards <b>as a basis</b>."),
                    ("61", "Cooperation on international standards and conformity assessment."),
                ],
            ),
        ],
    )
    chile = AgreementFactory(name="China - Chile", parties=["CHL", "CHN"], entry_into_force_year=2006)
    peru = AgreementFactory(name="Peru - Singapore", parties=["PER", "SGP"], entry_into_force_year=2009)
    add_text(peru, [("1", "Main", [("1", "text")])])
    return {"korea": korea, "chile": chile, "peru": peru}


def names(response):
    return [a.name for a in response.context["page"]]


@pytest.mark.django_db
def test_pages_require_login(client, treaties):
    for url in (
        reverse("coding:agreement_list"),
        treaties["korea"].get_absolute_url(),
        reverse("coding:codebook_list"),
    ):
        response = client.get(url)
        assert response.status_code == 302 and "/accounts/login/" in response["Location"]


@pytest.mark.django_db
@pytest.mark.parametrize(
    "params, expected",
    [
        ({}, ["China - Chile", "China - Korea", "Peru - Singapore"]),
        ({"party": "chn"}, ["China - Chile", "China - Korea"]),
        ({"party": "CHN", "year": "2015"}, ["China - Korea"]),
        ({"has_text": "yes"}, ["China - Korea", "Peru - Singapore"]),
        ({"has_text": "no"}, ["China - Chile"]),
        ({"q": "korea"}, ["China - Korea"]),
        ({"q": "韩国"}, ["China - Korea"]),
    ],
)
def test_agreement_list_filters(client_for, users, treaties, params, expected):
    response = client_for(users["coder"]).get(reverse("coding:agreement_list"), params)
    assert response.status_code == 200
    assert names(response) == expected


@pytest.mark.django_db
def test_reader_has_toc_anchors_and_highlighted_search(client_for, users, treaties):
    korea = treaties["korea"]
    response = client_for(users["coder"]).get(korea.get_absolute_url(), {"q": "international standards"})
    html = response.content.decode()
    assert response.status_code == 200
    assert 'href="#ch-6"' in html and 'id="ch-6"' in html
    assert 'id="art-60"' in html and 'href="#art-60"' in html
    assert response.context["total_hits"] == 2
    assert '<mark class="hit">International Standards</mark>' in html
    assert '<mark class="hit">international standards</mark>' in html
    # Treaty text is escaped even when it contains markup.
    assert "&lt;b&gt;as a basis&lt;/b&gt;" in html and "<b>as a basis</b>" not in html


@pytest.mark.django_db
def test_reference_links_redirect_to_the_reader(client_for, users, treaties):
    client = client_for(users["coder"])
    response = client.get(reverse("coding:agreement_by_ref", args=["desta:909"]))
    assert response.status_code == 302 and response["Location"] == treaties["korea"].get_absolute_url()
    assert client.get(reverse("coding:agreement_by_ref", args=["desta:1"])).status_code == 404


@pytest.mark.django_db
def test_codebook_page_in_both_languages(client_for, users, shared_codebooks):
    codebook_import(path=shared_codebooks["desta_tbt"])
    client = client_for(users["coder"])
    url = reverse("coding:codebook_detail", args=["desta-tbt"])
    english = client.get(url, HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "Does the agreement encourage the use of international standards?" in english
    assert "协议是否鼓励使用国际标准" in english  # both languages of the question are shown
    assert "Depth score" in english
    client.post(reverse("set_language"), {"language": "zh-hans", "next": url})
    chinese = client.get(url).content.decode()
    assert "深度得分" in chinese and "Depth score" not in chinese
    assert 'lang="zh-hans"' in chinese


@pytest.mark.django_db
def test_agreement_api_by_reference(client_for, users, treaties):
    client = client_for(users["coder"])
    data = client.get("/api/agreements/desta:909/").json()
    assert data["name"] == "China - Korea" and data["parties"] == ["CHN", "KOR"]
    assert "tota:398" in data["references"]
    articles = client.get("/api/agreements/tota:398/articles/").json()["results"]
    assert [a["identifier"] for a in articles] == ["1", "60", "61"]
    assert client.get("/api/agreements/", {"party": "PER"}).json()["count"] == 1
