"""`rag serve`: uvicorn with host, port, workers and the connection limits from Settings.

Each worker process loads the model and the index once, at start-up (the app's lifespan).

Limits (docs/web.md, "Connection limits"): HTTP/1.1 is parsed by h11, which refuses a request line plus
headers over ``RAG_MAX_HEADER_BYTES`` (431/400 and close); an idle keep-alive connection is closed after
``RAG_KEEP_ALIVE_SECONDS``; beyond ``RAG_MAX_CONNECTIONS`` open connections/tasks new requests get 503.
Proxy headers (X-Forwarded-For/-Proto) are believed only from the addresses in ``RAG_TRUSTED_PROXIES``
(none by default), so a client cannot pick its own address for the rate limiter.
"""
from __future__ import annotations

from typing import Any

import uvicorn

from rag.config import Settings


def uvicorn_options(settings: Settings) -> dict[str, Any]:
    trusted = ",".join(p.strip() for p in settings.trusted_proxies.split(",") if p.strip())
    return {
        "http": "h11",  # its header-size limit is the one uvicorn enforces (httptools has none)
        "h11_max_incomplete_event_size": settings.max_header_bytes,
        "timeout_keep_alive": settings.keep_alive_seconds,
        "limit_concurrency": settings.max_connections or None,
        "proxy_headers": bool(trusted),
        "forwarded_allow_ips": trusted or None,
        "server_header": False,
    }


def serve(settings: Settings, *, host: str | None = None, port: int | None = None, workers: int | None = None) -> None:
    uvicorn.run("api.main:create_app", factory=True, host=host or settings.host, port=port or settings.port,
                workers=workers or settings.workers, log_level="info", timeout_graceful_shutdown=10,
                **uvicorn_options(settings))
