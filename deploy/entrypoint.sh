#!/bin/sh
# One image, every component: the first argument picks it. Every branch `exec`s, so the component
# is PID 1's direct replacement and receives SIGTERM from `docker stop` / ECS itself (the worker's
# PID 1 is its stop-policy supervisor, which passes SIGTERM on and enforces the grace period).
set -eu

component="${1:-help}"
[ "$#" -gt 0 ] && shift

case "$component" in
  api-server|scheduler|dag-processor|triggerer)
    exec airflow "$component" "$@" ;;
  worker)
    # The stop policy (mit_airflow/worker_supervisor.py): SIGTERM starts a warm shutdown, and
    # after WORKER_STOP_GRACE_SECONDS (keep it below the task definition's stopTimeout) the
    # worker and its task runners are killed, so a retry re-attaches to the ECS task.
    exec python -m mit_airflow.worker_supervisor -- airflow celery worker "$@" ;;
  initialize)
    python -m mit_airflow.deploy_init "$@"
    if [ "${LOCAL_ECS_SETUP:-0}" = "1" ]; then
      exec python /opt/app/deploy/local_ecs.py /opt/app/deploy/local-task-definitions.json
    fi
    exit 0 ;;
  fakeecs)
    exec fakeecs serve --host 0.0.0.0 --port "${FAKEECS_PORT:-5090}" --clock "${FAKEECS_CLOCK:-real}" "$@" ;;
  airflow|workflow|bash|sh|python)
    exec "$component" "$@" ;;
  help|--help|-h)
    echo "usage: COMPONENT [ARGS]: api-server scheduler dag-processor triggerer worker initialize fakeecs"
    echo "       or airflow|workflow|python|bash ARGS"
    exit 0 ;;
  *)
    echo "unknown component '$component'; run with --help for the list" >&2
    exit 64 ;;
esac
