#!/usr/bin/env bash
# Run Compose whichever way this machine has it: the v2 plugin (docker compose) or v1 (docker-compose).
set -euo pipefail
if docker compose version >/dev/null 2>&1; then
  exec docker compose "$@"
elif command -v docker-compose >/dev/null 2>&1; then
  exec docker-compose "$@"
fi
echo "neither 'docker compose' nor 'docker-compose' is installed (apt-get install docker-compose)" >&2
exit 127
