"""`rag serve`: uvicorn with host, port and workers from Settings."""
from __future__ import annotations

import uvicorn

from rag.config import Settings


def serve(settings: Settings, *, host: str, port: int, workers: int = 1) -> None:
    uvicorn.run("api.main:create_app", factory=True, host=host, port=port, workers=workers, log_level="info")
