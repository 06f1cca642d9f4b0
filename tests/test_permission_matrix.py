"""Who may open what: every URL in the URL conf, for anonymous users, coders, supervisors and
admins. A URL without a rule here fails the test, so a new page or endpoint cannot skip the
question. Rules: PUBLIC (anyone), LOGIN (any signed-in user; what they see is then filtered by
coding.visibility), SUPERVISOR (supervisors and admins; coders get 403), STAFF (the Django admin)."""

import pandas as pd
import pytest
from django.urls import get_resolver, reverse
from django.urls.resolvers import URLResolver

from analysis.models import DatasetRelease, ModelRun, SensitivityColumn, SensitivityRun
from analysis.pure import irt
from analysis.pure.simulate import simulate
from analysis.services.panels import panel_store
from analysis.services.releases import release_create
from analysis.services.runs import model_run_create, model_run_execute
from coding.models import Adjudication, Answer, Coding, PrecodeJob, PrecoderModel, TextImport
from coding.services.adjudication import adjudication_approve
from coding.services.assignments import assignment_create
from coding.services.codings import coding_save, coding_submit
from coding.services.users import reference_coder_get_or_create
from tests.factories import AgreementFactory, add_text

PUBLIC, LOGIN, SUPERVISOR, STAFF = "public", "login", "supervisor", "staff"
ROLES = ["anonymous", "coder", "supervisor", "admin"]
SPEC = {"estimator": "ppml", "formula": "trade ~ rta | exporter^year + importer^year + pair_id", "label": "m"}


def url_names(objects=False):
    """Every named (or unnamed) URL pattern, with its namespace, walked from the root URL conf:
    (name, pattern text), or (name, pattern object) with `objects`."""

    def walk(patterns, namespace):
        for pattern in patterns:
            if isinstance(pattern, URLResolver):
                inner = ":".join(n for n in (namespace, pattern.namespace) if n)
                yield from walk(pattern.url_patterns, inner)
            else:
                yield (
                    ":".join(n for n in (namespace, pattern.name or "<unnamed>") if n),
                    pattern if objects else str(pattern.pattern),
                )

    return list(walk(get_resolver().url_patterns, ""))


def _training_job(w):
    """A retraining job of the world's codebook version (made once, on first use)."""
    from coding.models import PrecoderTrainingJob

    if "training_job" not in w:
        w["training_job"] = PrecoderTrainingJob.objects.create(version=w["version"], reference="DESTA 2.1")
    return w["training_job"]


