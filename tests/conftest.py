import os
from pathlib import Path

import pytest
from django.conf import settings

# Playwright's sync API runs an event loop in this thread; Django's ORM calls made by the live
# server happen in other threads, but fixtures touching the DB from a test need this.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

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
