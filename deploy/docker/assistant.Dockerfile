# syntax=docker/dockerfile:1
# The assistant: Rasa 3.6.21 (Python 3.10 only) with the trained model, and its action server.
#   docker build -f deploy/docker/assistant.Dockerfile -t xuthanh-assistant:0.1.0 .   (repo root)
#   docker run xuthanh-assistant:0.1.0 rasa      -> Rasa server on 0.0.0.0:5005 (REST channel)
#   docker run xuthanh-assistant:0.1.0 actions   -> action server on 0.0.0.0:5055
# The model is trained at build time (deterministic: random_seed in bots/config.yml), so every
# replica serves the same model and a pod starts in ~30 s instead of training. The build context
# is filtered by assistant.Dockerfile.dockerignore beside this file.
# Pin the base by digest in your registry mirror when you release (see docs/deploy.md).
ARG PYTHON_IMAGE=python:3.10.18-slim-bookworm

FROM ${PYTHON_IMAGE} AS build
ENV PIP_DISABLE_PIP_VERSION_CHECK=1 PIP_NO_CACHE_DIR=1 \
    RASA_TELEMETRY_ENABLED=false TF_CPP_MIN_LOG_LEVEL=2
RUN python -m venv /opt/venv
# bots/requirements.txt pins every package (setuptools stays below 82: Rasa imports pkg_resources).
COPY bots/requirements.txt /app/bots/requirements.txt
RUN /opt/venv/bin/pip install -r /app/bots/requirements.txt
COPY domains/procedures/data /app/domains/procedures/data
# The actions read each catalogue's everyday names (the same lists the API's search expands with).
COPY domains/tourism/data/synonyms.json /app/domains/tourism/data/synonyms.json
COPY domains/health/data/synonyms.json /app/domains/health/data/synonyms.json
COPY domains/education/data/synonyms.json /app/domains/education/data/synonyms.json
COPY bots /app/bots
WORKDIR /app/bots
# scripts/train.py prepares the generated training data from the procedure catalogue and trains
# into models/ (named after a hash of its inputs); ~1 minute, ~1.4 GB peak.
RUN /opt/venv/bin/python scripts/train.py --print-path

FROM ${PYTHON_IMAGE} AS runtime
LABEL org.opencontainers.image.title="xuthanh-assistant" \
      org.opencontainers.image.description="Xứ Thanh assistant: Rasa 3.6.21 server and action server" \
      org.opencontainers.image.licenses="Apache-2.0"
ENV PATH=/opt/venv/bin:$PATH \
    PYTHONUNBUFFERED=1 \
    PYTHONDONTWRITEBYTECODE=1 \
    RASA_TELEMETRY_ENABLED=false \
    TF_CPP_MIN_LOG_LEVEL=2 \
    HOME=/tmp \
    MPLCONFIGDIR=/tmp/matplotlib \
    RASA_PORT=5005 \
    ACTION_PORT=5055
RUN groupadd --system --gid 10001 xuthanh \
 && useradd --system --uid 10001 --gid xuthanh --no-create-home --home-dir /tmp \
      --shell /usr/sbin/nologin xuthanh
COPY --from=build /opt/venv /opt/venv
COPY --from=build /app/bots /app/bots
COPY --from=build /app/domains /app/domains
COPY deploy/docker/assistant-entrypoint.sh /usr/local/bin/assistant-entrypoint
COPY deploy/docker/assistant-healthcheck.py /usr/local/bin/assistant-healthcheck.py
WORKDIR /app/bots
USER 10001:10001
EXPOSE 5005 5055
# Healthy when the server this container runs answers (Rasa: GET /, actions: GET /health).
HEALTHCHECK --interval=20s --timeout=5s --start-period=90s --retries=3 \
  CMD ["python", "/usr/local/bin/assistant-healthcheck.py"]
ENTRYPOINT ["assistant-entrypoint"]
CMD ["rasa"]
