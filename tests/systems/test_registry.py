"""The registry: systems by name, and an unknown name is an error, never "no rules"."""

from __future__ import annotations

import pytest

from ops_lib.config.settings import connection_settings
from ops_lib.connectors.grants import AuthorizationCode
from ops_lib.connectors.paging import MetaDataPager
from ops_lib.connectors.ratelimit import PerEndpoint
from ops_lib.core.errors import ConfigurationError
from ops_lib.systems import registry
from ops_lib.systems.base import System
from ops_lib.systems.eaccounting.system import SYSTEM
from ops_lib.systems.rules import rules_for


def test_an_unknown_system_is_an_error_naming_the_known_ones() -> None:
    with pytest.raises(ConfigurationError, match="Unknown system 'nope'; known: eaccounting"):
        registry.get("nope")
    with pytest.raises(ConfigurationError, match="Unknown system 'nope'"):
        rules_for("nope", "customers")
    with pytest.raises(ConfigurationError, match="Unknown system 'nope'"):
        connection_settings({"system": "nope"})


def test_only_something_shaped_like_a_system_registers() -> None:
    with pytest.raises(ConfigurationError, match="is not a System .*missing: .*make_writer"):
        registry.register(object())  # type: ignore[arg-type]
    assert registry.known() == ("eaccounting", "vismanet", "procountor")


def test_eaccounting_declares_every_seam() -> None:
    assert registry.get("eaccounting") is SYSTEM and isinstance(SYSTEM, System)
    assert SYSTEM in registry.systems()
    assert isinstance(SYSTEM.rate_policy, PerEndpoint) and SYSTEM.rate_policy.limit == 590
    assert isinstance(SYSTEM.pager, MetaDataPager) and SYSTEM.pager.page_size == 1000
    assert SYSTEM.languages == ("en", "sv", "fi") and "sandbox" in SYSTEM.environments
    assert {r.code for r in rules_for("eaccounting", "customers")} and rules_for("eaccounting", "payroll") == ()
    grant = SYSTEM.grant(connection_settings({}))
    assert isinstance(grant, AuthorizationCode) and grant.extra_authorize == {"acr_values": "forceselectcompany:true"}
    assert SYSTEM.grant(connection_settings({"force_select_company": False})).extra_authorize == {}
    assert SYSTEM.sandbox == "ops_lib.sandbox:create_app"


def test_settings_default_to_the_systems_own_scopes_and_languages() -> None:
    settings = connection_settings({})
    assert settings.scopes == SYSTEM.default_scopes
    with pytest.raises(ConfigurationError, match="language must be one of en, sv"):
        connection_settings({"language": "de"})


def test_a_decimals_rule_counts_real_decimals_on_whole_frames() -> None:
    """Trailing zeros are no decimals: 2.500 is 2.5; a decimal comma counts like a point."""
    import pandas as pd

    from ops_lib.systems.rules import Rule, check, decimals

    assert [decimals(t) for t in ("7.125", "2,500", "12", "", "x.yz", "0.10")] == [3, 1, 0, 0, 0, 1]
    frame = pd.DataFrame({"price": ["7.125", "2,500", "12", ""]})
    assert check(frame, (Rule("price_decimals", "price", max_decimals=2),)).tolist() == ["price_decimals", "", "", ""]
