"""Visma.net ERP (Financials) as the suite's second accounting system.

Everything Visma.net-specific lives in this package: hosts, scopes, the
``{"value": x}`` write DTOs, paging, error bodies and booking rules. The
registry finds it through :data:`ops_lib.systems.vismanet.system.SYSTEM`.
"""
