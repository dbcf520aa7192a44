# syntax=docker/dockerfile:1
# Build: the locked dependencies into a virtual environment at its final path.
FROM python:3.11-slim-bookworm AS build
ENV PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    UV_COMPILE_BYTECODE=1 \
    UV_LINK_MODE=copy \
    UV_PROJECT_ENVIRONMENT=/opt/schemabot
RUN pip install uv==0.13.8
WORKDIR /src
COPY pyproject.toml uv.lock README.md ./
RUN uv sync --frozen --no-dev --no-install-project
COPY app ./app
COPY linters ./linters
RUN uv sync --frozen --no-dev --no-editable

# Run: no compiler, no uv, no source tree; a non-root user with no home and no shell.
FROM python:3.11-slim-bookworm
RUN useradd --system --uid 10001 --no-create-home --shell /usr/sbin/nologin schemabot
COPY --from=build /opt/schemabot /opt/schemabot
COPY schemabot.example.toml /etc/schemabot/schemabot.toml
ENV PATH=/opt/schemabot/bin:$PATH \
    PYTHONUNBUFFERED=1 \
    SCHEMABOT_CONFIG=/etc/schemabot/schemabot.toml \
    SCHEMABOT_STATE_URL=sqlite:////tmp/schemabot.db
USER 10001
EXPOSE 8080
HEALTHCHECK --interval=30s --timeout=3s --start-period=10s --retries=3 \
    CMD ["python", "-c", "import urllib.request; urllib.request.urlopen('http://127.0.0.1:8080/healthz', timeout=2)"]
ENTRYPOINT ["schemabot"]
CMD ["serve", "--host", "0.0.0.0", "--port", "8080"]
