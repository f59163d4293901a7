#!/usr/bin/env bash
# Set-up, build, run and test SleepingLlm on Linux and macOS.
#   ./build.sh [build]        fetch the pinned llama.cpp runtime and build (Release)
#   ./build.sh run [ARGS]     build, then start the chat on the default model (pulled if absent)
#   ./build.sh test           build, then run the whole test suite
# Runtime options (before or after the command): --cuda, --cpu, --from-source (see native/fetch.sh).
set -euo pipefail
cd "$(dirname "$0")"

command=build fetch_flags=() args=()
for arg in "$@"; do
  case "$arg" in
    --cuda|--cpu|--from-source|--force) fetch_flags+=("$arg") ;;
    build|run|test) [ ${#args[@]} -eq 0 ] && [ "$command" = build ] && command=$arg || args+=("$arg") ;;
    *) args+=("$arg") ;;
  esac
done

die() { echo "build.sh: $*" >&2; exit 1; }

command -v dotnet >/dev/null || die "the .NET 10 SDK is needed: https://dotnet.microsoft.com/download/dotnet/10.0"
sdk=$(dotnet --version 2>/dev/null || true)
[ "${sdk%%.*}" -ge 10 ] 2>/dev/null || die ".NET SDK 10 or newer is needed (found '${sdk:-none}')"

native/fetch.sh ${fetch_flags[@]+"${fetch_flags[@]}"}
dotnet build SleepingLlm.sln -c Release -nologo -v q -clp:NoSummary

case "$command" in
  build) echo "built: ./sleepingllm --help" ;;
  run) exec ./sleepingllm chat ${args[@]+"${args[@]}"} ;;
  test)
    log=$(mktemp)
    set +e
    dotnet test SleepingLlm.sln -c Release --no-build -nologo ${args[@]+"${args[@]}"} 2>&1 | tee "$log"
    status=${PIPESTATUS[0]}
    set -e
    # One plain closing line for CI: "tests: N passed, N failed, N skipped".
    sed -nE 's/.*Failed: *([0-9]+), Passed: *([0-9]+), Skipped: *([0-9]+).*/\2 \1 \3/p' "$log" |
      awk '{p+=$1; f+=$2; s+=$3} END {printf "tests: %d passed, %d failed, %d skipped\n", p, f, s}'
    rm -f "$log"
    exit "$status" ;;
esac
