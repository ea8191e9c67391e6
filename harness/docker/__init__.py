"""`make test-docker`: a Docker engine, locally built base images, a local registry."""
