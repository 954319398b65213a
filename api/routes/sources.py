"""The ingested files: `GET /v1/sources` lists them, `POST /v1/sources` uploads one (a PDF or a .txt page
export) and ingests it in the background, `GET /v1/sources/jobs/{id}` follows that ingest."""
from __future__ import annotations

import json
import os
import re
import threading
import time
import uuid
from pathlib import Path
from typing import Annotated, Any

from fastapi import APIRouter, Depends, File, HTTPException, Request, UploadFile
from fastapi.concurrency import run_in_threadpool
from pydantic import BaseModel, Field
from starlette.types import ASGIApp, Receive, Scope, Send

from api.deps import AppSettings, Assistant, authorize, error_responses
from api.security import RequestSizeLimit
from rag.config import Settings
from rag.index import IndexError_
from rag.ingest.loaders import PDF_SUFFIXES, TEXT_SUFFIXES, LoadError, load_file

router = APIRouter(prefix="/v1/sources", tags=["sources"], dependencies=[Depends(authorize)])

UPLOAD_PATH = "/v1/sources"
MULTIPART_OVERHEAD = 64_000  # the form's boundaries and headers around the file


class SourceInfo(BaseModel):
    source: str = Field(description="The name citations use for this file (their `source`).")
    path: str = Field(description="The file, relative to the corpus root (never an absolute path).")
    kind: str = Field(description="'pdf' or 'page export'.")
    pages: int
    page_labels: list[str] = Field(description="The page numbers printed on its pages, in order.")
    chunks: int = Field(description="Passages indexed from it.")
    ingested: float | None = Field(description="Unix time it was last read (None if before this was recorded).")


class IngestJob(BaseModel):
    id: str
    file: str = Field(description="The uploaded file's name as stored.")
    state: str = Field(description="queued, running, done or failed.")
    stage: str = Field("", description="What the ingest is doing now ('reading x.pdf', 'embedding').")
    done: int = 0
    total: int = 0
    pages: int | None = Field(None, description="Pages read, once done.")
    added: int | None = Field(None, description="Chunks added, once done.")
    error: str | None = Field(None, description="Why it failed.")
    created: float


class UploadSizeLimit:
    """The app's request-size limit, except for uploads to POST /v1/sources, which get RAG_UPLOAD_MAX_BYTES."""

    def __init__(self, app: ASGIApp, max_bytes: int, upload_max_bytes: int) -> None:
        self.default = RequestSizeLimit(app, max_bytes)
        self.upload = _UploadLimit(app, upload_max_bytes + MULTIPART_OVERHEAD, upload_max_bytes)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        is_upload = scope["type"] == "http" and scope.get("method") == "POST" and \
            scope.get("path", "").rstrip("/") == UPLOAD_PATH
        await (self.upload if is_upload else self.default)(scope, receive, send)


class _UploadLimit(RequestSizeLimit):
    def __init__(self, app: ASGIApp, max_bytes: int, file_bytes: int) -> None:
        super().__init__(app, max_bytes)
        self.file_bytes = file_bytes

    async def _reject(self, send: Send) -> None:
        payload = json.dumps({"detail": too_big(self.file_bytes)}).encode()
        await send({"type": "http.response.start", "status": 413,
                    "headers": [(b"content-type", b"application/json"),
                                (b"content-length", str(len(payload)).encode()), (b"connection", b"close")]})
        await send({"type": "http.response.body", "body": payload})


def too_big(limit: int) -> str:
    return f"The file is larger than {limit:,} bytes (RAG_UPLOAD_MAX_BYTES)."


def safe_name(filename: str | None) -> str:
    """The upload's file name reduced to letters, digits and . _ - (no folders), or a clear 415/422."""
    name = Path((filename or "").replace("\\", "/")).name
    stem, suffix = os.path.splitext(name)
    suffix = suffix.lower()
    if suffix not in PDF_SUFFIXES | TEXT_SUFFIXES:
        raise HTTPException(status_code=415, detail=f"Only a PDF (.pdf) or a page export (.txt) can be added; "
                                                    f"got '{name or 'no file name'}'.")
    stem = re.sub(r"[^A-Za-z0-9._-]+", "-", stem).strip(".-")[:80]
    if not stem:
        raise HTTPException(status_code=422, detail="The file name has no usable characters.")
    return stem + suffix


