"""`initialize`: first-time set-up of an Airflow database, safe to run again.

Migrates the metadata database and creates the admin user when it does not exist yet
(FAB auth manager). The password comes from ADMIN_PASSWORD (or ADMIN_PASSWORD_FILE, for
Docker secrets) and is handed to `airflow users create` on standard input, never on its
command line, so it does not show in `ps`.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

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


def _user_exists(username: str) -> bool:
    listed = subprocess.run(
        [AIRFLOW, "users", "list", "--output", "plain"],
        capture_output=True,
        text=True,
        check=True,
    )
    return any(
        line.split()[1:2] == [username] for line in listed.stdout.splitlines() if line.strip()
    )


def main() -> int:
    subprocess.run([AIRFLOW, "db", "migrate"], check=True, capture_output=True)
    username = os.environ.get("ADMIN_USERNAME", "admin")
    if _user_exists(username):
        print(f"initialize: admin user {username!r} exists already; nothing to do")
        return 0
    password = _password()
    # Without --password, `airflow users create` asks for it twice on standard input.
    subprocess.run(
        [
            AIRFLOW,
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
        ],
        input=f"{password}\n{password}\n",
        text=True,
        check=True,
    )
    print(f"initialize: created admin user {username!r}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
