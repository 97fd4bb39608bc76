"""The notebooks' forms: the only package that touches ipywidgets or IPython.

Each notebook step is a ``*_panel``: interactively the form, headless
(``interactive`` false, as scheduled runs set it) one library call from
params. Nothing outside ``ops_lib.forms`` imports it, and it imports
ipywidgets and IPython only inside the functions that build a form or
display an output, so a headless import loads neither. Notebooks import
every step from here::

    from ops_lib.forms import connect_panel, record_results

One module per form: :mod:`~ops_lib.forms.connect`,
:mod:`~ops_lib.forms.mappings`, :mod:`~ops_lib.forms.review`,
:mod:`~ops_lib.forms.sync` (the apply step of a sync),
:mod:`~ops_lib.forms.booking` (the same step booking vouchers),
:mod:`~ops_lib.forms.invoices` (the invoices notebook's steps, each run or left out),
:mod:`~ops_lib.forms.audit` and :mod:`~ops_lib.forms.results`, with what
they share in :mod:`~ops_lib.forms.panels`.
"""

from ops_lib.forms.audit import audit_panel
from ops_lib.forms.booking import booking_panel
from ops_lib.forms.connect import connect_panel
from ops_lib.forms.invoices import (
    invoice_panel,
    invoice_review,
    record_status,
    record_step,
    status_panel,
    status_review,
)
from ops_lib.forms.mappings import mapping_panel
from ops_lib.forms.results import record_results
from ops_lib.forms.review import review_panel, reviewed
from ops_lib.forms.sync import sync_panel

__all__ = [
    "audit_panel",
    "connect_panel",
    "booking_panel",
    "invoice_panel",
    "invoice_review",
    "mapping_panel",
    "record_results",
    "record_status",
    "record_step",
    "review_panel",
    "reviewed",
    "status_panel",
    "status_review",
    "sync_panel",
]
