"""What the ECS agent and ECS Exec call: DiscoverPollEndpoint, ExecuteCommand."""

from __future__ import annotations
