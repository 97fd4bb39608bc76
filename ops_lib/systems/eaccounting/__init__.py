"""Visma eAccounting (eEkonomi) API v2: environments, error catalogue, typed client.

Everything specific to eAccounting lives in this package: hosts, paths,
field names, paging and error codes. The machinery it runs on (OAuth,
the token-aware session, the request budget) is in ``ops_lib.connectors``.
:data:`ops_lib.systems.eaccounting.system.SYSTEM` is what the rest of the
suite sees of it, through the registry (:mod:`ops_lib.systems.registry`)
and the seams in :mod:`ops_lib.systems.base`. This file imports nothing,
so reading the system's options (:mod:`.options`) loads no client.
"""
