# One image for every Airflow component (and fakeecs); the command picks the component:
#   docker run IMAGE scheduler | api-server | dag-processor | triggerer | worker | initialize | fakeecs
# Built from Pipfile.lock, so production runs exactly the versions the tests passed with.
# `make dist` builds --target airflow; `--target fakeecs` (the last stage) only fakeecs, far smaller: what
# fakeecs.testcontainer.FakeECSContainer runs.
ARG BASE_IMAGE=python:3.11-slim

FROM ${BASE_IMAGE} AS airflow

# pip's index (the Makefile passes pip's own default); never written into the image's files.
ARG PYPI_INDEX_URL
ENV PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    AIRFLOW_HOME=/opt/airflow \
    AIRFLOW__CORE__DAGS_FOLDER=/opt/airflow/dags \
    AIRFLOW__CORE__LOAD_EXAMPLES=False \
    COMPONENT=scheduler

WORKDIR /opt/app
COPY Pipfile Pipfile.lock ./
# Export the locked set (without the project itself and without dev packages) and install exactly
# it: --no-deps because the lock is the complete set (as `pipenv sync` installs it), then pip check.
RUN test -n "${PYPI_INDEX_URL}" || { echo "build arg PYPI_INDEX_URL is required (make dist passes pip's default index)" >&2; exit 1; } \
 && python -m pip install --index-url "${PYPI_INDEX_URL}" pipenv \
 && PYPI_INDEX_URL="${PYPI_INDEX_URL}" python -m pipenv requirements --hash > /tmp/locked.txt \
 && grep -v '^-e \|^\.$\|mit-airflow-ecs' /tmp/locked.txt > /tmp/requirements.txt \
 && python -m pip install --index-url "${PYPI_INDEX_URL}" --no-deps --require-hashes -r /tmp/requirements.txt \
 && python -m pip uninstall -y pipenv virtualenv \
 && python -m pip check \
 && rm -f /tmp/locked.txt /tmp/requirements.txt

COPY pyproject.toml README.md ./
COPY fakeecs ./fakeecs
COPY mit_airflow ./mit_airflow
COPY harness ./harness
COPY deploy ./deploy
RUN python -m pip install --index-url "${PYPI_INDEX_URL}" --no-deps . \
 && useradd --create-home --uid 50000 --home-dir /opt/airflow airflow \
 && mkdir -p /opt/airflow/dags /opt/airflow/logs \
 && chown -R airflow /opt/airflow
COPY --chown=airflow workflows /opt/airflow/dags

USER airflow
WORKDIR /opt/airflow
HEALTHCHECK --interval=30s --timeout=60s --start-period=60s --retries=3 \
  CMD python /opt/app/deploy/healthcheck.py "${COMPONENT}"
ENTRYPOINT ["/opt/app/deploy/entrypoint.sh"]
CMD ["--help"]

FROM ${BASE_IMAGE} AS fakeecs
ARG PYPI_INDEX_URL
ENV PYTHONUNBUFFERED=1 PIP_NO_CACHE_DIR=1 PIP_DISABLE_PIP_VERSION_CHECK=1
WORKDIR /opt/app
COPY Pipfile.lock ./
# fakeecs's own dependencies only, at the versions Pipfile.lock pins (as constraints).
RUN test -n "${PYPI_INDEX_URL}" || { echo "build arg PYPI_INDEX_URL is required (make dist passes pip's default index)" >&2; exit 1; } \
 && python -c "import json; lock = json.load(open('Pipfile.lock')); print('\n'.join(f'{name}{spec[\"version\"]}' for section in ('default', 'develop') for name, spec in lock[section].items() if 'version' in spec))" > /tmp/constraints.txt \
 && python -m pip install --index-url "${PYPI_INDEX_URL}" -c /tmp/constraints.txt "moto[server]" click docker \
 && python -m pip check \
 && rm -f /tmp/constraints.txt
COPY pyproject.toml README.md ./
COPY fakeecs ./fakeecs
RUN python -m pip install --index-url "${PYPI_INDEX_URL}" --no-deps . \
 && useradd --create-home --uid 50000 fakeecs
USER fakeecs
EXPOSE 5090
ENTRYPOINT ["fakeecs", "serve"]
CMD ["--host", "0.0.0.0", "--port", "5090"]