# name -> (rule, [(method, kwargs or a function of the world giving them, query/data)])
def _rules(w):
    agreement, coding, run = w["open_agreement"], w["coding"], w["run"]
    return {
        "<unnamed>": (PUBLIC, [("get", {}, {})]),
        "login": (PUBLIC, [("get", {}, {})]),
        "set_language": (PUBLIC, [("post", {}, {"language": "en", "next": "/"})]),
        "schema": (LOGIN, [("get", {}, {})]),
        "api-docs": (LOGIN, [("get", {}, {})]),
        "coding:agreement_list": (LOGIN, [("get", {}, {})]),
        "coding:agreement_detail": (LOGIN, [("get", {"pk": agreement.pk}, {})]),
        "coding:agreement_by_ref": (LOGIN, [("get", {"ref": str(agreement.pk)}, {})]),
        "coding:agreement_add": (SUPERVISOR, [("get", {}, {}), ("post", {}, {"name": ""})]),
        "coding:text_import_create": (SUPERVISOR, [("post", {"pk": agreement.pk}, {})]),
        "coding:text_import_status": (SUPERVISOR, [("get", {"job_id": w["text_import"].pk}, {})]),
        "coding:agreement_history": (SUPERVISOR, [("get", {"pk": agreement.pk}, {})]),
        "coding:my_queue": (LOGIN, [("get", {}, {})]),
        "coding:workspace": (LOGIN, [("get", {"pk": coding.pk}, {})]),
        # coder_a's own coding of an approved treaty (another coder's, or before approval: 404)
        "coding:coding_feedback": (LOGIN, [("get", {"pk": w["approved_coding"].pk}, {})]),
        "coding:my_feedback": (LOGIN, [("get", {}, {})]),
        "coding:recheck": (SUPERVISOR, [("get", {}, {}), ("post", {}, {"version": w["version"].pk})]),
        "coding:assign": (SUPERVISOR, [("get", {}, {})]),
        "coding:precoder_training_status": (SUPERVISOR, [("get", {"job_id": _training_job(w).pk}, {})]),
        "coding:adjudication_queue": (SUPERVISOR, [("get", {}, {})]),
        "coding:adjudication_detail": (SUPERVISOR, [("get", {"pk": w["adjudication"].pk}, {})]),
        "coding:supervisor_dashboard": (SUPERVISOR, [("get", {}, {})]),
        "coding:precoder": (SUPERVISOR, [("get", {}, {})]),
        "coding:precoder_diagram": (SUPERVISOR, [("get", {"number": w["precode_job"].model.number, "fmt": "svg"}, {})]),
        "coding:precode_create": (SUPERVISOR, [("post", {"pk": agreement.pk}, {})]),
        "coding:suggestion_display": (SUPERVISOR, [("post", {"pk": agreement.pk}, {"first": "0"})]),
        "coding:precode_status": (SUPERVISOR, [("get", {"job_id": w["precode_job"].pk}, {})]),
        "coding:coding_suggestions": (LOGIN, [("get", {"pk": coding.pk}, {})]),
        "coding:codebook_list": (LOGIN, [("get", {}, {})]),
        "coding:codebook_detail": (LOGIN, [("get", {"code": "mini"}, {})]),
        "coding:codebook_version": (LOGIN, [("get", {"code": "mini", "number": 1}, {})]),
        "analysis:release_list": (LOGIN, [("get", {}, {})]),
        "analysis:release_new": (
            SUPERVISOR,
            [("post", {}, {"version": w["version"].pk, "source": "DESTA 2.1", "name": "x"})],
        ),
        "analysis:release_detail": (LOGIN, [("get", {"number": w["release"].number}, {})]),
        "analysis:release_histogram": (LOGIN, [("get", {"number": w["release"].number, "fmt": "svg"}, {})]),
        "analysis:release_download": (
            LOGIN,
            [("get", {"number": w["release"].number, "shape": "agreement", "fmt": "csv"}, {})],
        ),
        "analysis:release_evidence": (LOGIN, [("get", {"number": w["release"].number, "fmt": "csv"}, {})]),
        "analysis:release_report": (LOGIN, [("get", {"number": w["release"].number}, {})]),
        "analysis:release_irt_curves": (LOGIN, [("get", {"number": w["irt_release"].number, "fmt": "svg"}, {})]),
        "analysis:comparison": (LOGIN, [("get", {}, {})]),
        "analysis:run_list": (
            SUPERVISOR,
            [("get", {}, {}), ("post", {}, {"panel": w["panel"].pk, "preset": "structural-ppml"})],
        ),
        "analysis:run_detail": (LOGIN, [("get", {"pk": run.pk}, {})]),
        "analysis:run_status": (LOGIN, [("get", {"pk": run.pk}, {})]),
        "analysis:run_cancel": (SUPERVISOR, [("post", {"pk": w["queued_run"].pk}, {})]),
        "analysis:run_table": (
            LOGIN,
            [("get", {"fmt": "html"}, {"runs": run.pk}), ("get", {"fmt": "csv"}, {"runs": run.pk})],
        ),
        "analysis:run_plot": (LOGIN, [("get", {"fmt": "svg"}, {"runs": run.pk})]),
        "analysis:run_finished_table": (LOGIN, [("get", {"pk": w["failed_run"].pk, "fmt": "csv"}, {})]),
        "analysis:panel_download": (LOGIN, [("get", {"pk": w["panel"].pk, "fmt": "csv"}, {})]),
        "analysis:sensitivity_list": (
            SUPERVISOR,
            [
                ("get", {}, {}),
                ("post", {}, {"version": w["version"].pk, "sources": "DESTA 2.1", "preset": "structural-ppml"}),
            ],
        ),
        "analysis:sensitivity_detail": (LOGIN, [("get", {"pk": w["sensitivity"].pk}, {})]),
        "analysis:sensitivity_status": (LOGIN, [("get", {"pk": w["sensitivity"].pk}, {})]),
        "analysis:sensitivity_plot": (LOGIN, [("get", {"pk": w["sensitivity"].pk, "fmt": "svg"}, {})]),
        "analysis:sensitivity_table": (LOGIN, [("get", {"pk": w["sensitivity"].pk, "fmt": "csv"}, {})]),
        "api-agreement-list": (LOGIN, [("get", {}, {})]),
        "api-agreement-detail": (LOGIN, [("get", {"ref": str(agreement.pk)}, {})]),
        "api-agreement-articles": (LOGIN, [("get", {"ref": str(agreement.pk)}, {})]),
        "api-coding-list": (LOGIN, [("get", {}, {})]),
        "api-coding-detail": (LOGIN, [("get", {"pk": coding.pk}, {})]),
        "api-coding-submit": (LOGIN, [("post", {"pk": coding.pk}, {})]),
        "api-release-list": (LOGIN, [("get", {}, {})]),
        "api-release-detail": (LOGIN, [("get", {"ref": str(w["release"].number)}, {})]),
        "api-run-list": (
            SUPERVISOR,
            [("get", {}, {}), ("post", {}, {"panel": str(w["panel"].pk), "preset": "structural-ppml"})],
        ),
        "api-run-detail": (LOGIN, [("get", {"pk": run.pk}, {})]),
        "api-run-cancel": (SUPERVISOR, [("post", {"pk": w["queued_run"].pk}, {})]),
        "api-codebook-list": (LOGIN, [("get", {}, {})]),
        "logout": (PUBLIC, [("post", {}, {})]),  # last: it ends the session
    }


