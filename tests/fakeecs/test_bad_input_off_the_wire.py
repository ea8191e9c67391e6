"""Bad input that does not come over the ECS wire: a faults file, the control token. Each gets
one clear error naming what was wrong and what to do, no traceback, and nothing stored is lost.
(State files: test_persistence.py; behaviours with wrong types: test_control_api.py.)"""

from __future__ import annotations

import json
import subprocess
import urllib.error
import urllib.request
from pathlib import Path

import pytest

from bench.servers import start_fakeecs
from fakeecs.control import ControlClient
from tests.fakeecs.test_serve_cli import BIN


@pytest.mark.parametrize(
    ("content", "words"),
    [
        ("[{not json", "is not valid JSON"),
        (json.dumps([{"operation": "RunTask", "action": "explode"}]), "'action' must be one of"),
        (json.dumps({"operation": "RunTask"}), "faults must be a list of rules"),
    ],
)
def test_a_malformed_faults_file_is_refused_naming_it(
    tmp_path: Path, content: str, words: str
) -> None:
    faults = tmp_path / "faults.json"
    faults.write_text(content)
    state = tmp_path / "state.json"
    out = subprocess.run(
        [
            str(BIN / "fakeecs"),
            "serve",
            "--port",
            "0",
            "--faults",
            str(faults),
            "--state",
            str(state),
        ],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert out.returncode == 2
    assert str(faults) in out.stderr and words in out.stderr
    assert "Traceback" not in out.stderr
    assert faults.read_text() == content  # left as it was
    assert not state.exists()  # nothing was written for a fake that never started


def _control(url: str, token: str | None) -> tuple[int, dict[str, object]]:
    request = urllib.request.Request(url + "/_fakeecs/clock/advance", data=b'{"seconds": 60}')
    if token is not None:
        request.add_header("X-Fakeecs-Token", token)
    try:
        with urllib.request.urlopen(request, timeout=10) as answer:
            return answer.status, json.loads(answer.read())
    except urllib.error.HTTPError as exc:
        return exc.code, json.loads(exc.read())


def test_a_missing_or_wrong_control_token_is_refused_and_changes_nothing() -> None:
    with start_fakeecs(0, "--control-token", "s3cret") as server:
        owner = ControlClient(server.url, token="s3cret")
        before = owner.now()
        for token in (None, "wrong"):
            status, answer = _control(server.url, token)
            assert status == 403
            assert "X-Fakeecs-Token" in str(answer["message"])
        assert owner.now() == before  # the clock did not move
        assert _control(server.url, "s3cret")[0] == 200
