"""The Procountor part of ``make demo``: the same main job, on the third system's own sandbox.

After the Visma.net part, :func:`run_procountor_demo` serves the Procountor
sandbox on a free loopback port and connects its Finnish demo company the
way a scheduled job does, machine to machine (M2M): ``client_credentials``
at ``/oauth/token`` with the client id from ``params/procountor_connect.yaml``
and the client secret and API key from ``OPS_PROCOUNTOR_CLIENT_SECRET`` and
``OPS_PROCOUNTOR_API_KEY`` (set here to the sandbox's published demo values,
as a scheduler's environment would carry real ones). The API key is bound
to a user and a company, so it picks the company; nobody signs in. Then it
runs, through ``ops run`` into the same archive as the other systems' runs:
the connection check, the reconciliation of the expense service's supplier
export (``params/procountor_suppliers.csv``) with the company's business
partners, the check of ``params/mappings_procountor/`` against the live
chart of accounts, VAT settings, dimensions and fiscal years, and a dry run
of the Finnish demo expense export (:mod:`ops_lib.demo.procountor_export`)
as ledger receipts. Nothing is written to the sandbox company: every run
is a dry run, and no receipt is approved.
"""

from __future__ import annotations

from pathlib import Path
from typing import TextIO

from ops_lib.config.settings import connection_settings, environment
from ops_lib.connection.service import connect_service
from ops_lib.demo.procountor_export import write_finnish_demo_export
from ops_lib.demo.runs import DemoRun, run_notebooks
from ops_lib.runs.runner import load_params
from ops_lib.sandbox.procountor import ProcountorConfig
from ops_lib.sandbox.procountor.server import ProcountorServerThread

SYSTEM = "procountor"
CONNECT_PARAMS = "params/procountor_connect.yaml"
BOOKING_PARAMS = "params/procountor_book_expenses.yaml"
PROCOUNTOR_RUNS = (
    ("notebooks/00_connect.ipynb", CONNECT_PARAMS),
    ("notebooks/20_reconcile.ipynb", "params/procountor_reconcile_suppliers.yaml"),
    ("notebooks/10_mappings.ipynb", "params/procountor_mappings_check.yaml"),
    ("notebooks/30_book_vouchers.ipynb", BOOKING_PARAMS),
)
# The local sandbox's published demo client secret and API key (`ops sandbox --system procountor` prints them):
# sandbox-only values that work nowhere else, and are in no params file.
DEMO_CLIENT_SECRET = "ops-demo-secret"
DEMO_API_KEY = "ops-demo-api-key"
CONNECTION_KEYS = ("system", "environment", "client_id", "company")


def demo_secrets() -> dict[str, str]:
    """The environment a scheduler would give the job: the client secret and the API key, never params."""
    return {"OPS_PROCOUNTOR_CLIENT_SECRET": DEMO_CLIENT_SECRET, "OPS_PROCOUNTOR_API_KEY": DEMO_API_KEY}


def run_procountor_demo(root: Path, archive: Path, config_dir: Path, out: TextIO) -> list[DemoRun]:
    """Connect the Procountor sandbox's company machine to machine and run the main job's notebooks.

    ``config_dir`` keeps the connection (tokens, mode 0600) and the state
    database; ``archive`` is the run archive the runs are sealed into; the
    Finnish demo export is written next to it (``procountor_export/``).
    """
    params = load_params(root / CONNECT_PARAMS)
    export = write_finnish_demo_export(archive.parent / "procountor_export")
    with ProcountorServerThread(ProcountorConfig()) as server:
        out.write(f"\nProcountor sandbox running at {server.base_url} (sandbox data only, no real company).\n")
        with environment(OPS_CONFIG_DIR=str(config_dir), OPS_TOKEN_BACKEND="file", OPS_SANDBOX_URL=server.base_url,
                         **demo_secrets()):
            settings = connection_settings({k: params[k] for k in CONNECTION_KEYS if k in params})
            status = connect_service(settings)
            out.write(f"Connected {status.company_name} machine to machine (client credentials with an API key; "
                      f"the secret and the key from OPS_PROCOUNTOR_CLIENT_SECRET and OPS_PROCOUNTOR_API_KEY, "
                      f"never params).\n\nRunning the Procountor notebooks with `ops run` into {archive}:\n")
            out.flush()
            return run_notebooks(root, PROCOUNTOR_RUNS, archive, out, prefix=f"{SYSTEM}: ",
                                 overrides={BOOKING_PARAMS: {"source": str(export)}})


__all__ = ["PROCOUNTOR_RUNS", "demo_secrets", "run_procountor_demo"]