@pytest.fixture
def world(users, mini_version, treaty, settings, tmp_path, monkeypatch):
    """A treaty coder_a codes (her own coding, an open adjudication once both submit), an open
    treaty coded only by the reference coder DESTA 2.1, a release of it, a panel built from the
    release, a finished run and a queued run on that panel, and a text import job."""
    settings.MEDIA_ROOT = tmp_path / "media"
    monkeypatch.setattr("jobs.dispatch.job_send", lambda run: None)  # no broker in this test
    monkeypatch.setattr("jobs.dispatch.job_send_group", lambda jobs, on_failure=None: None)
    assignment_create(agreements=[treaty], version=mini_version, coders=[users["coder"], users["coder_b"]])
    for user in (users["coder"], users["coder_b"]):
        coding = Coding.objects.get(coder=user, agreement=treaty)
        coding_save(coding=coding, user=user, revision=0, answers={"wto": {"value": 1}, "harmon": {"value": 2}})
        coding.refresh_from_db()
        coding_submit(coding=coding, user=user, revision=coding.revision)
    open_agreement = add_text(
        AgreementFactory(name="Open - Treaty", parties=["CCC", "DDD"]), [("1", "General", [("1", "Text.")])]
    )
    desta = reference_coder_get_or_create("DESTA 2.1")
    reference = Coding.objects.create(
        agreement=open_agreement, version=mini_version, coder=desta, state=Coding.State.SUBMITTED
    )
    for indicator, value in zip(mini_version.indicators.all(), [1, 3]):
        Answer.objects.create(coding=reference, indicator=indicator, value=value)
    release, _ = release_create(version=mini_version, name="desta", source="DESTA 2.1")
    panel, _ = panel_store(simulate(countries=6, seed=1), name="from release", release=release)
    run = model_run_execute(run_id=model_run_create(panel=panel, specs=[SPEC], dispatch=False).pk)
    assert run.status == ModelRun.Status.DONE
    approved = add_text(
        AgreementFactory(name="Approved - Treaty", parties=["EEE", "FFF"]), [("1", "General", [("1", "Text.")])]
    )
    assignment_create(agreements=[approved], version=mini_version, coders=[users["coder"], users["coder_b"]])
    for user in (users["coder"], users["coder_b"]):
        approved_coding = Coding.objects.get(coder=user, agreement=approved)
        coding_save(
            coding=approved_coding, user=user, revision=0, answers={"wto": {"value": 1}, "harmon": {"value": 2}}
        )
        coding_submit(coding=approved_coding, user=user, revision=1)
    adjudication_approve(adjudication=Adjudication.objects.get(agreement=approved), user=users["supervisor"])
    # A failed run with one finished specification (its table of finished columns) and a release
    # scored by IRT (its curves): both through the real code paths, on small known data.
    failed_run = model_run_execute(
        run_id=model_run_create(panel=panel, specs=[SPEC, {**SPEC, "where": {"year": [1800]}}], dispatch=False).pk
    )
    assert failed_run.status == ModelRun.Status.FAILED
    fitted = irt.fit(
        pd.DataFrame({"wto": [0, 1] * 10, "harmon": [0, 1, 2, 3, 1] * 4}), {"wto": (0, 1), "harmon": (0, 3)}
    )
    irt_release = DatasetRelease.objects.create(
        version=mini_version,
        name="irt",
        number=release.number + 1,
        source="DESTA 2.1",
        method={**release.method, "name": "irt"},
        content_hash="irt",
        rows=release.rows,
        summary={**release.summary, "irt": fitted.summary()},
        created_by=users["supervisor"],
    )
    sensitivity = SensitivityRun.objects.create(version=mini_version, sources=["DESTA 2.1"], specs=[SPEC])
    SensitivityColumn.objects.create(
        sensitivity=sensitivity, position=0, source="DESTA 2.1", release=release, panel=panel, run=run
    )
    return {
        "users": users,
        "version": mini_version,
        "open_agreement": open_agreement,
        "treaty": treaty,
        "coding": Coding.objects.get(coder=users["coder"], agreement=treaty),
        "approved_coding": Coding.objects.get(coder=users["coder"], agreement=approved),
        "adjudication": Adjudication.objects.get(agreement=treaty, version=mini_version),
        "release": release,
        "panel": panel,
        "run": run,
        "sensitivity": sensitivity,
        "failed_run": failed_run,
        "irt_release": irt_release,
        "queued_run": model_run_create(panel=panel, specs=[SPEC], dispatch=False),
        "text_import": TextImport.objects.create(
            agreement=open_agreement, upload="text_imports/x.txt", original_name="x.txt"
        ),
        "precode_job": PrecodeJob.objects.create(
            agreement_ids=[open_agreement.pk],
            model=PrecoderModel.objects.create(
                number=1,
                version=mini_version,
                codebook_hash=mini_version.content_hash,
                reference="DESTA 2.1",
                file="x",
                file_hash="x",
            ),
        ),
    }