def check_content(path: Path, name: str, settings: Settings) -> int:
    """Read the file as ingest would: a corrupt or empty one is refused before anything is stored."""
    data_start = path.read_bytes()[:1024]
    if path.suffix.lower() in PDF_SUFFIXES and not data_start.lstrip().startswith(b"%PDF"):
        raise HTTPException(status_code=422, detail=f"{name} is not a PDF (it does not start with %PDF).")
    try:
        pages = load_file(path)
    except LoadError as exc:  # the reason may name the private file: say the user's name instead
        reason = exc.reason.replace(f"'{path}'", name).replace(str(path), name).rstrip(".")
        raise HTTPException(status_code=422, detail=f"{name} cannot be read: {reason}.") from exc
    except Exception as exc:  # a parser's own error on a damaged file
        raise HTTPException(status_code=422, detail=f"{name} cannot be read ({exc.__class__.__name__}).") from exc
    if not pages or not any(p.text.strip() for p in pages):
        raise HTTPException(status_code=422, detail=f"{name} has no text to answer from.")
    if len(pages) > settings.upload_max_pages:
        raise HTTPException(status_code=422, detail=f"{name} has {len(pages)} pages; the limit is "
                                                    f"{settings.upload_max_pages} (RAG_UPLOAD_MAX_PAGES).")
    return len(pages)


class Jobs:
    """Background ingests of uploads, one at a time (the index takes one writer), kept in memory."""

    def __init__(self) -> None:
        self.jobs: dict[str, IngestJob] = {}
        self.lock = threading.Lock()
        self.writer = threading.Lock()

    def start(self, assistant: Any, path: Path) -> IngestJob:
        job = IngestJob(id=uuid.uuid4().hex, file=path.name, state="queued", created=time.time())
        with self.lock:
            self.jobs[job.id] = job
        threading.Thread(target=self._run, args=(assistant, path, job), daemon=True, name=f"ingest-{job.id}").start()
        return job

    def _run(self, assistant: Any, path: Path, job: IngestJob) -> None:
        def progress(stage: str, done: int, total: int) -> None:
            job.stage, job.done, job.total = stage, done, total

        with self.writer:
            job.state = "running"
            try:
                report = assistant.index.ingest([path], progress=progress)
            except IndexError_ as exc:
                job.state, job.error = "failed", str(exc)
                return
            except Exception as exc:  # never leave a job "running" forever
                job.state, job.error = "failed", f"{exc.__class__.__name__}: {exc}"
                return
        if report.skipped:
            job.state, job.error = "failed", "; ".join(reason for _, reason in report.skipped)
        else:
            job.state, job.pages, job.added, job.stage = "done", report.pages, report.added, "done"

    def get(self, job_id: str) -> IngestJob | None:
        with self.lock:
            return self.jobs.get(job_id)


def jobs_of(request: Request) -> Jobs:
    state = request.app.state
    if getattr(state, "ingest_jobs", None) is None:
        state.ingest_jobs = Jobs()
    return state.ingest_jobs


@router.get("", response_model=list[SourceInfo], summary="List the ingested files",
            responses=error_responses(401, 429))
async def list_sources(assistant: Assistant) -> list[SourceInfo]:
    """Every file in the index with its kind, pages, printed page labels, chunks and when it was ingested."""
    assistant.index.reload()
    return [SourceInfo(**{k: v for k, v in s.items() if k in SourceInfo.model_fields})
            for s in assistant.index.source_list()]


def store_upload(upload: UploadFile, settings: Settings) -> Path:
    """Save the upload beside the others, checked first in a private file; only a good file replaces one."""
    name = safe_name(upload.filename)
    folder = settings.upload_dir
    folder.mkdir(parents=True, exist_ok=True)
    # beside the uploads, not among them: a crash mid-upload never leaves a half file that `rag ingest` reads
    spool = settings.data_dir / "uploads-incoming"
    spool.mkdir(parents=True, exist_ok=True)
    incoming = spool / f"{uuid.uuid4().hex}{Path(name).suffix}"
    try:
        size = 0
        with open(incoming, "wb") as out:
            while block := upload.file.read(1 << 20):
                size += len(block)
                if size > settings.upload_max_bytes:
                    raise HTTPException(status_code=413, detail=too_big(settings.upload_max_bytes))
                out.write(block)
        if size == 0:
            raise HTTPException(status_code=422, detail=f"{name} is empty.")
        check_content(incoming, name, settings)
        target = folder / name
        os.replace(incoming, target)
        return target
    finally:
        incoming.unlink(missing_ok=True)


@router.post("", response_model=IngestJob, status_code=202, summary="Add a file (PDF or .txt page export)",
             responses=error_responses(401, 413, 422, 429))
async def upload_source(request: Request, assistant: Assistant, settings: AppSettings,
                        file: Annotated[UploadFile, File(description="A PDF or a .txt page export.")]) -> IngestJob:
    """Checked (type, size, readable) and saved, then ingested in the background: follow the returned job.
    A file with the name of an earlier upload replaces it."""
    path = await run_in_threadpool(store_upload, file, settings)
    return jobs_of(request).start(assistant, path)


@router.get("/jobs/{job_id}", response_model=IngestJob, summary="Follow an upload's ingest",
            responses=error_responses(401, 404, 429))
async def read_job(request: Request, job_id: str) -> IngestJob:
    """The job's state, what it is doing and how far it is."""
    job = jobs_of(request).get(job_id)
    if job is None:
        raise HTTPException(status_code=404, detail=f"No upload job has the id {job_id}.")
    return job
