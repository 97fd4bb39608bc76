"""``python -m ops_lib`` is the same as the ``ops`` command."""

import sys

from .cli import main

sys.exit(main())
