#!/usr/bin/env bash
# Set-up, build, run and test SleepingLlm on Linux and macOS.
#   ./build.sh [build]        fetch the pinned llama.cpp runtime and build (Release)
#   ./build.sh run [ARGS]     build, then start the chat on the default model (pulled if absent)
#   ./build.sh test           build, then run the whole test suite
# Runtime options (before or after the command): --cuda, --cpu, --from-source (see native/fetch.sh);
# --cpu-variant=NAME runs on that CPU build of ggml (haswell = generic AVX2) instead of the best one.
set -euo pipefail
cd "$(dirname "$0")"

command=build fetch_flags=() args=()
for arg in "$@"; do
  case "$arg" in
    --cuda|--cpu|--from-source|--force) fetch_flags+=("$arg") ;;
    --cpu-variant=*) export SLEEPINGLLM_CPU_VARIANT="${arg#--cpu-variant=}" ;;
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
    # The suite must leave the user's own SleepingLlm folders exactly as they were (tests/TestHome.cs).
    user_folders=("${XDG_DATA_HOME:-$HOME/.local/share}/sleepingllm" "${XDG_CONFIG_HOME:-$HOME/.config}/sleepingllm")
    snapshot() { { find "${user_folders[@]}" -exec ls -ldn {} + 2>/dev/null || true; } | sort; }
    before=$(snapshot)
    set +e
    dotnet test SleepingLlm.sln -c Release --no-build -nologo ${args[@]+"${args[@]}"} 2>&1 | tee "$log"
    status=${PIPESTATUS[0]}
    set -e
    if [ "$(snapshot)" != "$before" ]; then
      echo "build.sh: the test run changed the user's folders (${user_folders[*]}):" >&2
      diff <(echo "$before") <(snapshot) >&2 || true
      status=1
    fi
    # One plain closing line for CI: "tests: N passed, N failed, N skipped".
    sed -nE 's/.*Failed: *([0-9]+), Passed: *([0-9]+), Skipped: *([0-9]+).*/\2 \1 \3/p' "$log" |
      awk '{p+=$1; f+=$2; s+=$3} END {printf "tests: %d passed, %d failed, %d skipped\n", p, f, s}'
    rm -f "$log"
    exit "$status" ;;
esac