def request(client, method, path, data):
    if path.startswith("/api/") and method != "get":
        return getattr(client, method)(path, data, content_type="application/json")
    return getattr(client, method)(path, data)


def sent_to_login(response, admin=False):
    return response.status_code == 302 and ("/admin/login/" if admin else "/accounts/login/") in response["Location"]


def test_every_url_has_a_rule(world):
    rules = _rules(world)
    names = {name for name, _pattern in url_names() if not name.startswith("admin:")}
    assert names - set(rules) == set(), "URLs without a permission rule: add them to tests/test_permission_matrix.py"
    assert set(rules) - names == set(), "rules for URLs that no longer exist"


@pytest.mark.parametrize("role", ROLES)
def test_permission_matrix(world, client, role):
    if role != "anonymous":
        client.force_login(world["users"][role])
    failures = []
    for name, (rule, calls) in _rules(world).items():
        for method, kwargs, data in calls:
            path = (
                reverse(name if name != "<unnamed>" else "coding:agreement_list", kwargs=kwargs)
                if name != "<unnamed>"
                else "/"
            )
            response = request(client, method, path, data)
            code = response.status_code
            api = path.startswith("/api/") and name != "api-docs"  # the docs are a page: anonymous goes to the login
            if rule == PUBLIC:
                ok = code < 400
            elif (role != "anonymous" and rule == LOGIN) or (role in {"supervisor", "admin"} and rule == SUPERVISOR):
                # 400/409: the request passed the gate and was refused on its content
                ok = (code < 400 or code in {400, 409}) and not sent_to_login(response)
            elif role == "anonymous":
                ok = code in {401, 403} if api else sent_to_login(response)
            else:  # a coder on a supervisors' URL
                ok = code == 403
            if not ok:
                failures.append(f"{role} {method.upper()} {path} ({name}, {rule}): {code}")
    assert failures == []


