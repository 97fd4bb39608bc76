"""``make demo``: the main job, end to end on the sandbox, exactly as a schedule would run it.

It serves the sandbox on a free loopback port, connects a company through
the OAuth code flow (the sandbox consents by itself), and then runs the
notebooks through ``ops run`` into a run archive: the connection check,
reconciliation with a dry-run sync for customers, products and projects,
the mapping check, a dry-run booking of the demo expenses, a dry run of the
demo invoice drafts and one of the supplier costs since last month (``40_invoices``,
one step each), and the audit review of the archive. Then it does the same
main job on the Visma.net ERP sandbox and on the Procountor sandbox, into the
same archive
(:mod:`ops_lib.demo.vismanet`, :mod:`ops_lib.demo.procountor`).
It ends by verifying the archive and printing where the executed notebooks
and reports are and what they found.

Everything the demo writes stays under ``build/demo/``: its own config
directory (tokens, state database) and its own archive, never the user's.
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import TextIO

from ops_lib.config.settings import environment
from ops_lib.connection.demo_sandbox import store_sandbox_connection
from ops_lib.demo.procountor import run_procountor_demo
from ops_lib.demo.runs import DemoRun, run_notebooks
from ops_lib.demo.vismanet import run_vismanet_demo
from ops_lib.runs.audit import verify_archive
from ops_lib.sandbox import SandboxConfig
from ops_lib.sandbox.server import ServerThread

DEMO_RUNS = (
    ("notebooks/00_connect.ipynb", "params/connect.yaml"),
    ("notebooks/20_reconcile.ipynb", "params/reconcile_customers.yaml"),
    ("notebooks/20_reconcile.ipynb", "params/reconcile_products.yaml"),
    ("notebooks/20_reconcile.ipynb", "params/reconcile_projects.yaml"),
    ("notebooks/10_mappings.ipynb", "params/mappings_check.yaml"),
    ("notebooks/30_book_vouchers.ipynb", "params/book_expenses.yaml"),
    ("notebooks/40_invoices.ipynb", "params/invoices_drafts.yaml"),
    ("notebooks/40_invoices.ipynb", "params/invoices_supplier_costs.yaml"),
    ("notebooks/90_audit_review.ipynb", "params/audit.yaml"),
)


def run_demo(root: Path = Path("."), out_dir: Path = Path("build/demo"), out: TextIO = sys.stdout, *,
             vismanet: bool = True, procountor: bool = True) -> int:
    """Run the demo; 0 when every run ended clean or with findings and the archive verifies, else 2.

    ``vismanet`` adds the Visma.net ERP part after the eAccounting one
    (:mod:`ops_lib.demo.vismanet`), ``procountor`` the Procountor part after
    that (:mod:`ops_lib.demo.procountor`), into the same archive.
    """
    root = root.resolve()
    out_dir = (root / out_dir).resolve()
    archive = out_dir / "runs"
    config_dir = out_dir / "config"
    config_dir.mkdir(parents=True, exist_ok=True, mode=0o700)
    done: list[DemoRun] = []
    with ServerThread(SandboxConfig(auto_consent=True)) as server:
        out.write(f"Sandbox running at {server.base_url} (sandbox data only, no real company).\n")
        with environment(OPS_CONFIG_DIR=str(config_dir), OPS_TOKEN_BACKEND="file", OPS_SANDBOX_URL=server.base_url):
            store_sandbox_connection(server.base_url, config_dir, named=True)
            out.write(f"Connected the sandbox's first company (tokens in {config_dir}, mode 0600).\n\n"
                      f"Running the notebooks with `ops run` into {archive}:\n")
            out.flush()
            done += run_notebooks(root, DEMO_RUNS, archive, out)
    if vismanet:
        done += run_vismanet_demo(root, archive, config_dir, out)
    if procountor:
        done += run_procountor_demo(root, archive, config_dir, out)
    verification = verify_archive(archive)
    out.write("\n" + verification.describe() + "\n\nWhere to look:\n")
    for item in done:
        reports = sorted(p.name for p in (item.run.folder / "artifacts").glob("*") if p.is_file())
        out.write(f"  {item.label}: {item.run.folder}\n      executed notebook and html: "
                  f"{', '.join(p.name for p in sorted(item.run.folder.glob('*.*')) if p.suffix in ('.ipynb', '.html'))}"
                  + (f"\n      reports: artifacts/{', artifacts/'.join(reports)}" if reports else "") + "\n")
    out.write(f"  run index: {archive / 'index.csv'}\n"
              f"Check the archive again at any time with: ops audit verify {archive}\n")
    failed = [d.label for d in done if d.run.exit_code == 2]
    if failed:
        out.write(f"\nFAILED: {', '.join(failed)} (see the run folders above)\n")
    return 0 if not failed and verification.ok else 2
