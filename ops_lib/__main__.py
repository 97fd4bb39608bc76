"""``python -m ops_lib`` is the same as the ``ops`` command."""

import sys

from ops_lib.cli.main import main

sys.exit(main())
