"""Attributes of container instances: PutAttributes, DeleteAttributes, ListAttributes."""

from __future__ import annotations
