"""System-neutral connector machinery: endpoints, OAuth flow, token-aware HTTP session.

Nothing here knows eAccounting's paths, field names or error codes; those
live in each system's own package (``ops_lib.systems.eaccounting``).
"""
