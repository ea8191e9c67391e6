#!/usr/bin/env bash
# make stage / make prod: print the plan, stop on DRY_RUN=1 or a missing variable, else push and redeploy.
#   release.sh ENV REPOSITORY CLUSTER LOCAL_IMAGE DOCKER WORKFLOW
set -euo pipefail
env_name="$1" repository="$2" cluster="$3" local_image="$4" docker="$5" workflow="$6"
tag="${local_image##*:}"
upper=$(tr '[:lower:]' '[:upper:]' <<<"$env_name")

echo "release plan for ${env_name}:"
echo "  1. ${docker} tag ${local_image} ${repository:-<${upper}_ECR_REPOSITORY>}:${tag}"
echo "  2. ${docker} push ${repository:-<${upper}_ECR_REPOSITORY>}:${tag}"
echo "  3. workflow --cluster ${cluster} redeploy --yes"

missing=()
[ -n "$repository" ] || missing+=("${upper}_ECR_REPOSITORY (the ECR repository URI, e.g. 123456789012.dkr.ecr.us-east-1.amazonaws.com/airflow)")
[ -n "$cluster" ] || missing+=("${upper}_CLUSTER")
if [ "${#missing[@]}" -gt 0 ]; then
  for name in "${missing[@]}"; do echo "missing: ${name}" >&2; done
  echo "nothing was pushed or redeployed" >&2
  exit 2
fi
if [ "${DRY_RUN:-0}" = "1" ]; then
  echo "DRY_RUN=1: stopping after the plan"
  exit 0
fi
"$docker" tag "$local_image" "${repository}:${tag}"
"$docker" push "${repository}:${tag}"
"$workflow" --cluster "$cluster" redeploy --yes
