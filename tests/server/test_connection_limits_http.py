"""What `rag serve` does with hostile connections: spoofed X-Forwarded-For, a 1 MB header, an idle
keep-alive connection (raw sockets against the real server)."""
from __future__ import annotations

import socket
import time

import pytest

from tests.api.live import LiveServer, fresh_data_dir, report_data  # noqa: F401  (fixture)

pytestmark = pytest.mark.server

KEEP_ALIVE = 2
PER_MINUTE = 3


@pytest.fixture(scope="module")
def server(report_data, tmp_path_factory):  # noqa: F811
    live = LiveServer(fresh_data_dir(report_data, tmp_path_factory.mktemp("conn-limits")),
                      rate_limit_per_minute=PER_MINUTE, keep_alive_seconds=KEEP_ALIVE).start()
    yield live
    live.stop()


def raw_request(server, request: bytes, timeout: float = 10) -> tuple[socket.socket, bytes]:
    sock = socket.create_connection(("127.0.0.1", server.port), timeout=timeout)
    sock.sendall(request)
    data = b""
    while b"\r\n\r\n" not in data:
        chunk = sock.recv(65536)
        if not chunk:
            break
        data += chunk
    return sock, data


def test_x_forwarded_for_from_an_untrusted_peer_does_not_buy_a_new_rate_limit(server):
    with server.client() as http:
        statuses = [http.get("/v1/models", headers={"X-Forwarded-For": f"203.0.113.{i}"}).status_code
                    for i in range(PER_MINUTE + 2)]
    assert statuses[:PER_MINUTE] == [200] * PER_MINUTE and statuses[-1] == 429, statuses


def test_a_one_megabyte_header_is_refused_and_the_server_keeps_serving(server):
    big = b"X-Filler: " + b"a" * 1_000_000 + b"\r\n"
    request = b"GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\n" + big + b"\r\n"
    sock = socket.create_connection(("127.0.0.1", server.port), timeout=10)
    reply = b""
    try:
        sock.sendall(request)
        reply = sock.recv(65536)
    except (ConnectionResetError, BrokenPipeError):
        pass  # refused before it was all sent: also not served
    finally:
        sock.close()
    assert not reply.startswith(b"HTTP/1.1 200"), reply[:200]
    assert reply == b"" or reply.split(b" ", 2)[1] in (b"400", b"431"), reply[:200]
    sock, head = raw_request(server, b"GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n")
    sock.close()
    assert head.startswith(b"HTTP/1.1 200")


def test_an_idle_keep_alive_connection_is_closed_after_the_timeout(server):
    sock, head = raw_request(server, b"GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n", timeout=KEEP_ALIVE + 10)
    try:
        assert head.startswith(b"HTTP/1.1 200")
        started = time.monotonic()
        rest = head.split(b"\r\n\r\n", 1)[1]
        while True:  # drain the body, then wait for the server to hang up
            chunk = sock.recv(65536)
            if not chunk:
                break
            rest += chunk
        idle = time.monotonic() - started
    finally:
        sock.close()
    assert KEEP_ALIVE - 0.5 <= idle <= KEEP_ALIVE + 2, idle


@pytest.fixture(scope="module")
def behind_proxy(report_data, tmp_path_factory):  # noqa: F811
    live = LiveServer(fresh_data_dir(report_data, tmp_path_factory.mktemp("conn-proxy")),
                      rate_limit_per_minute=PER_MINUTE, trusted_proxies="127.0.0.1").start()
    yield live
    live.stop()


def test_behind_a_trusted_proxy_each_forwarded_client_has_its_own_limit(behind_proxy):
    with behind_proxy.client() as http:
        spread = [http.get("/v1/models", headers={"X-Forwarded-For": f"203.0.113.{i}"}).status_code
                  for i in range(PER_MINUTE + 2)]
        one = [http.get("/v1/models", headers={"X-Forwarded-For": "198.51.100.7"}).status_code
               for _ in range(PER_MINUTE + 1)]
    assert spread == [200] * (PER_MINUTE + 2)
    assert one[:PER_MINUTE] == [200] * PER_MINUTE and one[-1] == 429
