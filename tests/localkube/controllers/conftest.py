"""Controller tests run the node agent (and the ECI simulator) so Pods really run.

The agent fixtures come from `tests/vkprovider/conftest.py`; the test namespace is the
localkube tests' own. On a real cluster (`KUBECONFIG`) the real scheduler and
controller-manager do the work: the tests assert only what both do alike.
"""

from __future__ import annotations

from tests.vkprovider.conftest import agent, agent_settings

__all__ = ["agent", "agent_settings"]
