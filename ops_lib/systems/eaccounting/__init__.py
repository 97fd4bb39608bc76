"""Visma eAccounting (eEkonomi) API v2: environments, error catalogue, typed client.

Everything specific to eAccounting lives in this package: hosts, paths,
field names, paging and error codes. The machinery it runs on (OAuth,
the token-aware session, the request budget) is in ``ops_lib.connectors``.
"""
