"""Who may call the API and how often: bearer API keys, per-client rate limits, request size limits.

    keys = ApiKeys.parse("key-a,key-b")      # empty string: auth off
    limiter = RateLimiter(per_minute=120)     # 0: no limit
    limiter.acquire("client")                 # -> None, or seconds to wait before retrying
    budget = RateLimiter(per_minute=24_000)   # answer work: question characters (+ ANSWER_BASE_COST each)
    budget.acquire("client", cost=answer_cost("How big is it?"))
"""
from __future__ import annotations

import hashlib
import hmac
import json
import math
import secrets
import threading
import time
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass

from starlette.types import ASGIApp, Message, Receive, Scope, Send


@dataclass(frozen=True)
class ApiKeys:
    """The accepted bearer tokens (``RAG_API_KEYS``, comma-separated); none means auth is off."""

    keys: tuple[str, ...] = ()

    @classmethod
    def parse(cls, value: str) -> ApiKeys:
        return cls(tuple(k.strip() for k in value.split(",") if k.strip()))

    @property
    def enabled(self) -> bool:
        return bool(self.keys)

    def check(self, token: str | None) -> bool:
        """Constant-time comparison against every key, so timing does not reveal a prefix."""
        if not token:
            return False
        given = token.encode()
        matched = False
        for key in self.keys:
            matched |= hmac.compare_digest(given, key.encode())
        return matched

    @staticmethod
    def client_id(token: str) -> str:
        """The principal (owner of conversations, rate-limit bucket) of a key; never holds the key itself."""
        return "key:" + hashlib.sha256(token.encode()).hexdigest()[:32]


ANSWER_BASE_COST = 250  # characters' worth of work every answer costs, however short the question


def answer_cost(question: str) -> int:
    return ANSWER_BASE_COST + len(question)


OWNER_COOKIE = "rag_owner"


def cookie_principal(value: str) -> str:
    """The principal of a browser's owner cookie (a hash: the stored owner is not the cookie)."""
    return "web:" + hashlib.sha256(value.encode()).hexdigest()[:32]


class OwnerCookie:
    """ASGI middleware: when auth is off, a browser is known by a random HttpOnly cookie that owns its
    conversations. A request without one gets a new one (in ``scope["state"]["owner_cookie"]``, and
    ``Set-Cookie`` on the response)."""

    def __init__(self, app: ASGIApp, enabled: bool = True) -> None:
        self.app = app
        self.enabled = enabled

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or not self.enabled:
            await self.app(scope, receive, send)
            return
        value = None
        for name, raw in scope.get("headers") or []:
            if name == b"cookie":
                for part in raw.decode("latin-1").split(";"):
                    key, _, val = part.strip().partition("=")
                    if key == OWNER_COOKIE and 20 <= len(val) <= 100 and val.isascii():
                        value = val
        issued = value is None
        if issued:
            value = secrets.token_urlsafe(32)
        scope.setdefault("state", {})["owner_cookie"] = value

        async def send_with_cookie(message: Message) -> None:
            if issued and message["type"] == "http.response.start":
                cookie = f"{OWNER_COOKIE}={value}; Path=/; Max-Age=31536000; HttpOnly; SameSite=Lax"
                message["headers"] = list(message.get("headers", [])) + [(b"set-cookie", cookie.encode())]
            await send(message)

        await self.app(scope, receive, send_with_cookie)


class RateLimiter:
    """A token bucket per client: bursts up to ``per_minute`` units, refilled continuously. Units are
    requests (RAG_RATE_LIMIT_PER_MINUTE) or answer work, a question's characters plus a fixed cost
    (RAG_ANSWER_BUDGET_PER_MINUTE: long questions cost more retrieval and ranking than short ones).

    Buckets live in this process (with several workers each has its own); the least recently
    seen clients are forgotten beyond ``max_clients``.
    """

    def __init__(self, per_minute: int, *, max_clients: int = 10_000,
                 clock: Callable[[], float] = time.monotonic) -> None:
        self.capacity = float(per_minute)
        self.rate = per_minute / 60.0
        self.max_clients = max_clients
        self.clock = clock
        self._buckets: OrderedDict[str, tuple[float, float]] = OrderedDict()
        self._lock = threading.Lock()

    @property
    def enabled(self) -> bool:
        return self.capacity > 0

    def acquire(self, client: str, cost: float = 1.0) -> float | None:
        """Take ``cost`` units (one request, or a question's characters) from the client's bucket; None
        when allowed, else seconds until it would be. A cost over the capacity costs the capacity."""
        if not self.enabled:
            return None
        cost = min(cost, self.capacity)
        now = self.clock()
        with self._lock:
            tokens, last = self._buckets.pop(client, (self.capacity, now))
            tokens = min(self.capacity, tokens + (now - last) * self.rate)
            if tokens >= cost:
                self._buckets[client] = (tokens - cost, now)
                wait = None
            else:
                self._buckets[client] = (tokens, now)
                wait = (cost - tokens) / self.rate
            while len(self._buckets) > self.max_clients:
                self._buckets.popitem(last=False)
        return wait

    @staticmethod
    def retry_after(wait: float) -> str:
        return str(max(1, math.ceil(wait)))


class RequestSizeLimit:
    """ASGI middleware: a request body over ``max_bytes`` gets 413 before any route reads it.

    A declared Content-Length is checked up front; a chunked body is counted as it arrives.
    """

    def __init__(self, app: ASGIApp, max_bytes: int) -> None:
        self.app = app
        self.max_bytes = max_bytes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or self.max_bytes <= 0:
            await self.app(scope, receive, send)
            return
        headers = dict(scope.get("headers") or [])
        declared = headers.get(b"content-length")
        if declared is not None:
            try:
                too_big = int(declared) > self.max_bytes
            except ValueError:
                too_big = False
            if too_big:
                await self._reject(send)
                return
            await self.app(scope, receive, send)
            return
        if scope.get("method") not in ("POST", "PUT", "PATCH"):
            await self.app(scope, receive, send)
            return
        # No declared length: read the body now so an oversized one is refused before the route runs.
        body = bytearray()
        while True:
            message = await receive()
            if message["type"] == "http.disconnect":
                return
            body.extend(message.get("body", b""))
            if len(body) > self.max_bytes:
                await self._reject(send)
                return
            if not message.get("more_body", False):
                break
        replayed = False

        async def replay() -> Message:
            nonlocal replayed
            if not replayed:
                replayed = True
                return {"type": "http.request", "body": bytes(body), "more_body": False}
            return await receive()

        await self.app(scope, replay, send)

    async def _reject(self, send: Send) -> None:
        payload = json.dumps({"detail": f"The request body is larger than {self.max_bytes} bytes "
                                        "(RAG_MAX_REQUEST_BYTES)."}).encode()
        await send({"type": "http.response.start", "status": 413,
                    "headers": [(b"content-type", b"application/json"),
                                (b"content-length", str(len(payload)).encode()), (b"connection", b"close")]})
        await send({"type": "http.response.body", "body": payload})


class SecurityHeaders:
    """ASGI middleware: headers every response should carry (no sniffing, no framing, no referrer)."""

    HEADERS = [
        (b"x-content-type-options", b"nosniff"),
        (b"x-frame-options", b"DENY"),
        (b"referrer-policy", b"no-referrer"),
    ]

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                present = {k.lower() for k, _ in message.get("headers", [])}
                message["headers"] = list(message.get("headers", [])) + [
                    h for h in self.HEADERS if h[0] not in present]
            await send(message)

        await self.app(scope, receive, send_with_headers)
