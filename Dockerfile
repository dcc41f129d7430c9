# Heisenberg's voice back end in one image: llama-server (llama.cpp) and the Wyoming wake word +
# speech-to-text + text-to-speech server. The same image is the Home Assistant add-on (config.yaml
# beside this file: the Supervisor builds it on the device from this folder) and the Docker image
# (compose.yaml). Models are not in the image: they are installed into /data at first start.
#
# Base: Debian testing ("forky"), the first Debian with Python >= 3.14.2 (what the servers need)
# and llama.cpp's llama-server packaged, for amd64 and arm64 alike. A multi-arch image: the
# Supervisor and `docker build` pick the device's architecture.
ARG BUILD_FROM=docker.io/library/debian:forky-slim
FROM ${BUILD_FROM}

# Programs from Debian: Python, llama-server, and the SVOX Pico voices (French, German, Spanish,
# Italian; non-free), which the TTS server loads from their system-wide install.
RUN if [ -f /etc/apt/sources.list.d/debian.sources ]; then \
        sed -i 's/^Components: main$/Components: main non-free/' /etc/apt/sources.list.d/debian.sources; \
    fi \
    && apt-get update \
    && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends \
        ca-certificates \
        libttspico-data \
        libttspico0t64 \
        llama.cpp-tools \
        python3 \
        python3-venv \
    && rm -rf /var/lib/apt/lists/* \
    && llama-server --version

# Python libraries, pinned with their hashes from uv.lock (the versions the tests ran with).
# requirements/<group>.txt keeps each model group's pins for the first start (data_packages.py).
# WHEELS: a folder of wheels for an offline build (the image test); empty = PyPI.
ARG WHEELS=
ARG UV_VERSION=0.13.10
WORKDIR /opt/heisenberg/app
COPY pyproject.toml uv.lock ./
RUN offline="${WHEELS:+--no-index --find-links ${WHEELS}}" \
    && python3 -m venv /tmp/uv \
    && /tmp/uv/bin/pip install --quiet --disable-pip-version-check ${offline} "uv==${UV_VERSION}" \
    && mkdir -p /opt/heisenberg/requirements \
    && for group in voice voice-models llm llm-small llm-gemma; do \
        /tmp/uv/bin/uv export --quiet --frozen --no-default-groups --group "${group}" \
            --no-emit-project --output-file "/opt/heisenberg/requirements/${group}.txt"; \
    done \
    && python3 -m venv /opt/heisenberg/venv \
    && /tmp/uv/bin/uv pip install --quiet --no-cache --python /opt/heisenberg/venv/bin/python \
        --require-hashes ${offline} -r /opt/heisenberg/requirements/voice.txt \
    && rm -rf /tmp/uv

COPY launcher ./launcher
COPY wyoming_servers ./wyoming_servers

ENV HEISENBERG_DATA=/data \
    HEISENBERG_REQUIREMENTS=/opt/heisenberg/requirements \
    PYTHONUNBUFFERED=1
# llama-server (the Heisenberg integration's URL) and the Wyoming server (HA's Wyoming integration).
EXPOSE 8080 10300
ENTRYPOINT ["/opt/heisenberg/venv/bin/python", "-m", "launcher.container"]
