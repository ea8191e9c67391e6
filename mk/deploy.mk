# Image and releases (issue 10). `make dist` builds; `make stage` / `make prod` push to ECR and
# redeploy the matching cluster. Both print their plan first; DRY_RUN=1 stops after the plan.
.PHONY: dist stage prod release-plan compose-config test-docker docker-engine

IMAGE_NAME ?= mit-airflow-ecs
GIT_TAG := $(shell git describe --tags --always --dirty 2>/dev/null || echo untagged)
IMAGE_TAG ?= $(GIT_TAG)
BASE_IMAGE ?= python:3.11-slim
DOCKER ?= docker
# Extra `docker build` flags, e.g. --network=host where the engine has no default bridge.
DOCKER_BUILD_FLAGS ?=
STAGE_CLUSTER ?= airflow-stage
PROD_CLUSTER ?= airflow-prod

dist: ## Build the image (one for every component) and tag it from git: $(IMAGE_NAME):<git describe>
	$(DOCKER) build --target airflow $(DOCKER_BUILD_FLAGS) --build-arg PYPI_INDEX_URL="$(PYPI_INDEX_URL)" --build-arg BASE_IMAGE="$(BASE_IMAGE)" \
		-t $(IMAGE_NAME):$(IMAGE_TAG) -t $(IMAGE_NAME):latest .

stage: ## Push the image to STAGE_ECR_REPOSITORY and redeploy STAGE_CLUSTER (DRY_RUN=1: plan only)
	@$(MAKE) --no-print-directory release ENV=stage REPOSITORY="$(STAGE_ECR_REPOSITORY)" CLUSTER="$(STAGE_CLUSTER)"

prod: ## Push the image to PROD_ECR_REPOSITORY and redeploy PROD_CLUSTER (DRY_RUN=1: plan only)
	@$(MAKE) --no-print-directory release ENV=prod REPOSITORY="$(PROD_ECR_REPOSITORY)" CLUSTER="$(PROD_CLUSTER)"

release: install
	@bash deploy/release.sh "$(ENV)" "$(REPOSITORY)" "$(CLUSTER)" "$(IMAGE_NAME):$(IMAGE_TAG)" "$(DOCKER)" "$(VENV)/bin/workflow"

compose-config: ## Validate docker-compose.yml and init.yml with the compose tool (docker compose or docker-compose)
	PYPI_INDEX_URL="$(PYPI_INDEX_URL)" deploy/compose.sh -f docker-compose.yml config -q
	PYPI_INDEX_URL="$(PYPI_INDEX_URL)" deploy/compose.sh -f init.yml config -q

test-docker: install ## Build the image on local base images, run example_ecs on the compose stack, push to a local registry
	bash .ci/system-deps docker
	$(PY) -m pytest tests/docker -q -p no:cacheprovider --durations=0 $(DOCKER_TEST_ARGS)

docker-engine: install ## Make a Docker engine answer (started here as root if none does): the docker backend's tests need one
	bash .ci/system-deps docker
	$(PY) -c 'from pathlib import Path; from harness.docker import engine; engine.ensure(Path("build/dockerd.log"))'