@pytest.mark.parametrize("role", ["anonymous", "coder"])
def test_admin_site_is_for_staff_only(world, client, role):
    """Every admin URL sends anonymous users and coders to the admin's login page."""
    if role == "coder":
        client.force_login(world["users"]["coder"])
    fill = {"object_id": "1", "app_label": "coding", "content_type_id": 1, "url": "x"}
    paths = set()
    for name, pattern in url_names(objects=True):
        # the admin's own login and logout are open by design (logout also ends the session)
        if name.startswith("admin:") and name not in {"admin:<unnamed>", "admin:login", "admin:logout"}:
            keys = set(getattr(pattern.pattern, "converters", {})) | set(pattern.pattern.regex.groupindex)
            positional = pattern.pattern.regex.groups - len(pattern.pattern.regex.groupindex)
            if keys:
                paths.add(reverse(name, kwargs={key: fill.get(key, "1") for key in keys}))
            else:
                paths.add(reverse(name, args=["1"] * positional))
    assert len(paths) > 20
    wrong = []
    for path in sorted(paths):
        response = client.get(path)
        if response.status_code not in {302, 404} or (
            response.status_code == 302 and not sent_to_login(response, admin=True)
        ):
            wrong.append(f"{path}: {response.status_code}")
    assert wrong == []
    assert client.get("/admin/").status_code == 302


def test_supervisors_work_in_the_admin(world, client):
    client.force_login(world["users"]["supervisor"])
    assert client.get("/admin/").status_code == 200
    assert client.get("/admin/coding/agreement/").status_code == 200


# --- blindness through panels and runs ---------------------------------------------------------


@pytest.fixture
def blind_run(world):
    """A release of the approved value... of the treaty coder_a is still coding blind: here the
    reference coding of DESTA 2.1 for it, a panel from that release and a finished run on it."""
    from analysis.models import DatasetRelease

    desta = reference_coder_get_or_create("DESTA 2.1")
    reference = Coding.objects.create(
        agreement=world["treaty"], version=world["version"], coder=desta, state=Coding.State.SUBMITTED
    )
    for indicator, value in zip(world["version"].indicators.all(), [1, 3]):
        Answer.objects.create(coding=reference, indicator=indicator, value=value)
    release, created = release_create(version=world["version"], name="with the blind treaty", source="DESTA 2.1")
    assert created and world["treaty"].pk in [r["agreement_id"] for r in release.rows]
    panel, _ = panel_store(simulate(countries=7, seed=2), name="blind panel", release=release)
    run = model_run_execute(run_id=model_run_create(panel=panel, specs=[SPEC], dispatch=False, name="BLIND-RUN").pk)
    assert DatasetRelease.objects.count() == 3 and run.status == ModelRun.Status.DONE  # the world's two and this one
    return {"release": release, "panel": panel, "run": run}


