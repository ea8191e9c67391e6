# A stand-in for the official python:3.11-slim, built from a local Debian tree (no registry needed).
# Its Python is the building machine's own CPython 3.11 build (python/, copied by
# harness.docker.images from the interpreter the venv uses, a Debian 12 build like this tree),
# installed under /usr/local as in the official image: Debian's own 3.11.2 is older than the
# versions Pipfile.lock's markers were resolved for. It also trusts the machine's certificate
# authorities (host-ca/, from /usr/local/share/ca-certificates), as the machine's network needs.
ARG DEBIAN_IMAGE=local/debian:bookworm
FROM ${DEBIAN_IMAGE}
RUN apt-get update \
 && apt-get install -y --no-install-recommends ca-certificates libssl3 libsqlite3-0 libffi8 zlib1g \
      libbz2-1.0 liblzma5 libreadline8 libncursesw6 libgdbm6 libuuid1 libexpat1 libnsl2 \
 && rm -rf /var/lib/apt/lists/*
COPY host-ca/ /usr/local/share/ca-certificates/
COPY python/ /usr/local/
RUN update-ca-certificates \
 && ldconfig \
 && ln -sf python3 /usr/local/bin/python \
 && python -c "import ssl, sqlite3, ctypes, lzma, bz2, zlib; print('python', __import__('sys').version)"
ENV PIP_CERT=/etc/ssl/certs/ca-certificates.crt REQUESTS_CA_BUNDLE=/etc/ssl/certs/ca-certificates.crt
CMD ["python"]
