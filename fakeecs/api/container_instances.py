"""Container instances and the EC2 launch type: RegisterContainerInstance, DeregisterContainerInstance,
DescribeContainerInstances, ListContainerInstances, UpdateContainerInstancesState, StartTask."""

from __future__ import annotations
