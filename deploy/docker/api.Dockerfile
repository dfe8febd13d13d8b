# syntax=docker/dockerfile:1
# The API and the notification worker: one image, two commands.
#   docker build -f deploy/docker/api.Dockerfile -t xuthanh-api:0.1.0 .     (context: the repo root)
#   docker run xuthanh-api:0.1.0                    -> xuthanh serve --host 0.0.0.0 (port 8000)
#   docker run xuthanh-api:0.1.0 worker             -> xuthanh worker
# Only the runtime dependencies are installed (no dev extras: no SecantusDB, pytest, ruff, mypy),
# each at the version constraints.txt pins. The build context is filtered by
# api.Dockerfile.dockerignore beside this file (BuildKit reads <Dockerfile>.dockerignore).
# Pin the base by digest in your registry mirror when you release (see docs/deploy.md):
#   FROM python:3.11.13-slim-bookworm@sha256:<digest>
ARG PYTHON_IMAGE=python:3.11.13-slim-bookworm

FROM ${PYTHON_IMAGE} AS build
ENV PIP_DISABLE_PIP_VERSION_CHECK=1 PIP_NO_CACHE_DIR=1 PYTHONDONTWRITEBYTECODE=1
RUN python -m venv /opt/venv
WORKDIR /src
# Dependencies first (cached while only the code changes), then the package itself.
COPY pyproject.toml constraints.txt README.md ./
COPY api ./api
COPY domains ./domains
RUN /opt/venv/bin/pip install -c constraints.txt . \
 && /opt/venv/bin/pip check

FROM ${PYTHON_IMAGE} AS runtime
LABEL org.opencontainers.image.title="xuthanh-api" \
      org.opencontainers.image.description="Xứ Thanh citizen backend: GraphQL API and notification worker" \
      org.opencontainers.image.licenses="Apache-2.0"
ENV PATH=/opt/venv/bin:$PATH \
    PYTHONUNBUFFERED=1 \
    PYTHONDONTWRITEBYTECODE=1 \
    APP_ENV=production \
    PORT=8000
# A fixed numeric user, so Kubernetes' runAsNonRoot can check it without a passwd lookup.
RUN groupadd --system --gid 10001 xuthanh \
 && useradd --system --uid 10001 --gid xuthanh --no-create-home --home-dir /nonexistent \
      --shell /usr/sbin/nologin xuthanh
COPY --from=build /opt/venv /opt/venv
USER 10001:10001
EXPOSE 8000
# /healthz answers while the process lives (the worker image has no HTTP port: its compose
# service and Kubernetes Deployment switch this off / ignore it).
HEALTHCHECK --interval=15s --timeout=3s --start-period=20s --retries=3 \
  CMD ["python", "-c", "import os, urllib.request; urllib.request.urlopen('http://127.0.0.1:%s/healthz' % os.environ.get('PORT', '8000'), timeout=2)"]
ENTRYPOINT ["xuthanh"]
CMD ["serve", "--host", "0.0.0.0"]
