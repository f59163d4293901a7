#!/usr/bin/env bash
# Puts the pinned llama.cpp runtime (native/runtime.env) into native/.cache/runtime and its headers
# into native/.cache/include. Nothing of llama.cpp is committed: this script downloads it.
#   native/fetch.sh [--cuda|--cpu] [--from-source] [--force]
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
# shellcheck source=runtime.env
source "$here/runtime.env"
cache="$here/.cache"
runtime="$cache/runtime"
gpu=auto from_source=0 force=0
for arg in "$@"; do
  case "$arg" in
    --cuda) gpu=cuda ;;
    --cpu) gpu=cpu ;;
    --from-source) from_source=1 ;;
    --force) force=1 ;;
    *) echo "fetch.sh: unknown option $arg" >&2; exit 2 ;;
  esac
done

os=$(uname -s) arch=$(uname -m)
if [ "$gpu" = auto ]; then
  gpu=cpu
  [ "$os" = Linux ] && command -v nvidia-smi >/dev/null 2>&1 && nvidia-smi -L >/dev/null 2>&1 && gpu=cuda
fi
case "$os/$arch" in
  Linux/x86_64) platform=linux-x64; [ "$gpu" = cuda ] && platform=linux-x64-cuda ;;
  Linux/aarch64) platform=linux-arm64 ;;
  Darwin/arm64) platform=mac-arm64-metal; gpu=metal ;;
  Darwin/x86_64) platform=mac-x64 ;;
  *) echo "fetch.sh: no llama.cpp runtime for $os/$arch; try --from-source" >&2; exit 1 ;;
esac
variant="$platform"; [ "$from_source" = 1 ] && variant="source-$gpu"
want="release=$LLAMA_CPP_RELEASE variant=$variant"

if [ "$force" = 0 ] && [ -f "$runtime/manifest" ] && [ "$(cat "$runtime/manifest")" = "$want" ] && [ -f "$cache/include/llama.h" ]; then
  exit 0
fi

# npm pack NAME@VERSION into the download cache (kept, so a rebuild does not download again).
pack() {
  local name=$1 file
  file="$(echo "${name#@}" | tr / -)-$NODE_LLAMA_CPP_VERSION.tgz"
  mkdir -p "$cache/npm"
  if [ ! -f "$cache/npm/$file" ]; then
    echo "fetching $name@$NODE_LLAMA_CPP_VERSION" >&2
    (cd "$cache/npm" && npm pack --silent "$name@$NODE_LLAMA_CPP_VERSION" >/dev/null)
  fi
  echo "$cache/npm/$file"
}

command -v npm >/dev/null || { echo "fetch.sh: npm is needed to fetch llama.cpp (install Node.js)" >&2; exit 1; }

# The source bundle: headers always, the whole tree for --from-source.
src="$cache/llama.cpp-$LLAMA_CPP_RELEASE"
if [ ! -f "$src/include/llama.h" ]; then
  tgz=$(pack node-llama-cpp)
  tmp=$(mktemp -d)
  tar xzf "$tgz" -C "$tmp" package/llama/gitRelease.bundle
  rm -rf "$src"
  git clone --quiet "$tmp/package/llama/gitRelease.bundle" "$src" 2>/dev/null
  rm -rf "$tmp"
fi
rm -rf "$cache/include" && mkdir -p "$cache/include"
cp "$src/include/llama.h" "$src"/ggml/include/*.h "$cache/include/"

stage="$cache/runtime.new"
rm -rf "$stage" && mkdir -p "$stage"
if [ "$from_source" = 1 ]; then
  flags=(-DCMAKE_BUILD_TYPE=Release -DLLAMA_BUILD_TESTS=OFF -DLLAMA_BUILD_TOOLS=OFF -DLLAMA_BUILD_EXAMPLES=OFF
         -DLLAMA_BUILD_SERVER=OFF -DLLAMA_BUILD_COMMON=OFF -DBUILD_SHARED_LIBS=ON -DLLAMA_BUILD_IS_DEV=OFF)
  case "$gpu" in
    cuda) flags+=(-DGGML_CUDA=ON) ;;
    metal) flags+=(-DGGML_METAL=ON) ;;
  esac
  cmake -S "$src" -B "$src/build-$gpu" "${flags[@]}" >&2
  cmake --build "$src/build-$gpu" --config Release -j "$(nproc 2>/dev/null || sysctl -n hw.ncpu)" >&2
  find "$src/build-$gpu/bin" "$src/build-$gpu" -maxdepth 3 \( -name '*.so*' -o -name '*.dylib' \) -exec cp -P {} "$stage/" \;
else
  packages=("@node-llama-cpp/$platform")
  [ "$platform" = linux-x64-cuda ] && packages+=("@node-llama-cpp/linux-x64-cuda-ext")
  for p in "${packages[@]}"; do
    tgz=$(pack "$p")
    tmp=$(mktemp -d)
    tar xzf "$tgz" -C "$tmp"
    find "$tmp/package/bins" -type f \( -name '*.so' -o -name '*.dylib' -o -name '*.metal' \) -exec cp {} "$stage/" \;
    rm -rf "$tmp"
  done
fi
echo "$want" > "$stage/manifest"
rm -rf "$runtime" && mv "$stage" "$runtime"
echo "llama.cpp $LLAMA_CPP_RELEASE ($variant) in $runtime" >&2
