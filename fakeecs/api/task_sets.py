"""Task sets of EXTERNAL-controller services: CreateTaskSet, UpdateTaskSet, DeleteTaskSet,
DescribeTaskSets, UpdateServicePrimaryTaskSet."""

from __future__ import annotations
