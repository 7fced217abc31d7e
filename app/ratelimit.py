"""A per-client token bucket for the REST API of a public deployment (off unless configured).

Each client (its address, or the address its proxy wrote into X-Forwarded-For) has a bucket of `burst`
tokens that refills at `per_minute / 60` tokens a second; a request takes one token or is refused with
429 and a Retry-After header. The buckets live in this process (several app servers each keep their own)
and at most `max_clients` of them are kept, the least recently seen dropped first, so a flood of spoofed
addresses cannot grow the memory.
"""

from __future__ import annotations

import json
import logging
import math
import threading
import time
from collections import OrderedDict
from collections.abc import Callable
from typing import Any

log = logging.getLogger(__name__)

Scope = dict[str, Any]
ASGIApp = Callable[..., Any]


class TokenBucket:
    """Buckets of every client seen lately; `take(client)` is 0.0 when allowed, else seconds to wait."""

    def __init__(self, per_minute: float, burst: int = 0, max_clients: int = 10_000,
                 clock: Callable[[], float] = time.monotonic) -> None:
        self.rate = per_minute / 60.0
        self.burst = float(burst or max(1, math.ceil(per_minute)))
        self.max_clients = max_clients
        self.clock = clock
        self._buckets: OrderedDict[str, tuple[float, float]] = OrderedDict()  # client -> (tokens, when)
        self._lock = threading.Lock()

    def take(self, client: str) -> float:
        now = self.clock()
        with self._lock:
            tokens, then = self._buckets.pop(client, (self.burst, now))
            tokens = min(self.burst, tokens + (now - then) * self.rate)
            wait = 0.0
            if tokens >= 1.0:
                tokens -= 1.0
            else:
                wait = (1.0 - tokens) / self.rate
            self._buckets[client] = (tokens, now)
            while len(self._buckets) > self.max_clients:
                self._buckets.popitem(last=False)
        return wait


def client_of(scope: Scope, trust_forwarded_for: bool) -> str:
    """Who sent the request: the connection's address, or (behind a trusted proxy) the address the proxy
    appended last to X-Forwarded-For (the entries before it are whatever the client claimed)."""
    if trust_forwarded_for:
        for name, value in scope.get("headers") or []:
            if name == b"x-forwarded-for":
                last = value.decode("latin-1").split(",")[-1].strip()
                if last:
                    return last
    client = scope.get("client")
    return str(client[0]) if client else "unknown"


class RateLimitMiddleware:
    """ASGI middleware: requests to paths under `prefix` spend a token of their client's bucket."""

    def __init__(self, app: ASGIApp, bucket: TokenBucket, prefix: str = "/api/",
                 trust_forwarded_for: bool = False) -> None:
        self.app = app
        self.bucket = bucket
        self.prefix = prefix
        self.trust_forwarded_for = trust_forwarded_for

    async def __call__(self, scope: Scope, receive: Callable[..., Any], send: Callable[..., Any]) -> None:
        if scope["type"] != "http" or not scope["path"].startswith(self.prefix) or scope["method"] == "OPTIONS":
            await self.app(scope, receive, send)
            return
        client = client_of(scope, self.trust_forwarded_for)
        wait = self.bucket.take(client)
        if not wait:
            await self.app(scope, receive, send)
            return
        log.info("rate limit: refused a request of %s (retry in %.1f s)", client, wait)
        retry = str(max(1, math.ceil(wait)))
        body = json.dumps({"detail": f"too many requests; try again in {retry} s"}).encode()
        await send({"type": "http.response.start", "status": 429, "headers": [
            (b"content-type", b"application/json"), (b"content-length", str(len(body)).encode()),
            (b"retry-after", retry.encode()),
        ]})
        await send({"type": "http.response.body", "body": body})
