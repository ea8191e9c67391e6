"""The order a stack's resources are updated in after a change: each after what it refers to."""

from __future__ import annotations

from typing import Any

from hypothesis import given
from hypothesis import strategies as st

from fakeecs.cloudformation.dependents import dependency_order, references


def test_references_follow_ref_getatt_and_sub() -> None:
    props = {
        "Cluster": {"Ref": "Cluster"},
        "Service": {"Fn::GetAtt": ["Service", "Name"]},
        "Short": {"Fn::GetAtt": "Blue.Id"},
        "Name": {"Fn::Sub": "${AWS::StackName}-${Worker.TaskDefinitionArn}-${!Literal}"},
        "Listed": [{"Fn::Sub": ["${Queue}", {"Queue": {"Ref": "Topic"}}]}],
    }
    assert list(references(props)) == [
        "Cluster",
        "Service",
        "Blue",
        "AWS::StackName",
        "Worker",
        "Queue",
        "Topic",
    ]


def _template(edges: dict[int, set[int]], style: int) -> dict[str, dict[str, Any]]:
    """Resource i refers to each j < i in edges[i], by Ref, GetAtt or DependsOn; listed last first."""

    def refer(j: int) -> Any:
        return [{"Ref": f"R{j}"}, {"Fn::GetAtt": [f"R{j}", "Arn"]}][(j + style) % 2]

    resources = {}
    for i in sorted(edges, reverse=True):
        needed = sorted(edges[i])
        resource: dict[str, Any] = {
            "Type": "AWS::ECS::Service",
            "Properties": {"Refs": [refer(j) for j in needed if (j + style) % 3]},
        }
        resource["DependsOn"] = [f"R{j}" for j in needed if not (j + style) % 3]
        resources[f"R{i}"] = resource
    return resources


@st.composite
def graphs(draw: st.DrawFn) -> dict[int, set[int]]:
    size = draw(st.integers(1, 8))
    return {
        i: draw(st.sets(st.integers(0, i - 1), max_size=i)) if i else set() for i in range(size)
    }


@given(graphs(), st.integers(0, 5))
def test_each_resource_comes_after_everything_it_refers_to(
    edges: dict[int, set[int]], style: int
) -> None:
    order = dependency_order(_template(edges, style))
    assert sorted(order) == sorted(f"R{i}" for i in edges)
    for i, needed in edges.items():
        assert all(order.index(f"R{j}") < order.index(f"R{i}") for j in needed)


def test_a_cycle_is_cut_rather_than_looping() -> None:
    cycle = {
        "A": {"Properties": {"X": {"Ref": "B"}}},
        "B": {"Properties": {"X": {"Ref": "A"}}},
    }
    assert sorted(dependency_order(cycle)) == ["A", "B"]
