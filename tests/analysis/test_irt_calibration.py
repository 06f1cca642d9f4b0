"""An IRT release calibrated on other sources (`release_dataset --method irt --calibrate-with`):
item parameters fitted on the release's codings and the other sources', only the release's own
agreements scored; the calibration's agreements count for blindness."""

from io import StringIO

import numpy as np
import pandas as pd
import pytest
from django.core.management import CommandError, call_command

from analysis.pure import irt
from analysis.selectors.releases import release_agreement_ids, release_get, release_visible_to
from coding.services.assignments import assignment_create
from tests.factories import AgreementFactory


def import_codes(tmp_path, name, rows):
    path = tmp_path / f"{name}.csv"
    path.write_text(
        "agreement,coder,indicator,value\n" + "".join(f"{a},{name},{i},{v}\n" for a, i, v in rows), encoding="utf-8"
    )
    call_command("import_codings", str(path), "--codebook", "mini", "--reference", stdout=StringIO())


def release(*extra):
    out = StringIO()
    call_command("release_dataset", "--codebook", "mini", "--source", "small", "--method", "irt", *extra, stdout=out)
    return out.getvalue()


@pytest.mark.django_db
def test_a_source_too_small_for_its_own_items_is_scored_on_items_calibrated_with_another(users, mini_version, tmp_path):
    # Given an archive coding 20 treaties, and a small source coding 4 of them, wto always 1
    rng = np.random.default_rng(7)
    agreements = [AgreementFactory(parties=["AAA", f"C{i:02d}"]) for i in range(20)]
    theta = rng.standard_normal(20)
    wto = (rng.random(20) < 1 / (1 + np.exp(-(1.5 * theta + 0.3)))).astype(int)
    harmon = np.array([i % 4 for i in range(20)])
    import_codes(
        tmp_path,
        "archive",
        [(a.pk, c, v) for a, w, h in zip(agreements, wto, harmon) for c, v in (("wto", w), ("harmon", h))],
    )
    small = agreements[:4]
    import_codes(
        tmp_path, "small", [(a.pk, c, v) for a, h in zip(small, [0, 1, 2, 3]) for c, v in (("wto", 1), ("harmon", h))]
    )

    # When the small source is released alone: its items cannot be placed
    with pytest.raises(CommandError, match=r"at least 10 treaties with codes; 4 have any"):
        release("--name", "alone")
    # But calibrated on the archive it is released, its 4 agreements scored
    out = release("--name", "calibrated", "--calibrate-with", "archive")
    assert "latent depth (EAP, posterior SD as depth_se): 24 codings" in out
    assert "items calibrated on 4 codings of the release and archive 20; 4 agreements scored" in out
    made = release_get("calibrated")
    assert [row["agreement_id"] for row in made.rows] == [a.pk for a in small]

    # Then the scores are the EAPs of one fit over both sources' codings (the small source's rows)
    own = pd.DataFrame({"wto": 1.0, "harmon": [0.0, 1.0, 2.0, 3.0]}, index=[f"small:{a.pk}" for a in small])
    archive = pd.DataFrame(
        {"wto": wto.astype(float), "harmon": harmon.astype(float)}, index=[f"archive:{a.pk}" for a in agreements]
    )
    direct = irt.fit(pd.concat([own, archive]), {"wto": (0, 1), "harmon": (0, 3)})
    for row, key in zip(made.rows, own.index):
        assert row["depth"] == pytest.approx(direct.eap[key], abs=1e-8)
        assert row["depth_se"] == pytest.approx(direct.posterior_sd[key], abs=1e-8)
    # deeper harmonisation, same wto: a higher latent score
    assert [row["depth"] for row in made.rows] == sorted(row["depth"] for row in made.rows)
    calibration = made.summary["irt"]["calibration"]
    assert calibration["sources"] == ["archive"] and calibration["codings"] == {"archive": 20}
    assert set(release_agreement_ids(made)) == {a.pk for a in agreements}
    assert "calibrate_with" in made.method and made.method["calibrate_with"] == ["archive"]
    # the same sources, however spelled, are the same release
    assert f"unchanged since release {made.number}" in release("--name", "again", "--calibrate-with", "archive,archive")


@pytest.mark.django_db
def test_a_blind_coder_cannot_open_a_release_calibrated_on_a_treaty_she_codes(users, mini_version, tmp_path):
    treaties = [AgreementFactory(parties=["AAA", f"D{i:02d}"]) for i in range(12)]
    import_codes(
        tmp_path,
        "archive",
        [
            (a.pk, c, (k + j) % 2 if c == "wto" else k % 4)
            for k, a in enumerate(treaties)
            for j, c in enumerate(("wto", "harmon"))
        ],
    )
    import_codes(tmp_path, "small", [(treaties[0].pk, "wto", 1), (treaties[0].pk, "harmon", 2)])
    release("--name", "calibrated", "--calibrate-with", "archive")
    made = release_get("calibrated")
    assert release_visible_to(users["coder"], made)
    # When coder_a is assigned a treaty only the calibration source codes
    assignment_create(agreements=[treaties[5]], version=mini_version, coders=[users["coder"], users["coder_b"]])
    assert not release_visible_to(users["coder"], made) and release_visible_to(users["supervisor"], made)


@pytest.mark.django_db
def test_calibration_is_refused_for_other_methods_and_unknown_sources(users, mini_version, tmp_path):
    agreements = [AgreementFactory(parties=["AAA", f"E{i:02d}"]) for i in range(3)]
    import_codes(tmp_path, "small", [(a.pk, "wto", k % 2) for k, a in enumerate(agreements)])
    with pytest.raises(CommandError, match=r"calibrate_with: no codings by nobody under mini"):
        release("--name", "x", "--calibrate-with", "nobody")
    with pytest.raises(CommandError, match=r"calibrate_with: small is the release's own source"):
        release("--name", "x", "--calibrate-with", "small")
    with pytest.raises(CommandError, match=r"only an IRT release calibrates"):
        call_command(
            "release_dataset",
            "--codebook",
            "mini",
            "--source",
            "small",
            "--name",
            "x",
            "--calibrate-with",
            "small",
            stdout=StringIO(),
        )


@pytest.mark.django_db
def test_the_release_form_calibrates_on_the_sources_ticked(users, mini_version, tmp_path, client_for):
    from django.urls import reverse

    treaties = [AgreementFactory(parties=["AAA", f"F{i:02d}"]) for i in range(12)]
    import_codes(
        tmp_path,
        "archive",
        [
            (a.pk, c, (k * 7 + j) % 2 if c == "wto" else k % 4)
            for k, a in enumerate(treaties)
            for j, c in enumerate(("wto", "harmon"))
        ],
    )
    import_codes(tmp_path, "small", [(treaties[0].pk, "wto", 1), (treaties[0].pk, "harmon", 2)])
    form = {
        "version": mini_version.pk,
        "source": "small",
        "name": "form",
        "method": "irt",
        "calibrate_with": ["archive"],
    }
    response = client_for(users["supervisor"]).post(reverse("analysis:release_new"), form)
    assert response.status_code == 302
    made = release_get("form")
    assert made.method["calibrate_with"] == ["archive"] and made.summary["irt"]["calibration"]["codings"] == {
        "archive": 12
    }
    # The page offers the sources to calibrate on
    page = client_for(users["supervisor"]).get(reverse("analysis:release_list")).content.decode()
    assert 'name="calibrate_with" value="archive"' in page
