"""Runs INSIDE the one-off container (sent as `python -c <this file>`): hands a password to an Airflow command.

The password waits in a SecureString SSM parameter whose name (never its value) is in
the environment. This script reads it, deletes the parameter at once, and feeds the
password to the Airflow command on standard input (`airflow users create` asks for it
twice when --password is absent), so it never appears in the task's command, its
environment, `ps` output or the logs. Standard library and boto3 only (both are in the image).
"""

import os
import subprocess
import sys


def main(argv: list[str]) -> int:
    name = os.environ["WORKFLOW_PASSWORD_PARAMETER"]
    import boto3

    ssm = boto3.client("ssm", region_name=os.environ.get("WORKFLOW_PASSWORD_REGION") or None)
    try:
        password = ssm.get_parameter(Name=name, WithDecryption=True)["Parameter"]["Value"]
    finally:
        try:
            ssm.delete_parameter(Name=name)
            print(f"workflow: read and deleted the password parameter {name}", flush=True)
        except Exception as exc:
            print(f"workflow: could not delete {name}: {type(exc).__name__}", flush=True)
    answer = subprocess.run(argv, input=f"{password}\n{password}\n", text=True, check=False)
    return answer.returncode


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
