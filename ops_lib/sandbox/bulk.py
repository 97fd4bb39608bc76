"""Grow a sandbox company's customer register for load tests and benchmarks.

``POST /_sandbox/bulk-customers {"company": "<org number or id>", "count": N}``
adds N customers copied from the seeded ones, with new numbers after the
highest in use and names made unique by their number, in one transaction.
The seeded demo world itself never changes size.
"""

from __future__ import annotations

import json

from starlette.requests import Request
from starlette.responses import JSONResponse

from ops_lib.sandbox.core import Sandbox
from ops_lib.sandbox.schemas import CUSTOMER
from ops_lib.sandbox.seed import make_id

MAX_BULK = 100_000


def add_customers(sandbox: Sandbox, company_id: str, count: int) -> None:
    """Add ``count`` customers to one company."""
    templates = sandbox.store.all(company_id, "customers")
    if not templates:
        raise ValueError("the company has no customers to copy")
    numbers = [int(c["CustomerNumber"]) for c in templates if str(c["CustomerNumber"]).isdigit()]
    first = max(numbers, default=0) + 1
    name_limit = int(CUSTOMER.field("Name").max_length)  # type: ignore[arg-type,union-attr]  # the schema's limit
    with sandbox.store.transaction():
        for i in range(count):
            number = str(first + i)
            record = dict(templates[i % len(templates)])
            suffix = f" {number}"
            record.update(Id=make_id(company_id, "bulk-customer", number), CustomerNumber=number,
                          Name=record["Name"][: name_limit - len(suffix)] + suffix, ChangedUtc=sandbox.clock.stamp())
            sandbox.store.put(company_id, "customers", record["Id"], record)  # make_id is lower case already


async def bulk_customers(request: Request) -> JSONResponse:
    sandbox: Sandbox = request.app.state.sandbox
    try:
        body = json.loads(await request.body() or b"{}")
        wanted = str(body.get("company", ""))
        count = int(body.get("count", 0))
    except (ValueError, TypeError, AttributeError) as exc:
        return JSONResponse({"error": str(exc)}, status_code=400)
    company = next((c for c in sandbox.companies if wanted in (c.id, c.org_number)), None)
    if company is None:
        return JSONResponse({"error": f"no sandbox company {wanted!r}"}, status_code=400)
    if not 1 <= count <= MAX_BULK:
        return JSONResponse({"error": f"count must be between 1 and {MAX_BULK}"}, status_code=400)
    add_customers(sandbox, company.id, count)
    return JSONResponse({"company": company.org_number, "added": count,
                         "total": sandbox.store.count(company.id, "customers")})