def test_a_blind_coder_learns_nothing_through_runs(world, blind_run, client):
    run = blind_run["run"]
    paths = [
        reverse("analysis:run_detail", args=[run.pk]),
        reverse("analysis:run_status", args=[run.pk]),
        reverse("analysis:run_table", args=["html"]) + f"?runs={run.pk}",
        reverse("analysis:run_table", args=["csv"]) + f"?runs={run.pk}",
        reverse("analysis:run_plot", args=["png"]) + f"?runs={run.pk}",
        f"/api/runs/{run.pk}/",
        f"/api/releases/{blind_run['release'].number}/",
    ]
    client.force_login(world["users"]["coder"])
    for path in paths:
        response = client.get(path)
        assert response.status_code == 404, path
        assert "BLIND-RUN" not in response.content.decode(errors="replace"), path
    # the run she may see (its release holds only the open treaty) opens; the blind one is absent
    assert client.get(reverse("analysis:run_detail", args=[world["run"].pk])).status_code == 200
    table = client.get(reverse("analysis:run_table", args=["csv"]), {"runs": f"{run.pk},{world['run'].pk}"})
    assert table.status_code == 200 and f"#{run.pk}" not in table.content.decode()
    # the other coder of the treaty is just as blind; the supervisor sees everything
    client.force_login(world["users"]["coder_b"])
    assert client.get(paths[0]).status_code == 404
    client.force_login(world["users"]["supervisor"])
    assert all(client.get(path).status_code == 200 for path in paths)
    assert "BLIND-RUN" in client.get(reverse("analysis:run_list")).content.decode()
    assert run.pk in [r["run"] for r in client.get("/api/runs/").json()["results"]]


def test_runs_open_once_the_treaty_is_adjudicated(world, blind_run, client):
    from coding.services.adjudication import adjudication_approve, adjudication_resolve

    adjudication, supervisor = world["adjudication"], world["users"]["supervisor"]
    for indicator in world["version"].indicators.all():
        if not adjudication.final_values.filter(indicator=indicator).exists():
            adjudication_resolve(
                adjudication=adjudication, indicator=indicator, value=1, rationale="r", user=supervisor
            )
    adjudication_approve(adjudication=adjudication, user=supervisor)
    client.force_login(world["users"]["coder"])
    assert client.get(reverse("analysis:run_detail", args=[blind_run["run"].pk])).status_code == 200


# --- one coding, page and API alike (coding.visibility.codings_visible_to) --------------------

# The workspace page and /api/codings/<id>/ give the same status for every coding and role:
# her own coding; the other coder's before approval (404: the page never says it exists); and
# after approval every coder assigned to the treaty reads all its codings, read only. A coder
# who never coded the treaty (coder_c) reads no one's coding of it. Anonymous: login (API 403).
CODING_ROWS = {
    "coder_a's, before approval": ("treaty", "coder", {"coder": 200, "coder_b": 404, "coder_c": 404}),
    "coder_b's, before approval": ("treaty", "coder_b", {"coder": 404, "coder_b": 200, "coder_c": 404}),
    "coder_a's, after approval": ("approved", "coder", {"coder": 200, "coder_b": 200, "coder_c": 404}),
    "coder_b's, after approval": ("approved", "coder_b", {"coder": 200, "coder_b": 200, "coder_c": 404}),
}


@pytest.mark.parametrize("role", ["anonymous", "coder", "coder_b", "coder_c", "supervisor", "admin"])
def test_a_coding_page_and_its_api_answer_alike(world, client, role):
    from tests.factories import UserFactory

    users = {**world["users"], "coder_c": UserFactory(username="coder_c", role="coder")}
    if role != "anonymous":
        client.force_login(users[role])
    treaties = {"treaty": world["treaty"], "approved": world["approved_coding"].agreement}
    got, expected = {}, {}
    for row, (treaty, coder, statuses) in CODING_ROWS.items():
        coding = Coding.objects.get(agreement=treaties[treaty], coder=users[coder])
        page = client.get(reverse("coding:workspace", args=[coding.pk]))
        api = client.get(f"/api/codings/{coding.pk}/")
        got[row] = (page.status_code, api.status_code)
        if role == "anonymous":
            expected[row] = (302, 403)
        else:
            status = 200 if role in {"supervisor", "admin"} else statuses[role]
            expected[row] = (status, status)
        if api.status_code == 200:  # the API names the coder it was asked about
            assert api.json()["coder"] == users[coder].username
    assert got == expected
