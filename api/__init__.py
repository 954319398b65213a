"""The web side: FastAPI app (chat routes, streaming, web page, Slack events)."""
