import os
import socket
from pathlib import Path

import pytest
from django.conf import settings

# Playwright's sync API runs an event loop in this thread; Django's ORM calls made by the live
# server happen in other threads, but fixtures touching the DB from a test need this.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

from coding.services import codebook_import
from tests.factories import AgreementFactory, add_text

SHARED = Path(settings.SHARED_DIR)
DATA = SHARED / "data"


def require_shared(path: Path) -> Path:
    """Skip (with the reason printed by -ra) when ../shared is absent, as on a bare checkout."""
    if not path.exists():
        pytest.skip(f"{path} not found: the shared data folder is not beside the project")
    return path


@pytest.fixture
def shared_codebooks():
    folder = require_shared(SHARED / "codebook")
    return {p.stem: p for p in folder.glob("*.yaml")}


@pytest.fixture
def tota_dir():
    return require_shared(DATA / "tota")


@pytest.fixture
def desta_list_csv():
    return require_shared(DATA / "desta" / "desta_list_of_treaties_02_01.csv")


@pytest.fixture
def users(db):
    from tests.factories import UserFactory

    return {
        "coder": UserFactory(username="coder_a", role="coder"),
        "coder_b": UserFactory(username="coder_b", role="coder"),
        "supervisor": UserFactory(username="supervisor", role="supervisor"),
        "admin": UserFactory(username="admin", role="admin"),
    }


@pytest.fixture
def client_for(client):
    def login(user):
        client.force_login(user)
        return client

    return login


MINI_CODEBOOK = """codebook: mini
version: "1"
title: {en: Mini codebook, zh: 迷你编码手册}
depth_score:
  indicators: [wto, harmon]
indicators:
  - code: wto
    question: {en: "Refers to the WTO TBT Agreement?", zh: "是否提及 WTO TBT 协定"}
    values: {0: "no", 1: "yes"}
    hints: [Agreement on Technical Barriers to Trade]
  - code: harmon
    question: {en: "Harmonisation?", zh: "是否协调"}
    level: ordinal
    values: {0: "no", 1: "objective", 2: "selective", 3: "comprehensive"}
    hints: [harmoni]
"""


@pytest.fixture
def mini_version(db, tmp_path):
    path = tmp_path / "mini.yaml"
    path.write_text(MINI_CODEBOOK, encoding="utf-8")
    return codebook_import(path=path).version


@pytest.fixture
def treaty(db):
    agreement = AgreementFactory(name="A - B", parties=["AAA", "BBB"])
    return add_text(
        agreement,
        [
            ("1", "Preamble", [("1", "The Parties...")]),
            (
                "6",
                "Technical Barriers to Trade",
                [
                    ("60", "The Parties affirm the Agreement on Technical Barriers to Trade."),
                    ("61", "The Parties shall work towards harmonisation of standards in electrical goods."),
                ],
            ),
        ],
    )


@pytest.fixture(scope="session")
def redis_broker():
    """One real Redis for the whole session (REDIS_URL from `make test`, else started here), and
    the Celery app pointed at it once, so producers never hold a connection to a stopped server."""
    from config.celery import app
    from tests.live_services import redis_url

    with redis_url() as url:
        app.conf.broker_url = url
        app.conf.result_backend = url
        yield url


@pytest.fixture(autouse=True)
def _default_language_after_each_test():
    """A page requested in Chinese leaves its language active in this thread (LocaleMiddleware
    activates, nothing deactivates), so a command called by a later test would speak Chinese:
    a command run from a shell speaks the default language, and so does every test's start."""
    yield
    from django.utils import translation

    translation.deactivate()


# --- the task queue down (tests/test_fail_fast.py, test_edges_s6.py) ---------------------------


def closed_port():
    """A loopback port nobody listens on: connecting is refused at once, like a stopped Redis."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture
def redis_down():
    """The Celery app pointed at a closed port, broker and result backend, with its connection
    pools and backend rebuilt from that; everything as it was afterwards."""
    from config.celery import app

    def rebuild():  # pools and the backend are built from the URLs on first use
        app._pool = None
        app.amqp._producer_pool = None
        app._backend_cache = None  # a thread-safe backend is cached here, another per thread
        app._local.__dict__.pop("backend", None)

    before = app.conf.broker_url, app.conf.result_backend
    url = f"redis://127.0.0.1:{closed_port()}/0"
    app.conf.broker_url = app.conf.result_backend = url
    rebuild()
    try:
        yield url
    finally:
        app.conf.broker_url, app.conf.result_backend = before
        rebuild()
