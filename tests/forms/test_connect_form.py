"""The connect form offers what the chosen system's grant honours: a tenant id, the company picker, the paste field."""

from __future__ import annotations

from ops_lib.config.settings import connection_settings
from ops_lib.forms.connect import connect_form
from tests.conftest import find

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
