"""Headers of a careful server (issue 19, item 10) and API docs that work offline (item 7).

Every page carries a Content-Security-Policy whose script-src is 'self' only, and no page has a
script the policy would refuse (an inline <script> or an on*= handler): a browser would then
show it broken. The API schema and docs need a login; the docs page is Swagger UI served from
this server's own static files (drf-spectacular-sidecar), naming no outside host."""

import re
from html.parser import HTMLParser
from urllib.parse import urlsplit

import pytest
from django.conf import settings
from django.contrib.staticfiles import finders
from django.urls import reverse

from analysis.services.releases import release_create
from coding.models import Adjudication, Answer, Coding
from coding.services.assignments import assignment_create
from coding.services.codings import coding_save, coding_submit
from coding.services.users import reference_coder_get_or_create
from tests.factories import AgreementFactory, add_text

# Scripts that only carry data: json_script's, which no browser runs.
DATA_SCRIPT_TYPES = {"application/json"}
OUTSIDE_URL = re.compile(r"""(?:https?:)?//([A-Za-z0-9.-]+(?::\d+)?)""")


class PageScripts(HTMLParser):
    """What in a page a `script-src 'self'` policy refuses, and every address it loads."""

    def __init__(self):
        super().__init__()
        self.refused, self.addresses = [], []

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "script" and not attrs.get("src") and attrs.get("type") not in DATA_SCRIPT_TYPES:
            self.refused.append(f"inline <script> at line {self.getpos()[0]}")
        for name, value in attrs.items():
            if name.startswith("on"):
                self.refused.append(f"<{tag} {name}=...> at line {self.getpos()[0]}")
            if name in {"src", "href", "action"} and value:
                if value.strip().lower().startswith("javascript:"):
                    self.refused.append(f"<{tag} {name}=javascript:...> at line {self.getpos()[0]}")
                self.addresses.append(value)


def page_scripts(html):
    parser = PageScripts()
    parser.feed(html)
    return parser


def policy(response):
    """The Content-Security-Policy header as {directive: [sources]}."""
    header = response.get("Content-Security-Policy", "")
    return {part.split()[0]: part.split()[1:] for part in header.split(";") if part.strip()}


@pytest.fixture
def pages(users, mini_version, treaty):
    """A treaty both coders submitted (an open adjudication), a release of a reference coder's
    coding of another treaty: enough for every main page to show its tables and forms."""
    assignment_create(agreements=[treaty], version=mini_version, coders=[users["coder"], users["coder_b"]])
    for user in (users["coder"], users["coder_b"]):
        coding = Coding.objects.get(coder=user, agreement=treaty)
        coding_save(coding=coding, user=user, revision=0, answers={"wto": {"value": 1}, "harmon": {"value": 2}})
        coding_submit(coding=coding, user=user, revision=1)
    other = add_text(
        AgreementFactory(name="Other - Treaty", parties=["CCC", "DDD"]), [("1", "General", [("1", "Text.")])]
    )
    reference = Coding.objects.create(
        agreement=other,
        version=mini_version,
        coder=reference_coder_get_or_create("DESTA 2.1"),
        state=Coding.State.SUBMITTED,
    )
    for indicator, value in zip(mini_version.indicators.all(), [1, 3]):
        Answer.objects.create(coding=reference, indicator=indicator, value=value)
    release, _ = release_create(version=mini_version, name="desta", source="DESTA 2.1")
    coding = Coding.objects.get(coder=users["coder"], agreement=treaty)
    common = [
        reverse("coding:agreement_list"),
        reverse("coding:agreement_detail", args=[treaty.pk]),
        reverse("coding:agreement_detail", args=[treaty.pk]) + "?q=Parties",
        reverse("coding:my_queue"),
        reverse("coding:codebook_list"),
        reverse("coding:codebook_detail", args=["mini"]),
        reverse("analysis:release_list"),
        reverse("analysis:release_detail", args=[release.number]),
        reverse("analysis:release_report", args=[release.number]),
        reverse("analysis:comparison"),
        reverse("api-docs"),
        "/no-such-page/",
    ]
    return {
        "coder": common + [reverse("coding:workspace", args=[coding.pk]), reverse("coding:my_feedback")],
        "supervisor": common
        + [
            reverse("coding:supervisor_dashboard"),
            reverse("coding:assign"),
            reverse("coding:adjudication_queue"),
            reverse("coding:adjudication_detail", args=[Adjudication.objects.get(agreement=treaty).pk]),
            reverse("coding:agreement_history", args=[treaty.pk]),
            reverse("coding:precoder"),
            reverse("coding:recheck"),
            reverse("coding:agreement_add"),
            reverse("analysis:run_list"),
            reverse("analysis:sensitivity_list"),
            reverse("coding:workspace", args=[coding.pk]),  # read only for the supervisor
        ],
    }


