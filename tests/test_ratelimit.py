"""Rate limits and CORS for a public deployment: both off by default, both configurable."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient

from app.api import create_app
from app.config import Settings
from app.ratelimit import TokenBucket, client_of


class Clock:
    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


def test_bucket_allows_a_burst_then_the_rate() -> None:
    clock = Clock()
    bucket = TokenBucket(per_minute=60, burst=2, clock=clock)
    assert bucket.take("a") == 0 and bucket.take("a") == 0
    assert bucket.take("a") == pytest.approx(1.0)  # one token a second: wait a second
    assert bucket.take("b") == 0  # each client has its own bucket
    clock.now += 1.0
    assert bucket.take("a") == 0
    assert bucket.take("a") > 0


def test_bucket_keeps_a_bounded_number_of_clients() -> None:
    bucket = TokenBucket(per_minute=1, burst=1, max_clients=3, clock=Clock())
    for client in "abcdef":
        bucket.take(client)
    assert len(bucket._buckets) == 3 and list(bucket._buckets) == ["d", "e", "f"]


def test_client_is_the_connection_unless_a_proxy_is_trusted() -> None:
    scope = {"client": ("10.0.0.9", 5555), "headers": [(b"x-forwarded-for", b"6.6.6.6, 203.0.113.7")]}
    assert client_of(scope, trust_forwarded_for=False) == "10.0.0.9"
    assert client_of(scope, trust_forwarded_for=True) == "203.0.113.7"  # the entry the proxy added


def test_api_is_not_limited_by_default(built: Settings) -> None:
    client = TestClient(create_app(built, mount_ui=False))
    assert {client.get("/api/health").status_code for _ in range(30)} == {200}
    assert "access-control-allow-origin" not in client.get("/api/health", headers={"Origin": "https://x.example"}).headers


def test_rate_limit_answers_429_with_retry_after(built: Settings) -> None:
    built.rate_limit_per_minute, built.rate_limit_burst, built.trust_forwarded_for = 6, 2, True
    client = TestClient(create_app(built, mount_ui=False))
    assert [client.get("/api/health").status_code for _ in range(3)] == [200, 200, 429]
    refused = client.get("/api/health")
    assert refused.status_code == 429 and int(refused.headers["retry-after"]) >= 1
    assert "too many requests" in refused.json()["detail"]
    assert client.get("/api/health", headers={"X-Forwarded-For": "198.51.100.4"}).status_code == 200  # another
    assert client.get("/openapi.json").status_code == 200  # only /api/ is limited


def test_cors_allows_only_the_configured_origins(built: Settings) -> None:
    built.cors_origins = ["https://news.example"]
    client = TestClient(create_app(built, mount_ui=False))
    allowed = client.get("/api/health", headers={"Origin": "https://news.example"})
    assert allowed.headers["access-control-allow-origin"] == "https://news.example"
    other = client.get("/api/health", headers={"Origin": "https://evil.example"})
    assert "access-control-allow-origin" not in other.headers
    preflight = client.options("/api/ask", headers={"Origin": "https://news.example",
                                                    "Access-Control-Request-Method": "POST",
                                                    "Access-Control-Request-Headers": "content-type"})
    assert preflight.status_code == 200 and "POST" in preflight.headers["access-control-allow-methods"]


def test_a_429_is_readable_by_an_allowed_origin(built: Settings) -> None:
    built.cors_origins, built.rate_limit_per_minute, built.rate_limit_burst = ["*"], 1, 1
    client = TestClient(create_app(built, mount_ui=False))
    client.get("/api/health")
    refused = client.get("/api/health", headers={"Origin": "https://news.example"})
    assert refused.status_code == 429 and refused.headers["access-control-allow-origin"] == "*"


def test_settings_read_origins_from_the_environment() -> None:
    settings = Settings.from_env({"EXPLAINER_CORS_ORIGINS": "https://a.example, https://b.example",
                                  "EXPLAINER_RATE_LIMIT": "120", "EXPLAINER_RATE_LIMIT_BURST": "10"})
    assert settings.cors_origins == ["https://a.example", "https://b.example"]
    assert settings.rate_limit_per_minute == 120 and settings.rate_limit_burst == 10
