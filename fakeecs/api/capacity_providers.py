"""Capacity providers: Create, Update, Delete, Describe, PutClusterCapacityProviders."""

from __future__ import annotations
