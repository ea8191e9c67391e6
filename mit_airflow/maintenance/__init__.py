"""The parts of the `workflow` maintenance CLI, one job per module.

Nothing here imports Airflow, fakeecs or the harness: the CLI runs on an operator's
laptop with boto3 only, and `AWS_ENDPOINT_URL` / `AWS_ENDPOINT_URL_ECS` redirect it.
"""
