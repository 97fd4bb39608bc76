"""Procountor's options block: the tags' dimension, and approval only when the user asks."""

from __future__ import annotations

import pytest

from ops_lib.core.errors import ConfigurationError
from ops_lib.systems.options import options_type
from ops_lib.systems.procountor.client import ProcountorClient
from ops_lib.systems.procountor.options import ProcountorOptions
from ops_lib.systems.procountor.system import SYSTEM


def test_the_registry_finds_the_options_and_approval_is_off_by_default() -> None:
    assert options_type("procountor") is ProcountorOptions
    options = ProcountorOptions.from_mapping({})
    assert options.poster_kwargs()["approve_receipts"] is False
    assert options.as_kwargs() == {"dimension": "Projekti"}
    with pytest.raises(ConfigurationError):
        ProcountorOptions.from_mapping({"auto_release": True})  # Visma.net's option, not Procountor's


def test_the_poster_gets_the_approval_the_options_say(pc_client: ProcountorClient) -> None:
    kwargs = ProcountorOptions.from_mapping({"approve_receipts": True}).poster_kwargs()
    assert SYSTEM.make_voucher_poster(pc_client, **kwargs).approve_receipts is True
    assert SYSTEM.make_voucher_poster(pc_client).approve_receipts is False
