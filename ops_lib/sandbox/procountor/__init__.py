"""A local, faithful stand-in for the Procountor REST API (26.04) and its M2M token endpoint.

(Full notes on what it emulates and what it chose follow below.)
"""

from ops_lib.sandbox.procountor.app import create_app
from ops_lib.sandbox.procountor.config import COMPANY_ID, DEMO_CLIENT, ProcountorConfig

__all__ = ["COMPANY_ID", "DEMO_CLIENT", "ProcountorConfig", "create_app"]
