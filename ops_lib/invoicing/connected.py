"""The connected company an invoice flow reads from: its client, its invoice poster, its rules, its state database.

The status read-back and the supplier costs both connect the same way
(:func:`ops_lib.sources.open.open_system`), ask the system for its invoice
poster (:class:`~ops_lib.systems.base.InvoicingSystem`) and open the state
database the ledgers live in. A system without invoice flows is refused
here, before anything is read, with what to do instead.
"""

from __future__ import annotations

import contextlib
from dataclasses import dataclass
from typing import Any, Mapping

import httpx

from ops_lib.core.errors import ConfigurationError
from ops_lib.model.booking_rules import SetupRules
from ops_lib.model.country_rules import country_rules
from ops_lib.sources.open import open_system, state_path_for
from ops_lib.state.db import open_state
from ops_lib.systems.base import InvoicePoster, InvoicingSystem
from ops_lib.systems.registry import get as get_system


@dataclass
class InvoicingConnection:
    """One connected company for an invoice flow: what the sessions keep open between plan and apply."""

    client: Any
    label: str
    poster: InvoicePoster
    rules: SetupRules
    db: Any
    state_path: str


def invoice_poster(system: Any, client: Any, options: Mapping[str, Any]) -> InvoicePoster:
    """``system``'s invoice poster for ``client``; a system without one is a configuration error.

    Raises
    ------
    ConfigurationError
        The system has no invoice flows (only eAccounting has them for now).
    """
    if not isinstance(system, InvoicingSystem):
        raise ConfigurationError(f"{getattr(system, 'name', system)} has no invoice flows: invoices and supplier "
                                 f"costs flow only with eAccounting for now; connect an eAccounting company")
    return system.make_invoice_poster(client, **dict(options))


def open_invoicing(stack: contextlib.ExitStack, settings: Any, *, transport: httpx.BaseTransport | None = None,
                   client_options: Mapping[str, Any] | None = None) -> InvoicingConnection:
    """Connect ``settings.target`` on ``stack``, get its invoice poster and open the state database.

    ``settings`` has ``target``, ``connection``, ``state_db`` and ``system_options`` (a status or
    supplier-cost settings object).
    """
    connection = settings.connection
    client, label = open_system(stack, settings.target, connection=connection, transport=transport,
                                client_options=client_options)
    system = get_system(client.system)
    poster = invoice_poster(system, client, settings.system_options.as_kwargs())
    state_path = state_path_for((settings.target,), settings.state_db, connection)
    db = open_state(state_path)
    stack.callback(db.close)
    return InvoicingConnection(client, label, poster, system.setup_rules, db, state_path)


def company_currency(rules: SetupRules) -> str:
    """The company's currency: its country's (``SEK`` for SE, ``EUR`` for FI; ``currency`` in the country file).

    Raises
    ------
    ConfigurationError
        The system names no country, so the company's currency is not known.
    """
    if not rules.country:
        raise ConfigurationError("the accounting system names no country, so the company's currency for the "
                                 "project costs is not known")
    return country_rules(rules.country).currency


__all__ = ["InvoicingConnection", "company_currency", "invoice_poster", "open_invoicing"]
