"""The Visma.net ERP part of ``make demo``: the same main job, on the second system's own sandbox.

After the eAccounting part, :func:`run_vismanet_demo` serves the Visma.net
sandbox on a free loopback port and connects its demo company the way a
scheduled job does, as a **service integration**: Visma Connect's
``client_credentials`` grant with the company's tenant id, the client id
and tenant id from ``params/vismanet_connect.yaml``, the client secret from
``OPS_VISMANET_CLIENT_SECRET`` (set here to the sandbox's published demo
secret, as a scheduler's environment would carry a real one). Nobody signs
in. Then it runs, through ``ops run`` into the same archive as the
eAccounting runs: the connection check, the reconciliation of the expense
service's supplier export (``params/vismanet_suppliers.csv``) with the
company's vendors, the check of ``params/mappings_vismanet/`` against the
live chart, VAT codes, subaccount segments and periods, and a dry run of
the demo expense export as journal transactions. Nothing is written to
the sandbox company: every run is a dry run.
"""

from __future__ import annotations

from pathlib import Path
from typing import TextIO

from ops_lib.config.settings import connection_settings, environment
from ops_lib.connection.service import connect_service
from ops_lib.demo.runs import DemoRun, run_notebooks
from ops_lib.runs.runner import load_params
from ops_lib.sandbox.vismanet import VismaNetConfig
from ops_lib.sandbox.vismanet.server import VismaNetServerThread

SYSTEM = "vismanet"
CONNECT_PARAMS = "params/vismanet_connect.yaml"
VISMANET_RUNS = (
    ("notebooks/00_connect.ipynb", CONNECT_PARAMS),
    ("notebooks/20_reconcile.ipynb", "params/vismanet_reconcile_suppliers.yaml"),
    ("notebooks/10_mappings.ipynb", "params/vismanet_mappings_check.yaml"),
    ("notebooks/30_book_vouchers.ipynb", "params/vismanet_book_expenses.yaml"),
)
# The local sandbox's published demo client secret (ops sandbox --system vismanet prints it): no secret anywhere else.
DEMO_CLIENT_SECRET = "ops-demo-secret"
CONNECTION_KEYS = ("system", "environment", "client_id", "tenant_id", "company")


def run_vismanet_demo(root: Path, archive: Path, config_dir: Path, out: TextIO) -> list[DemoRun]:
    """Connect the Visma.net sandbox's company as a service integration and run the main job's notebooks.

    ``config_dir`` keeps the connection (tokens, mode 0600) and the state
    database; ``archive`` is the run archive the runs are sealed into.
    """
    params = load_params(root / CONNECT_PARAMS)
    with VismaNetServerThread(VismaNetConfig()) as server:
        out.write(f"\nVisma.net ERP sandbox running at {server.base_url} (sandbox data only, no real company).\n")
        with environment(OPS_CONFIG_DIR=str(config_dir), OPS_TOKEN_BACKEND="file", OPS_SANDBOX_URL=server.base_url,
                         OPS_VISMANET_CLIENT_SECRET=DEMO_CLIENT_SECRET):
            settings = connection_settings({k: params[k] for k in CONNECTION_KEYS if k in params})
            status = connect_service(settings)
            out.write(f"Connected {status.company_name} as a service integration (client credentials, tenant "
                      f"{settings.tenant_id}; the secret from OPS_VISMANET_CLIENT_SECRET, never params).\n\n"
                      f"Running the Visma.net notebooks with `ops run` into {archive}:\n")
            out.flush()
            return run_notebooks(root, VISMANET_RUNS, archive, out, prefix=f"{SYSTEM}: ")


__all__ = ["VISMANET_RUNS", "run_vismanet_demo"]
