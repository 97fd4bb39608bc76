"""Rate policies: what a request is counted under, and budgets that keep to them."""

from __future__ import annotations

from ops_lib.connectors.ratelimit import PerClient, PerCompany, PerEndpoint, RatePolicy, budget_for


def test_each_policy_counts_by_its_own_key() -> None:
    per_endpoint, per_company, per_client = PerEndpoint(590), PerCompany(15000), PerClient(20)
    assert per_endpoint.key("get", "customers/42", "ea/sandbox/1") == "GET customers/{}"
    assert per_endpoint.key("GET", "articles", "ea/sandbox/1") != per_endpoint.key("GET", "customers", "x")
    assert per_company.key("GET", "customers", "vn/prod/1") == per_company.key("POST", "supplier", "vn/prod/1")
    assert per_company.key("GET", "customers", "vn/prod/1") != per_company.key("GET", "customers", "vn/prod/2")
    assert per_client.key("GET", "a", "x") == per_client.key("PUT", "b", "y")
    assert (per_endpoint.window, per_company.window, per_client.window) == (60.0, 3600.0, 1.0)
    assert all(isinstance(p, RatePolicy) for p in (per_endpoint, per_company, per_client))


def test_a_per_second_budget_never_lets_more_through_in_any_second() -> None:
    now, sent = [0.0], []

    def sleep(seconds: float) -> None:
        now[0] += seconds + 1e-9  # a real sleep never ends a hair early, as float sums can

    policy = PerClient(20)
    budget = budget_for(policy, clock=lambda: now[0], sleep=sleep)
    for _ in range(70):
        budget.acquire(policy.key("GET", "ledgerreceipts", "pc/test/1"))
        sent.append(now[0])
        now[0] += 0.001
    for start in sent:
        assert sum(1 for t in sent if start <= t < start + 1.0) <= 20
    assert now[0] < 4.0  # a small margin: the budget does not halve the rate


def test_a_per_hour_budget_waits_for_the_window_to_pass() -> None:
    now, waits = [0.0], []

    def sleep(seconds: float) -> None:
        waits.append(seconds)
        now[0] += seconds + 1e-9

    policy = PerCompany(3)
    budget = budget_for(policy, clock=lambda: now[0], sleep=sleep)
    for path in ("customer", "supplier", "vat", "account"):
        budget.acquire(policy.key("GET", path, "vn/prod/1"))
    assert len(waits) == 1 and 3600 <= waits[0] <= 3602
