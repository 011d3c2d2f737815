"""Unit tests run with the network switched off: they exercise our code, not the wire."""

from __future__ import annotations

import pytest


@pytest.fixture(autouse=True)
def _no_network(socket_disabled: None) -> None:
    return None
