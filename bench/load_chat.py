"""Load run of POST /v1/chat: N concurrent clients, bounded in requests and seconds, 127.0.0.1 only.

    .venv/bin/python bench/load_chat.py                      # starts its own server on a copy of the index
    .venv/bin/python bench/load_chat.py --url http://127.0.0.1:8000 --clients 20 --requests 400

Each client keeps one conversation (a question, then follow-ups in the same session). Prints p50/p95
latency and throughput; exits 1 if any request failed. Without --url the server runs on a copy of
RAG_DATA_DIR (or a fresh ingest of corpus/) with the rate limit off, so the user's data is untouched.
"""
from __future__ import annotations

import argparse
import asyncio
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from urllib.parse import urlparse

import httpx

ROOT = Path(__file__).resolve().parent.parent
CONVERSATIONS = [
    ["When was Gui'an New Area established?", "How big is it?", "What was its GDP in 2024?"],
    ["What is the planned area of Gui'an New Area?", "And the directly administered area?"],
    ["How many large-scale data centers has Gui'an attracted?", "What is the total computing power?"],
    ["What was the population of Shenzhen in 1850?"],
    ["When was the Guiyang National High-tech Industrial Development Zone established?"],
]
LOCAL_HOSTS = {"127.0.0.1", "localhost", "::1"}


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    if not ordered:
        return float("nan")
    rank = q / 100 * (len(ordered) - 1)
    low, high = int(rank), min(int(rank) + 1, len(ordered) - 1)
    return ordered[low] + (ordered[high] - ordered[low]) * (rank - low)


def free_port() -> int:
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def prepare_data_dir(target: Path) -> Path:
    """A private copy of the user's index, or a fresh ingest of corpus/ when there is none."""
    source = Path(os.environ.get("RAG_DATA_DIR", ROOT / ".rag"))
    data = target / "data"
    if (source / "index.json").exists() and not os.environ.get("RAG_CHROMA_URL"):
        shutil.copytree(source, data, ignore=shutil.ignore_patterns("conversations.sqlite3*", "ingest.lock"))
        return data
    env = {**os.environ, "RAG_DATA_DIR": str(data)}
    subprocess.run([sys.executable, "-m", "rag.cli", "ingest", str(ROOT / "corpus")], cwd=ROOT, env=env, check=True)
    return data


def start_server(data_dir: Path, workers: int) -> tuple[subprocess.Popen, str]:
    port = free_port()
    env = {**os.environ, "RAG_DATA_DIR": str(data_dir), "RAG_RATE_LIMIT_PER_MINUTE": "0", "RAG_API_KEYS": ""}
    proc = subprocess.Popen([sys.executable, "-m", "uvicorn", "api.main:create_app", "--factory", "--host",
                             "127.0.0.1", "--port", str(port), "--workers", str(workers), "--log-level", "warning"],
                            cwd=ROOT, env=env)
    url = f"http://127.0.0.1:{port}"
    deadline = time.time() + 300
    while time.time() < deadline:
        if proc.poll() is not None:
            raise SystemExit("the server exited during start-up")
        try:
            if httpx.get(f"{url}/readyz", timeout=2).status_code == 200:
                return proc, url
        except httpx.HTTPError:
            pass
        time.sleep(0.3)
    proc.terminate()
    raise SystemExit("the server did not become ready in 300 s")


async def run_load(url: str, *, clients: int, requests: int, max_seconds: float, key: str | None) -> dict:
    latencies: list[float] = []
    errors: list[str] = []
    abstained = 0
    budget = iter(range(requests))
    deadline = time.perf_counter() + max_seconds
    headers = {"Authorization": f"Bearer {key}"} if key else {}
    limits = httpx.Limits(max_connections=clients, max_keepalive_connections=clients)

    async def client(n: int, http: httpx.AsyncClient) -> None:
        nonlocal abstained
        turn = 0
        session: str | None = None
        conversation = CONVERSATIONS[n % len(CONVERSATIONS)]
        while time.perf_counter() < deadline and next(budget, None) is not None:
            if turn == len(conversation):
                turn, session = 0, None
            started = time.perf_counter()
            try:
                response = await http.post("/v1/chat", json={"message": conversation[turn], "session_id": session})
            except httpx.HTTPError as exc:
                errors.append(f"{type(exc).__name__}: {exc}")
                continue
            elapsed = time.perf_counter() - started
            if response.status_code != 200:
                errors.append(f"{response.status_code}: {response.text[:200]}")
                continue
            body = response.json()
            latencies.append(elapsed)
            abstained += body["abstained"]
            session = body["session_id"]
            turn += 1

    async with httpx.AsyncClient(base_url=url, timeout=60, headers=headers, limits=limits) as http:
        warm = await http.post("/v1/chat", json={"message": "What is the planned area of Gui'an New Area?"})
        warm.raise_for_status()
        started = time.perf_counter()
        await asyncio.gather(*(client(n, http) for n in range(clients)))
        wall = time.perf_counter() - started
    return {
        "clients": clients,
        "requests": len(latencies) + len(errors),
        "ok": len(latencies),
        "errors": len(errors),
        "error_samples": errors[:5],
        "abstained": abstained,
        "seconds": round(wall, 2),
        "throughput_rps": round(len(latencies) / wall, 1) if wall else 0.0,
        "p50_ms": round(percentile(latencies, 50) * 1000, 1),
        "p95_ms": round(percentile(latencies, 95) * 1000, 1),
        "p99_ms": round(percentile(latencies, 99) * 1000, 1),
        "max_ms": round(max(latencies, default=float("nan")) * 1000, 1),
        "mean_ms": round(statistics.fmean(latencies) * 1000, 1) if latencies else float("nan"),
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--url", help="A running server (127.0.0.1 only); default: start one.")
    parser.add_argument("--clients", type=int, default=20)
    parser.add_argument("--requests", type=int, default=400, help="Total requests across all clients.")
    parser.add_argument("--max-seconds", type=float, default=120.0, help="Stop sending after this long.")
    parser.add_argument("--workers", type=int, default=1, help="uvicorn workers of the started server.")
    parser.add_argument("--key", default=os.environ.get("RAG_BENCH_KEY"), help="API key for --url servers.")
    parser.add_argument("--json", type=Path, help="Also write the figures to this file.")
    args = parser.parse_args(argv)

    proc = None
    with tempfile.TemporaryDirectory(prefix="rag-bench-") as tmp:
        if args.url:
            if urlparse(args.url).hostname not in LOCAL_HOSTS:
                parser.error("the load run only targets 127.0.0.1")
            url = args.url
        else:
            proc, url = start_server(prepare_data_dir(Path(tmp)), args.workers)
        try:
            figures = asyncio.run(run_load(url, clients=args.clients, requests=args.requests,
                                           max_seconds=args.max_seconds, key=args.key))
        finally:
            if proc is not None:
                proc.terminate()
                proc.wait(timeout=30)
    print(f"{figures['ok']}/{figures['requests']} ok, {figures['errors']} errors · {figures['clients']} clients · "
          f"{figures['seconds']} s · {figures['throughput_rps']} req/s · p50 {figures['p50_ms']} ms · "
          f"p95 {figures['p95_ms']} ms · p99 {figures['p99_ms']} ms · max {figures['max_ms']} ms")
    for sample in figures["error_samples"]:
        print(f"  error: {sample}")
    if args.json:
        args.json.write_text(json.dumps(figures, indent=2))
    return 1 if figures["errors"] else 0


if __name__ == "__main__":
    sys.exit(main())
