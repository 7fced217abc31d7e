"""Schemathesis against the app's own OpenAPI schema: every operation, positive and negative examples,
every built-in check (schemathesis 4 enables them all by default: not_a_server_error,
status_code_conformance, content_type_conformance, response_schema_conformance,
response_headers_conformance, positive_data_acceptance, negative_data_rejection, missing_required_header,
ignored_auth, unsupported_method, use_after_free, ...). A bounded number of examples per operation keeps
it to a minute or two on two cores; the fake embedder and the in-memory store keep each call cheap.

The app is called in-process through its ASGI interface (the same FastAPI application `explainer serve`
runs, without the Gradio UI mounted at `/`, whose routes are not part of the schema).
"""

from __future__ import annotations

import atexit
import shutil
import tempfile
from collections import Counter
from collections.abc import Iterator
from pathlib import Path

import pytest

schemathesis = pytest.importorskip("schemathesis")
from hypothesis import HealthCheck, settings  # noqa: E402
from schemathesis.specs.openapi.checks import negative_data_rejection  # noqa: E402

from app.api import create_app  # noqa: E402
from app.config import Settings  # noqa: E402
from app.index import IndexBuilder  # noqa: E402

TOKEN = "fuzz-token"
EXAMPLES = 100  # per operation and generation phase
SEEN: Counter[str] = Counter()  # examples run per operation, printed at the end
STATUSES: Counter[int] = Counter()


def _app_and_settings() -> tuple[object, Settings]:
    """The app over the fixture corpus, built once at collection: schemathesis needs the schema then (its
    fixture-based lazy loading does not work with the pytest of this project)."""
    from tests.conftest import FIXTURES

    root = Path(tempfile.mkdtemp(prefix="explainer-fuzz-"))
    atexit.register(shutil.rmtree, root, ignore_errors=True)
    settings = Settings(index_dir=root / "index", embedder="fake", vector_store="memory", answer_scorer="rules",
                        ingest_token=TOKEN, refresh_seconds=0)
    IndexBuilder(settings).build([FIXTURES / "corpus"])
    return create_app(settings, mount_ui=False), settings


APP, FUZZ_SETTINGS = _app_and_settings()
schema = schemathesis.openapi.from_asgi("/openapi.json", APP)


@schema.auth().apply_to(path="/api/ingest")
class IngestToken:
    """The ingest token, given the way schemathesis knows of (so its negative cases may drop it)."""

    def get(self, case: object, context: object) -> str:
        return TOKEN

    def set(self, case: object, data: str, context: object) -> None:
        case.headers = {**(case.headers or {}), "Authorization": f"Bearer {data}"}


@pytest.fixture(scope="module", autouse=True)
def _summary() -> Iterator[None]:
    yield
    print("\nschemathesis examples per operation:", dict(sorted(SEEN.items())))
    print("schemathesis examples in all:", sum(SEEN.values()), "- responses by status:", dict(sorted(STATUSES.items())))


@schema.parametrize()
@settings(max_examples=EXAMPLES, deadline=None, suppress_health_check=list(HealthCheck), derandomize=True)
def test_api_conforms_to_its_schema(case: object) -> None:
    # A multipart file part is bytes whatever the generator meant it to be: a "file" schemathesis made a
    # number or an object is sent as a file holding that text, which the server rightly takes as a file.
    # So negative_data_rejection cannot hold for the upload body; every other check runs on it.
    excluded = [negative_data_rejection] if case.operation.path == "/api/ingest" else None
    response = case.call_and_validate(excluded_checks=excluded)
    SEEN[case.operation.label] += 1
    STATUSES[response.status_code] += 1
    assert response.status_code < 500
    assert str(Path(FUZZ_SETTINGS.index_dir)) not in response.text  # no local path ever reaches a client
