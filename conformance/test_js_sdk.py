"""The official AWS SDK for JavaScript v3 (@aws-sdk/client-ecs from npm, pinned).

Each check is a function in js/checks.cjs, run by Node.js with the SDK installed under build/.
"""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest

from conformance import clients
from conformance.report import DOC
from conformance.server import ServedFake

CLIENT = clients.JS_SDK
API = DOC + "APIReference/"
CHECKS = Path(__file__).with_name("js") / "checks.cjs"


def node(check: str, fake: ServedFake, env: dict[str, str], network: dict[str, Any]) -> None:
    env = {
        **env,
        "NODE_PATH": str(clients.node_modules()),
        "CONFORMANCE_NETWORK": json.dumps(network),
    }
    argv = [shutil.which("node") or "node", str(CHECKS), check]
    done = subprocess.run(argv, env=env, capture_output=True, text=True, timeout=180, check=False)
    assert done.returncode == 0, done.stderr or done.stdout


CASES = [
    (
        "clusters",
        "clusters are created ACTIVE; an unknown one comes back as a MISSING failure",
        ["API_CreateCluster", "API_DescribeClusters"],
        [],
    ),
    (
        "taskDefinitions",
        "revisions count up per family; registeredAt parses as a Date",
        ["API_RegisterTaskDefinition", "API_DescribeTaskDefinition"],
        [],
    ),
    (
        "runAndDescribe",
        "RunTask answers PROVISIONING, DescribeTasks RUNNING later, unknown tasks MISSING",
        ["API_RunTask", "API_DescribeTasks"],
        [],
    ),
    (
        "paginator",
        "paginateListTasks: pageSize results a page, nextToken to the end",
        ["API_ListTasks"],
        [],
    ),
    (
        "waiters",
        "waitUntilTasksStopped: success once STOPPED, with stopCode and exit code",
        ["API_DescribeTasks"],
        [],
    ),
    (
        "services",
        "waitUntilServicesStable after UpdateService scales a service up",
        ["API_UpdateService", "API_DescribeServices"],
        [],
    ),
    (
        "errors",
        "ClusterNotFoundException is the SDK's own error class, a client fault, HTTP 400",
        ["API_DescribeServices"],
        [],
    ),
    (
        "conflictResourceIds",
        "a reused clientToken with another request: ConflictException with resourceIds",
        ["API_RunTask"],
        [],
    ),
    (
        "tags",
        "TagResource, UntagResource, ListTagsForResource on a cluster",
        ["API_TagResource", "API_UntagResource", "API_ListTagsForResource"],
        [],
    ),
]


def _case(name: str, title: str, refs: list[str], pending: list[str]) -> Any:
    marks = [pytest.mark.ecs_doc(*(API + r + ".html" for r in refs))]
    marks += [pytest.mark.pending(p) for p in pending]
    return pytest.param(name, title, id=name, marks=marks)


@pytest.mark.parametrize(("check", "title"), [_case(*c) for c in CASES])
def test_js_sdk(
    check: str, title: str, fake: ServedFake, env: dict[str, str], network: dict[str, Any]
) -> None:
    """JavaScript SDK check"""
    node(check, fake, env, network)
