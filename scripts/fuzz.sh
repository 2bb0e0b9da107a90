#!/usr/bin/env bash
# Builds and runs one libFuzzer target of fuzz/targets (see fuzz/fuzz_target.h):
#
#   scripts/fuzz.sh TARGET [SECONDS]      build build-fuzz/fuzz_TARGET, fuzz it (default 60 s)
#   scripts/fuzz.sh --build [TARGET...]   build only (all targets by default)
#   scripts/fuzz.sh --list                the targets
#   scripts/fuzz.sh --all [SECONDS]       build, then fuzz every target (default 600 s each),
#                                         FUZZ_PARALLEL at a time (default 1); summary in runs.log
#
# Needs the normal build (build/: its libgankit.a, compile flags and link line) and Debian's clang
# (apt-get install clang). Compiled with -fsanitize=fuzzer,address,undefined: the target, the parser
# sources it names and third-party parsers built from their headers (stb_image, toml++); the rest
# comes from build/libgankit.a. Incremental (ninja) in build-fuzz/.
#
# The corpus lives in build-fuzz/corpus/TARGET, seeded from tests/fuzz/seeds/TARGET,
# tests/fuzz/crashes/TARGET and build-fuzz/seeds/TARGET (real files, made by fuzz/make_seeds.py).
# A crash is written to build-fuzz/artifacts/TARGET/; minimise it
# (build-fuzz/fuzz_TARGET -minimize_crash=1 -runs=10000 FILE), fix the parser and copy the input to
# tests/fuzz/crashes/TARGET/: CTest replays it (FuzzReplay.*) in the normal build.
# Environment: GANKIT_BUILD (default build), GANKIT_FUZZ_OUT (default build-fuzz), FUZZ_JOBS
# (ninja -j, default 2), FUZZ_ARGS (more libFuzzer flags), FUZZ_NO_BUILD=1 (run the binary as built),
# FUZZ_PARALLEL (--all: targets at a time).
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
BUILD="${GANKIT_BUILD:-$ROOT/build}"
OUT="${GANKIT_FUZZ_OUT:-$ROOT/build-fuzz}"
PY=/usr/bin/python3
command -v clang++ >/dev/null || { echo "fuzz: clang++ missing (apt-get install clang)" >&2; exit 1; }

targets() { ls "$ROOT/fuzz/targets" | sed -n 's/\.cpp$//p'; }
build() {
  "$PY" "$ROOT/fuzz/build_fuzz.py" "$BUILD" "$OUT"
  ninja -C "$OUT" -j "${FUZZ_JOBS:-2}" "$@"
}
# A `// fuzz-KEY: VALUE` line of the target's file.
option() { sed -n "s|^// fuzz-$2: *||p" "$ROOT/fuzz/targets/$1.cpp" | head -1; }

case "${1:-}" in
  ""|-h|--help) sed -n '2,23s/^# \{0,1\}//p' "$0"; exit 0 ;;
  --list) targets; exit 0 ;;
  --build) shift; build "$@"; exit 0 ;;
  --all)
    build
    mkdir -p "$OUT/logs"
    # Each run's output goes to build-fuzz/logs/TARGET.out; its one-line result to runs.log.
    targets | xargs -P "${FUZZ_PARALLEL:-1}" -I{} sh -c \
      'FUZZ_NO_BUILD=1 "$0" "$1" "$2" > "$3/logs/$1.out" 2>&1; tail -1 "$3/logs/$1.out"' \
      "$0" {} "${2:-600}" "$OUT"
    exit $? ;;
esac

TARGET="$1"
SECONDS_TO_RUN="${2:-60}"
[[ -f "$ROOT/fuzz/targets/$TARGET.cpp" ]] || { echo "fuzz: no target '$TARGET' (scripts/fuzz.sh --list)" >&2; exit 2; }
[[ -n "${FUZZ_NO_BUILD:-}" && -x "$OUT/fuzz_$TARGET" ]] || build "$TARGET"

CORPUS="$OUT/corpus/$TARGET"
ARTIFACTS="$OUT/artifacts/$TARGET"
mkdir -p "$CORPUS" "$ARTIFACTS"
SEEDS=()
for dir in "$ROOT/tests/fuzz/seeds/$TARGET" "$ROOT/tests/fuzz/crashes/$TARGET" "$OUT/seeds/$TARGET"; do
  [[ -d "$dir" ]] && SEEDS+=("$dir")
done
ARGS=(-max_total_time="$SECONDS_TO_RUN" -rss_limit_mb=2048 -timeout=10 -print_final_stats=1
      -artifact_prefix="$ARTIFACTS/" -max_len="$(option "$TARGET" max-len || true)")
[[ "${ARGS[-1]}" == "-max_len=" ]] && ARGS[-1]=-max_len=65536
[[ -f "$ROOT/fuzz/dicts/$TARGET.dict" ]] && ARGS+=(-dict="$ROOT/fuzz/dicts/$TARGET.dict")

# Path-taking parsers read scratch files here; removed even when the run crashes.
SCRATCH="$(mktemp -d /dev/shm/gankit-fuzz.XXXXXX 2>/dev/null || mktemp -d)"
LOG="$OUT/logs/$TARGET-$(date +%Y%m%d-%H%M%S).log"
mkdir -p "$OUT/logs"
trap 'rm -rf "$SCRATCH"' EXIT
echo "fuzz: $TARGET for $SECONDS_TO_RUN s (log $LOG)" >&2
START=$(date +%s)
set +e
GANKIT_FUZZ_SCRATCH="$SCRATCH" OMP_NUM_THREADS=1 \
ASAN_OPTIONS="detect_leaks=0:allocator_may_return_null=1:handle_abort=1:${ASAN_OPTIONS:-}" \
UBSAN_OPTIONS="print_stacktrace=1:halt_on_error=1:${UBSAN_OPTIONS:-}" \
  "$OUT/fuzz_$TARGET" "${ARGS[@]}" ${FUZZ_ARGS:-} "$CORPUS" "${SEEDS[@]}" 2>&1 | tee "$LOG" | grep -v '^#[0-9]*\s*\(NEW\|REDUCE\|pulse\)'
STATUS=${PIPESTATUS[0]}
set -e
ELAPSED=$(( $(date +%s) - START ))
EXECS=$(sed -n 's/^stat::number_of_executed_units: *//p' "$LOG" | tail -1)
CORPUS_FILES=$(find "$CORPUS" -type f | wc -l)
CRASHES=$(find "$ARTIFACTS" -type f -newer "$SCRATCH" | wc -l)
echo "fuzz: $TARGET: exit $STATUS, ${EXECS:-?} executions in $ELAPSED s, corpus $CORPUS_FILES files, new artifacts $CRASHES" >&2
echo "$(date -Is) $TARGET seconds=$ELAPSED asked=$SECONDS_TO_RUN execs=${EXECS:-?} corpus=$CORPUS_FILES exit=$STATUS artifacts=$CRASHES" >> "$OUT/runs.log"
exit "$STATUS"
