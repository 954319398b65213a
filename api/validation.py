"""Text that no route should see, refused once at the edge: lone UTF-16 surrogates and control characters.

JSON may spell a lone surrogate (``"\\ud800 planned area"``); Python decodes it into a string that cannot
be encoded as UTF-8, so it would fail deep inside (the conversation store, the response) as a 500. This
middleware parses each JSON request body under ``/v1/`` once, walks its strings (keys too) and answers
422 naming the field, before any route runs:

    app.add_middleware(TextValidation)
    # {"detail": "messages[1].content: a lone UTF-16 surrogate (U+D800) at character 0; send valid Unicode text."}

On ``/v1/chat/completions`` the body is OpenAI's error envelope
``{"error": {"message", "type": "invalid_request_error", "param", "code"}}``.
Tab, line feed and carriage return are allowed; other C0 controls and DEL are not.
"""
from __future__ import annotations

import json
import re
from typing import Any

from starlette.types import ASGIApp, Message, Receive, Scope, Send

BAD_CHAR = re.compile(r"[\ud800-\udfff\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
MAX_DEPTH = 64


class TextProblem(ValueError):
    def __init__(self, field: str, message: str) -> None:
        super().__init__(f"{field}: {message}")
        self.field = field
        self.message = message


def describe(char: str, at: int) -> str:
    code = ord(char)
    kind = "a lone UTF-16 surrogate" if 0xD800 <= code <= 0xDFFF else "a control character"
    return f"{kind} (U+{code:04X}) at character {at}; send valid Unicode text"


def check_text(value: Any, field: str = "body", depth: int = 0) -> None:
    """Raise TextProblem for the first string (or key) holding a surrogate or control character."""
    if depth > MAX_DEPTH:
        raise TextProblem(field, f"nested more than {MAX_DEPTH} levels deep")
    if isinstance(value, str):
        bad = BAD_CHAR.search(value)
        if bad:
            raise TextProblem(field, describe(bad.group(), bad.start()))
    elif isinstance(value, list):
        for i, item in enumerate(value):
            check_text(item, f"{field}[{i}]", depth + 1)
    elif isinstance(value, dict):
        for key, item in value.items():
            name = key if field == "body" else f"{field}.{key}"
            bad = BAD_CHAR.search(key)
            if bad:
                raise TextProblem(name, "the field name has " + describe(bad.group(), bad.start()))
            check_text(item, name, depth + 1)


def error_body(path: str, problem: TextProblem) -> dict[str, Any]:
    """``{"detail": …}``, or OpenAI's envelope on the OpenAI-compatible paths (the route module's own)."""
    from api.routes import openai

    if openai.is_openai_path(path):
        return openai.error_body(422, str(problem) + ".", param=problem.field, code="invalid_text")
    return {"detail": str(problem) + "."}


class TextValidation:
    """ASGI middleware: refuse a JSON body under ``/v1/`` whose text holds a lone surrogate or a
    control character, with 422 naming the field (the body is then replayed to the route unchanged)."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if (scope["type"] != "http" or scope.get("method") not in ("POST", "PUT", "PATCH")
                or not scope.get("path", "").startswith("/v1/")):
            await self.app(scope, receive, send)
            return
        headers = dict(scope.get("headers") or [])
        if b"json" not in headers.get(b"content-type", b"application/json"):
            await self.app(scope, receive, send)
            return
        chunks: list[bytes] = []
        while True:
            message = await receive()
            if message["type"] == "http.disconnect":
                return
            chunks.append(message.get("body", b""))
            if not message.get("more_body", False):
                break
        body = b"".join(chunks)
        problem = None
        try:
            check_text(json.loads(body))
        except TextProblem as exc:
            problem = exc
        except RecursionError:
            problem = TextProblem("body", f"nested more than {MAX_DEPTH} levels deep")
        except ValueError:
            pass  # not JSON (or not UTF-8): the route's own validation says so
        if problem is not None:
            payload = json.dumps(error_body(scope["path"], problem)).encode()
            await send({"type": "http.response.start", "status": 422,
                        "headers": [(b"content-type", b"application/json"),
                                    (b"content-length", str(len(payload)).encode())]})
            await send({"type": "http.response.body", "body": payload})
            return
        replayed = False

        async def replay() -> Message:
            nonlocal replayed
            if not replayed:
                replayed = True
                return {"type": "http.request", "body": body, "more_body": False}
            return await receive()

        await self.app(scope, replay, send)
