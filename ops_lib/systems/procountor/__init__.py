"""Procountor, the third accounting system on the seam (Finnish companies, ledger receipts, M2M API keys).

The registry loads :data:`ops_lib.systems.procountor.system.SYSTEM`; nothing
outside this package names a Procountor field.
"""
