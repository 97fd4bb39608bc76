"""A local, faithful stand-in for the Visma eAccounting API v2 and its identity server.

The demo, the tests and a new user's first hour all run against it. Nothing
in the connectors imports this package: they only ever see URLs.
"""

from .app import create_app
from .clock import Clock
from .config import DEMO_CLIENT, SandboxClient, SandboxConfig

__all__ = ["DEMO_CLIENT", "Clock", "SandboxClient", "SandboxConfig", "create_app"]
