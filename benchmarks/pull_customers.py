"""Benchmark: pull 20,000 customers from the sandbox, against a naive peer, in one run.

Usage: ``make bench`` or ``python benchmarks/pull_customers.py [--customers N]``.

The sandbox is served on a loopback socket and grown to N customers. Then
two clients pull the whole register:

* ``ops_lib``: the suite's connector (largest page size, client-side
  request budget, retries);
* ``peer``: a naive httpx loop paging at the service's default of 50 per
  page, as the PyPI ``visma`` client does, with no budget and no retries.

It prints, for each, the wall time, the requests made, requests per
second and per minute against the service's 600-per-minute ceiling, and
the 429 answers; then the ratios ops_lib/peer. The suite's client must see
no 429 (exit 1 otherwise).
"""

from __future__ import annotations

import argparse
import sys
import time
from dataclasses import dataclass

import httpx

from ops_lib.config.settings import connection_settings
from ops_lib.connection.connect import open_client, start_connect
from ops_lib.sandbox import SandboxConfig
from ops_lib.sandbox.login import approve_consent
from ops_lib.sandbox.server import ServerThread

CEILING_PER_MINUTE = 600


@dataclass
class Result:
    name: str
    records: int
    seconds: float
    requests: int
    rate_limited: int

    @property
    def per_second(self) -> float:
        return self.requests / self.seconds if self.seconds else 0.0

    def line(self) -> str:
        per_minute = self.per_second * 60
        return (f"{self.name:<8} {self.records:>7} records  {self.seconds:7.2f} s  {self.requests:>5} requests  "
                f"{self.per_second:7.1f} req/s  ({per_minute / CEILING_PER_MINUTE:5.2f} x the 600/min ceiling)  "
                f"429s: {self.rate_limited}")


def pull_with_ops_lib(settings: object) -> Result:
    started = time.perf_counter()
    with open_client(settings) as client:  # type: ignore[arg-type]
        records = sum(1 for _ in client.customers.list())
        stats = client.session.stats
    return Result("ops_lib", records, time.perf_counter() - started, stats.requests, stats.rate_limited)


def pull_naively(api_base: str, access_token: str, page_size: int = 50) -> Result:
    started = time.perf_counter()
    records = requests = limited = 0
    with httpx.Client(base_url=api_base, headers={"Authorization": f"Bearer {access_token}"}, timeout=30) as http:
        page = 1
        while True:
            answer = http.get("customers", params={"$page": page, "$pagesize": page_size})
            requests += 1
            if answer.status_code == 429:
                limited += 1
                time.sleep(1)
                continue
            answer.raise_for_status()
            body = answer.json()
            records += len(body["Data"])
            if page >= body["Meta"]["TotalNumberOfPages"]:
                break
            page += 1
    return Result("peer", records, time.perf_counter() - started, requests, limited)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--customers", type=int, default=20_000)
    args = parser.parse_args(argv)

    import tempfile

    with tempfile.TemporaryDirectory() as config_dir, ServerThread(SandboxConfig()) as server:
        settings = connection_settings({"sandbox_url": server.base_url, "config_dir": config_dir,
                                        "token_backend": "file"})
        pending = start_connect(settings, use_catcher=False)
        with httpx.Client() as browser:
            status = pending.complete(approve_consent(browser, pending.url))
        with httpx.Client(base_url=server.base_url, timeout=300) as admin:
            have = 300
            grown = admin.post("/_sandbox/bulk-customers", json={"company": status.org_number,
                                                                  "count": args.customers - have}).json()
        print(f"Sandbox at {server.base_url}: {grown['total']} customers in {status.company_name}\n")

        ours = pull_with_ops_lib(settings)
        with open_client(settings) as client:
            client.company_settings()
            token = client.session.connection.token["access_token"]
        peer = pull_naively(settings.endpoints.api_base, token)

    print(ours.line())
    print(peer.line())
    print(f"\nratio ops_lib/peer: wall time {ours.seconds / peer.seconds:.2f}, "
          f"requests {ours.requests / peer.requests:.3f}, requests per second {ours.per_second / peer.per_second:.2f}")
    print("peer: naive httpx paging at the service default of 50 per page (as the PyPI `visma` client)")
    if peer.per_second * 60 > CEILING_PER_MINUTE:
        print("note: the peer's pace is above the ceiling; over a pull longer than a minute it meets 429s, "
              "while ops_lib's budget holds every endpoint under it")
    if ours.records != args.customers or ours.rate_limited:
        print("FAIL: ops_lib must pull every record with no 429", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
