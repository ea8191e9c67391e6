# A stand-in for the official postgres image, from a local Debian tree: the same variables
# (POSTGRES_USER, POSTGRES_PASSWORD, POSTGRES_DB), data in /var/lib/postgresql/data, pg_isready, and
# a UTF8 cluster (with SQL_ASCII, psycopg 3 reads text as bytes and Airflow's scheduler crashes).
ARG DEBIAN_IMAGE=local/debian:bookworm
FROM ${DEBIAN_IMAGE}
RUN apt-get update \
 && apt-get install -y --no-install-recommends postgresql-15 postgresql-client-15 \
 && rm -rf /var/lib/apt/lists/*
ENV PATH=/usr/lib/postgresql/15/bin:$PATH PGDATA=/var/lib/postgresql/data LANG=C.UTF-8
COPY postgres-entrypoint.sh /usr/local/bin/postgres-entrypoint.sh
# Owned by postgres in the image, so a new named volume mounted there starts owned by it too.
RUN install -d -o postgres -g postgres -m 700 "$PGDATA"
USER postgres
EXPOSE 5432
ENTRYPOINT ["/usr/local/bin/postgres-entrypoint.sh"]
