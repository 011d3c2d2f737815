"""Issue 8's reliability campaign, small: `make chaos` runs it at full size (bench/chaos.py).

A seeded run through the local stack with half of the worker's Salesforce writes failing
(503, UNABLE_TO_LOCK_ROW, dropped connections, writes committed whose answer is lost) and
NetSuite throttling, duplicate and reordered webhooks, and a second version of every order
mid-run. Every invariant must hold: nothing lost, doubled or stale, no orphan line, no job
stuck, no crash, no 5xx.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from bench.chaos import INVARIANTS, TIME_SCALE, Knobs, campaign
from devstack.stack import LocalStack

pytestmark = pytest.mark.e2e

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def chaos_stack(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LocalStack]:
    with LocalStack(
        ROOT / "template.yaml",
        sandboxes=["salesforce", "netsuite"],
        state_dir=tmp_path_factory.mktemp("chaos"),
        time_scale=TIME_SCALE,
        seed_demo_data=True,
    ) as running:
        yield running


def test_a_small_seeded_campaign_keeps_every_invariant(chaos_stack: LocalStack) -> None:
    figures = campaign(chaos_stack, Knobs(seed=11, orders=8, copies=2, failure_rate=0.6))

    assert figures["events_accepted"] == 8 * 2 * 2
    assert figures["faults_total"] > 0  # the campaign did hit the system
    assert {name: figures[name] for name in INVARIANTS} == dict.fromkeys(INVARIANTS, 0)
