"""The connect form offers what the chosen system's grant honours: a tenant id, the company picker, the paste field.

A secret the grant needs besides the client secret (an API key) gets no field, only where it is read from.
"""

from __future__ import annotations

from typing import Any

from ops_lib.config.settings import connection_settings
from ops_lib.connectors.grants import ClientCredentials
from ops_lib.forms.connect import connect_form
from ops_lib.systems.registry import get as get_system
from ops_lib.systems.registry import register, unregister
from tests.conftest import find
from tests.toy_system import ToySystem

TENANT = "6f0c2f43-57a4-4b5e-9a0e-2d4c1b7a9e01"


def test_eaccounting_signs_in_in_a_browser_so_there_is_no_tenant_but_a_picker_and_a_paste_field() -> None:
    form = connect_form(connection_settings({"system": "eaccounting"}))
    assert find(form, "ops-tenant") is None
    assert find(form, "ops-force-select") is not None
    assert find(form, "ops-paste") is not None


def test_a_tenant_id_makes_a_service_integration_with_nothing_to_pick_or_paste() -> None:
    form = connect_form(connection_settings({"system": "vismanet", "tenant_id": TENANT}))
    tenant = find(form, "ops-tenant")
    assert tenant.value == TENANT
    assert find(form, "ops-force-select") is None  # Visma Connect's sign-in has no forceselectcompany
    assert find(form, "ops-paste") is None
    tenant.value = ""  # no tenant: a person signs in with an authorization code, and may paste the address back
    assert find(form, "ops-paste") is not None
    assert find(form, "ops-force-select") is None
    tenant.value = TENANT
    assert find(form, "ops-paste") is None


class KeyedToy(ToySystem):
    """A machine-to-machine system with no scopes whose token also needs an API key (a secret)."""

    name = "keyed-toy"
    environments = get_system("eaccounting").environments

    def grant(self, settings: Any) -> ClientCredentials:
        return ClientCredentials(secret_params=("api_key",))


def test_a_grant_needing_an_api_key_gets_no_field_for_it_but_says_where_it_is_read_from() -> None:
    register(KeyedToy())
    try:
        form = connect_form(connection_settings({"system": "keyed-toy", "environment": "sandbox"}))
    finally:
        unregister("keyed-toy")
    sources = find(form, "ops-secret-sources")
    assert "OPS_KEYED-TOY_API_KEY" in sources.value and "secrets.yaml" in sources.value
    for absent in ("ops-tenant", "ops-force-select", "ops-paste"):
        assert find(form, absent) is None
    assert not any("Scopes" in str(getattr(c, "value", "")) for c in form.children)  # the system has none


def test_a_grant_without_other_secrets_names_none() -> None:
    form = connect_form(connection_settings({"system": "eaccounting"}))
    assert find(form, "ops-secret-sources") is None
    assert any("Scopes" in str(getattr(c, "value", "")) for c in form.children)
