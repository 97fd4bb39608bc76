"""The ``ops`` command: :func:`main` parses the arguments and dispatches to one library call per command."""

from ops_lib.cli.main import main

__all__ = ["main"]
