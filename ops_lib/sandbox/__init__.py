"""A local, faithful stand-in for the Visma eAccounting API v2 and its identity server.

The demo, the tests and a new user's first hour all run against it. Nothing
in the connectors imports this package: they only ever see URLs.
"""

from ops_lib.sandbox.app import create_app
from ops_lib.sandbox.clock import Clock
from ops_lib.sandbox.config import DEMO_CLIENT, SandboxClient, SandboxConfig

__all__ = ["DEMO_CLIENT", "Clock", "SandboxClient", "SandboxConfig", "create_app"]
