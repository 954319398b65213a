"""The pure parts of the API's guards: keys, the token bucket, locating a quote on a page."""
from __future__ import annotations

import pytest

from api.routes.pages import find_quote
from api.security import ApiKeys, RateLimiter


class FakeClock:
    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now


class TestApiKeys:
    def test_parse_ignores_blanks_and_spaces(self):
        assert ApiKeys.parse(" key-a, ,key-b ").keys == ("key-a", "key-b")
        assert not ApiKeys.parse("").enabled

    @pytest.mark.parametrize(("token", "ok"), [("key-a", True), ("key-b", True), ("key-", False), ("", False),
                                               (None, False), ("key-a ", False)])
    def test_check(self, token, ok):
        assert ApiKeys.parse("key-a,key-b").check(token) is ok

    def test_client_id_does_not_contain_the_key(self):
        assert "secret" not in ApiKeys.client_id("secret")


class TestRateLimiter:
    def test_burst_up_to_the_limit_then_wait_until_refilled(self):
        clock = FakeClock()
        limiter = RateLimiter(6, clock=clock)
        assert [limiter.acquire("a") for _ in range(6)] == [None] * 6
        wait = limiter.acquire("a")
        assert wait == pytest.approx(10.0) and RateLimiter.retry_after(wait) == "10"
        assert limiter.acquire("b") is None, "each client has its own bucket"
        clock.now = 10.0
        assert limiter.acquire("a") is None and limiter.acquire("a") is not None

    def test_zero_turns_it_off(self):
        limiter = RateLimiter(0)
        assert not limiter.enabled and all(limiter.acquire("a") is None for _ in range(1000))

    def test_forgets_the_least_recent_clients(self):
        limiter = RateLimiter(1, max_clients=2)
        for client in ("a", "b", "c"):
            limiter.acquire(client)
        assert limiter.acquire("a") is None, "a was forgotten, so it starts with a full bucket"


class TestFindQuote:
    TEXT = "Gui’an New Area is the eighth national new area established in 2014.  Located between Guiyang"

    def test_exact(self):
        [span] = find_quote(self.TEXT, "Gui’an New Area is the eighth national new area established in 2014.")
        assert (span.start, span.end) == (0, 68)

    def test_straight_apostrophe_and_whitespace_differences(self):
        [span] = find_quote(self.TEXT, "Gui'an New Area is the eighth   national\nnew area")
        assert self.TEXT[span.start:span.end] == "Gui’an New Area is the eighth national new area"

    def test_absent_or_blank(self):
        assert find_quote(self.TEXT, "Shenzhen") == [] and find_quote(self.TEXT, "  ") == []
