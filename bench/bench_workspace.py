"""Server time of the coder workspace for the largest ToTA treaty (pta_449, 508 articles),
against the plain treaty reader page of the same treaty. Goal: workspace <= 150 ms.

Run: .venv/bin/python bench/bench_workspace.py
"""

import statistics
import time

from _django import setup

SHARED = setup()

from django.conf import settings
from django.test import Client

from coding.models import Agreement, Coding
from coding.services import agreements_import_tota, codebook_import
from coding.services.assignments import assignment_create
from coding.services.codings import coding_save
from config.demo import DEMO_DIR, demo_users_create


def timed(client, url, repeat=15):
    client.get(url)  # warm-up
    times = []
    for _ in range(repeat):
        started = time.perf_counter()
        response = client.get(url)
        times.append(time.perf_counter() - started)
        assert response.status_code == 200
    return statistics.median(times), len(response.content)


def main():
    path = SHARED / "data" / "tota" / "pta_449.xml"
    if not path.exists():
        print(f"skipped: {path} not found")
        return
    settings.ALLOWED_HOSTS = ["testserver"]
    agreements_import_tota(paths=[path])
    agreement = Agreement.objects.get(tota_id=449)
    version = codebook_import(path=DEMO_DIR / "codebooks" / "desta_tbt.yaml").version
    demo_users_create()
    from django.contrib.auth import get_user_model

    User = get_user_model()
    coder_a, coder_b = User.objects.get(username="coder_a"), User.objects.get(username="coder_b")
    assignment_create(agreements=[agreement], version=version, coders=[coder_a, coder_b])
    coding = Coding.objects.get(coder=coder_a)
    first = agreement.articles.order_by("position").values_list("identifier", flat=True)[:3]
    coding_save(
        coding=coding,
        user=coder_a,
        revision=0,
        answers={
            i.code: {"value": 1 if i.code != "tbt_harmon" else 2, "evidence": [{"article": a} for a in first]}
            for i in version.indicators.all()
        },
    )

    client = Client()
    client.force_login(coder_a)
    reader, reader_bytes = timed(client, agreement.get_absolute_url())
    workspace, workspace_bytes = timed(client, f"/coding/codings/{coding.pk}/")
    print(
        f"treaty: {agreement.name} ({agreement.articles.count()} articles, "
        f"{sum(len(t) for t in agreement.articles.values_list('text', flat=True)) / 1e6:.1f} M characters)"
    )
    print(f"treaty reader page (baseline): {reader * 1000:6.1f} ms median, {reader_bytes / 1e6:.1f} MB")
    print(
        f"coder workspace:               {workspace * 1000:6.1f} ms median, {workspace_bytes / 1e6:.1f} MB   "
        f"ratio {workspace / reader:4.2f}x"
    )
    print(f"goal <= 150 ms: {'met' if workspace <= 0.15 else 'NOT met'}")


if __name__ == "__main__":
    main()
