"""`rag serve`: uvicorn with host, port and workers from Settings.

Each worker process loads the model and the index once, at start-up (the app's lifespan).
"""
from __future__ import annotations

import uvicorn

from rag.config import Settings


def serve(settings: Settings, *, host: str | None = None, port: int | None = None, workers: int | None = None) -> None:
    uvicorn.run("api.main:create_app", factory=True, host=host or settings.host, port=port or settings.port,
                workers=workers or settings.workers, log_level="info", timeout_graceful_shutdown=10)
