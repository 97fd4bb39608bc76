"""Connecting a company and opening a client on it, whatever the system.

:mod:`.connect` runs the sign-in, keeps the status and opens a client through
the system registry; :mod:`.demo_sandbox` gives the process its own
in-process sandbox (the ``demo-sandbox`` source) and signed-in demo clients.
It sits above :mod:`ops_lib.config` and :mod:`ops_lib.systems`, which it joins.
"""