@pytest.mark.parametrize("role", ["coder", "supervisor"])
def test_every_main_page_passes_a_policy_without_inline_scripts(pages, users, client, role):
    # Given a signed-in coder or supervisor
    client.force_login(users[role])
    problems = []
    for path in pages[role]:
        # When she opens each main page
        response = client.get(path)
        assert response.status_code == (404 if path == "/no-such-page/" else 200), path

        # Then the page carries the policy: scripts from this server's files only, never inline
        directives = policy(response)
        assert directives.get("script-src") == ["'self'"], (path, response.get("Content-Security-Policy"))
        assert directives.get("object-src") == ["'none'"] and directives.get("default-src") == ["'self'"]
        # And nothing in it is a script the policy would refuse
        problems += [f"{path}: {problem}" for problem in page_scripts(response.content.decode()).refused]
    assert problems == []


def test_the_policy_is_on_every_answer_and_never_allows_inline_scripts(client, users):
    login = client.get(reverse("login"))
    api = client.get("/api/agreements/")  # a refusal is an answer too
    client.force_login(users["coder"])
    denied = client.get(reverse("coding:assign"))  # a coder on a supervisors' page: the 403 page
    for response in (login, api, denied):
        directives = policy(response)
        assert directives["script-src"] == ["'self'"], response
        assert not {"'unsafe-inline'", "'unsafe-eval'"} & set(directives["script-src"] + directives["default-src"])
    assert denied.status_code == 403 and api.status_code in {401, 403}
    assert page_scripts(login.content.decode()).refused == [] and page_scripts(denied.content.decode()).refused == []


def test_a_script_the_policy_refuses_is_found():
    # The checker itself: each way of running script in a page without a file is reported
    html = (
        '<script src="/static/js/base.js"></script><script type="application/json" id="d">{}</script>'
        '<script>alert(1)</script><select onchange="go()"></select><a href="javascript:go()">x</a>'
    )
    assert page_scripts(html).refused == [
        "inline <script> at line 1",
        "<select onchange=...> at line 1",
        "<a href=javascript:...> at line 1",
    ]


@pytest.mark.parametrize("language, title", [("en", "<h1>Page not found</h1>"), ("zh-hans", "<h1>页面不存在</h1>")])
def test_a_missing_page_is_the_workbench_404_in_the_readers_language(db, client, language, title):
    # With DEBUG off, as `make up` now runs the web server (config/devservices.py: up_environment)
    from config.devservices import up_environment

    assert settings.DEBUG is False and up_environment({"DEBUG": "1"})["DEBUG"] == "0"
    response = client.get("/coding/no-such-page/", HTTP_ACCEPT_LANGUAGE=language)
    body = response.content.decode()
    assert response.status_code == 404 and "404.html" in [t.name for t in response.templates]
    assert title in body and f'<html lang="{language}">' in body
    assert "URLconf" not in body and "coding:agreement_list" not in body  # not Django's debug page
    assert policy(response)["script-src"] == ["'self'"] and page_scripts(body).refused == []


# -- the API schema and docs ------------------------------------------------------------------


def test_schema_and_docs_need_a_login(db, client):
    # An anonymous visitor is refused the schema (like the rest of the API) and sent to the login page for the docs
    assert client.get(reverse("schema")).status_code in {401, 403}
    docs = client.get(reverse("api-docs"))
    assert docs.status_code == 302 and docs["Location"].startswith(reverse("login"))
    assert client.get(reverse("api-docs") + "?script=").status_code == 302


def test_docs_page_is_served_from_this_server_alone(client, users):
    # Given a signed-in coder
    client.force_login(users["coder"])

    # When she opens the API docs
    response = client.get(reverse("api-docs"))
    html = response.content.decode()

    # Then Swagger UI comes from this server's static files, and neither the page nor its start-up
    # script (served as a file, the CSP allowing no inline script) names any other host
    assert response.status_code == 200 and 'id="swagger-ui"' in html
    page = page_scripts(html)
    assert page.refused == []
    static = [address for address in page.addresses if address.startswith(settings.STATIC_URL)]
    assert {address.rsplit("/", 1)[-1] for address in static} >= {
        "swagger-ui-bundle.js",
        "swagger-ui-standalone-preset.js",
        "swagger-ui.css",
    }
    for address in static:  # each one a file this server has
        assert finders.find(urlsplit(address).path.removeprefix(settings.STATIC_URL)), address
    scripts = [address for address in page.addresses if "script=" in address]
    assert len(scripts) == 1
    start = client.get(scripts[0])
    assert start.status_code == 200 and start["Content-Type"].startswith("application/javascript")
    assert "/api/schema/" in start.content.decode()
    for text in (html, start.content.decode(), *page.addresses):
        assert {host for host in OUTSIDE_URL.findall(text) if host != "testserver"} == set(), text[:200]
    # And the schema it reads answers her
    schema = client.get(reverse("schema"), {"format": "json"})
    assert schema.status_code == 200 and schema.json()["info"]["title"] == "FTA coding workbench API"
