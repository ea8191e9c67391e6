"""`initialize`: first-time set-up of an Airflow database, safe to run again.

Waits for the metadata database (a container that just started), migrates it and
creates the admin user when it does not exist yet (FAB auth manager). The password comes
from ADMIN_PASSWORD (or ADMIN_PASSWORD_FILE, for Docker secrets) and is handed to
`airflow users create` on standard input, never on its command line, so it does not show
in `ps`. A rerun leaves an existing user and its password alone, but still needs the
password: `airflow users create` asks for it before it looks the user up.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

from mit_airflow.maintenance.pacing import RealPacer, WaitTimeout, wait_until

#: The airflow command of this Python (the image's PATH, or the venv's bin/ when run from a checkout).
AIRFLOW = shutil.which("airflow") or str(Path(sys.executable).with_name("airflow"))


def _password() -> str:
    path = os.environ.get("ADMIN_PASSWORD_FILE")
    if path:
        return Path(path).read_text().strip()
    password = os.environ.get("ADMIN_PASSWORD", "")
    if not password:
        raise SystemExit(
            "initialize: set ADMIN_PASSWORD (or ADMIN_PASSWORD_FILE) for the admin user"
        )
    return password


def _airflow(*args: str, stdin: str | None = None) -> str:
    """Run one airflow command; on failure stop with the command and what it said."""
    done = subprocess.run(
        [AIRFLOW, *args], input=stdin, capture_output=True, text=True, check=False
    )
    if done.returncode != 0:
        said = "\n".join((done.stderr or done.stdout).strip().splitlines()[-15:])
        raise SystemExit(
            f"initialize: `airflow {' '.join(args)}` failed ({done.returncode}):\n{said}"
        )
    return done.stdout


def _wait_for_database(seconds: float) -> None:
    """The database may still be starting (a container that just came up): wait for it."""
    last: list[subprocess.CompletedProcess[str]] = []

    def answers() -> bool | None:
        done = subprocess.run([AIRFLOW, "db", "check"], capture_output=True, text=True, check=False)
        last[:] = [done]
        return True if done.returncode == 0 else None

    try:
        wait_until(answers, pacer=RealPacer(), interval=2, timeout=seconds, what="the database")
    except WaitTimeout:
        said = "\n".join(
            line
            for line in last[0].stderr.strip().splitlines()[-6:]
            if line.strip() and not line.strip().startswith(("^", "(Background"))
        )
        raise SystemExit(
            f"initialize: the metadata database did not answer within {seconds:g} s "
            f"(AIRFLOW__DATABASE__SQL_ALCHEMY_CONN):\n{said}"
        ) from None


def main() -> int:
    _wait_for_database(float(os.environ.get("INITIALIZE_DB_WAIT_SECONDS", "120")))
    _airflow("db", "migrate")
    username = os.environ.get("ADMIN_USERNAME", "admin")
    password = _password()
    # Without --password, `airflow users create` asks for it twice on standard input. It
    # leaves an existing user alone and says so, which saves an `airflow users list` (5 s).
    said = _airflow(
        "users",
        "create",
        "--role",
        "Admin",
        "--username",
        username,
        "--email",
        os.environ.get("ADMIN_EMAIL", f"{username}@example.org"),
        "--firstname",
        os.environ.get("ADMIN_FIRSTNAME", "Airflow"),
        "--lastname",
        os.environ.get("ADMIN_LASTNAME", "Admin"),
        stdin=f"{password}\n{password}\n",
    )
    if f"{username} already exists" in said:
        print(f"initialize: admin user {username!r} exists already; nothing to do")
    else:
        print(f"initialize: created admin user {username!r}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
