#!/bin/sh
# One image, every component: the first argument picks it. Every branch `exec`s, so the component
# is PID 1's direct replacement and receives SIGTERM from `docker stop` / ECS itself (the Celery
# worker then shuts down warmly: it finishes its running tasks within the stop timeout).
set -eu

component="${1:-help}"
[ "$#" -gt 0 ] && shift

case "$component" in
  api-server|scheduler|dag-processor|triggerer)
    exec airflow "$component" "$@" ;;
  worker)
    exec airflow celery worker "$@" ;;
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
