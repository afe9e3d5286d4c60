"""`RateBudget` on its own: what each answer's rate-limit headers tell it, on a clock the test moves."""

from __future__ import annotations

from components.coolify.client.rate_budget import MARGIN_S, RateBudget


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def answered(limit: int, remaining: int, **extra: str) -> dict[str, str]:
    return {"X-RateLimit-Limit": str(limit), "X-RateLimit-Remaining": str(remaining), **extra}


def test_nothing_known_means_no_wait_and_an_answer_without_headers_changes_nothing() -> None:
    budget = RateBudget(clock=Clock())
    budget.acquire()
    budget.release({"Content-Type": "application/json"})
    budget.acquire()
    budget.release(None)
    assert budget.wait_s() == 0.0


def test_the_last_request_of_the_window_makes_the_next_wait_for_its_end() -> None:
    clock = Clock()
    budget = RateBudget(clock=clock)
    budget.acquire()
    budget.release(answered(200, 1))
    assert budget.wait_s() == 0.0
    clock.now += 10
    budget.acquire()
    budget.release(answered(200, 0))
    # The window began at the latest with the first answer, 10 s ago.
    assert budget.wait_s() == 50 + MARGIN_S
    clock.now += 50 + MARGIN_S
    assert budget.wait_s() == 0.0


def test_requests_in_flight_count_as_used_until_their_answers_say() -> None:
    clock = Clock()
    budget = RateBudget(clock=clock)
    for _ in range(3):
        budget.acquire()
    # Three in flight; the first answer says 3 left, which may not count the other two yet.
    budget.release(answered(5, 3))
    assert budget.wait_s() == 0.0
    budget.acquire()  # the last one the window can take
    assert budget.wait_s() == 60 + MARGIN_S


def test_the_throttle_429_says_when_the_window_ends() -> None:
    clock = Clock()
    budget = RateBudget(clock=clock)
    budget.acquire()
    budget.release(answered(200, 0, **{"Retry-After": "17", "X-RateLimit-Reset": "1999999999"}))
    assert budget.wait_s() == 17 + MARGIN_S


def test_a_full_deploy_queue_429_leaves_the_budget_alone() -> None:
    budget = RateBudget(clock=Clock())
    budget.acquire()
    # DeployController answers 429 with Retry-After: 60 while the rate limit still has requests left.
    budget.release(answered(200, 150, **{"Retry-After": "60"}))
    assert budget.wait_s() == 0.0


def test_a_window_that_ended_early_is_seen_from_the_next_answer() -> None:
    clock = Clock()
    budget = RateBudget(clock=clock)
    budget.acquire()
    budget.release(answered(200, 5))  # another process had used most of this window
    clock.now += 30
    budget.acquire()
    budget.release(answered(200, 199))  # its window ended: a new one began with this request
    for _ in range(199):
        budget.acquire()
        budget.release(None)
    assert budget.wait_s() == 60 + MARGIN_S


def test_after_the_window_ends_the_whole_limit_is_there_again() -> None:
    clock = Clock()
    budget = RateBudget(clock=clock)
    budget.acquire()
    budget.release(answered(3, 0))
    clock.now += 60 + MARGIN_S
    for _ in range(3):
        assert budget.wait_s() == 0.0
        budget.acquire()
    budget.release(answered(3, 2))
    budget.release(answered(3, 1))
    budget.release(answered(3, 0))
    assert budget.wait_s() == 60 + MARGIN_S


def test_an_answer_overtaken_by_later_ones_is_not_taken_for_a_new_window() -> None:
    clock = Clock()
    budget = RateBudget(clock=clock)
    for _ in range(4):
        budget.acquire()
    # Four requests counted by Coolify in one window of 4; the answer computed second arrives last.
    for remaining in (3, 1, 0, 2):
        budget.release(answered(4, remaining))
    assert budget.wait_s() == 60 + MARGIN_S
