#!/usr/bin/env bash
# Build llama.cpp's own `llama-server` (parallel slots, continuous batching) from the
# llama.cpp sources vendored in the llama-cpp-python sdist that pyproject.toml pins, so
# bench/writer.py can measure the openai backend against a server that batches.
# llama_cpp.server (llama-cpp-python) answers one request at a time.
#
#   bash bench/build_llama_server.sh        # prints the binary's path (about 10 min on 2 cores)
#
# The result is cached in ${COLUMNIST_CACHE:-$HOME/.cache/columnist}/llama-server-<version>/.
set -euo pipefail
here="$(cd "$(dirname "$0")/.." && pwd)"
version="$(grep -oE 'llama-cpp-python==[0-9.]+' "$here/pyproject.toml" | cut -d= -f3)"
cache="${COLUMNIST_CACHE:-$HOME/.cache/columnist}/llama-server-$version"
binary="$cache/build/bin/llama-server"
if [[ -x "$binary" ]]; then
    echo "$binary"
    exit 0
fi
python="${PYTHON:-$here/.venv/bin/python}"
[[ -x "$python" ]] || python=python3
mkdir -p "$cache"
if [[ ! -d "$cache/src" ]]; then
    "$python" -m pip download --quiet --no-deps --no-binary :all: \
        "llama-cpp-python==$version" -d "$cache/sdist" >&2
    mkdir -p "$cache/src"
    tar -xzf "$cache/sdist/llama_cpp_python-$version.tar.gz" -C "$cache/src" --strip-components=1
fi
cmake -S "$cache/src/vendor/llama.cpp" -B "$cache/build" -DCMAKE_BUILD_TYPE=Release \
    -DLLAMA_BUILD_SERVER=ON -DLLAMA_BUILD_TOOLS=ON -DLLAMA_BUILD_TESTS=OFF \
    -DLLAMA_BUILD_EXAMPLES=OFF -DLLAMA_BUILD_APP=OFF -DLLAMA_BUILD_UI=OFF \
    -DLLAMA_USE_PREBUILT_UI=OFF -DLLAMA_OPENSSL=OFF -DLLAMA_CURL=OFF \
    -DBUILD_SHARED_LIBS=OFF >&2
cmake --build "$cache/build" --target llama-server -j "$(nproc)" >&2
echo "$binary"
