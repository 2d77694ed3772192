#!/usr/bin/env bash
# Runs every libFuzzer target for SECONDS each: fuzz/run.sh BUILD_DIR SECONDS
# Crashes are written to fuzz/artifacts/; add each one to the unit tests as a regression.
set -euo pipefail
build=${1:-build-fuzz}
secs=${2:-600}
here=$(cd "$(dirname "$0")" && pwd)
mkdir -p "$here/artifacts"
status=0
for bin in "$build"/fuzz/fuzz_*; do
  [ -x "$bin" ] || continue
  name=$(basename "$bin")
  corpus_name=${name#fuzz_}
  case $corpus_name in cfg_lexer) corpus_name=cfg ;; esac
  seeds="$here/corpus/$corpus_name"
  work=$(mktemp -d)
  [ -d "$seeds" ] && cp -r "$seeds"/. "$work"/ 2>/dev/null || true
  dict_name=$corpus_name
  case $corpus_name in framing) dict_name=msg ;; esac
  dict=()
  [ -f "$here/$dict_name.dict" ] && dict=(-dict="$here/$dict_name.dict")
  echo "== $name for ${secs}s"
  if ! "$bin" "$work" "${dict[@]}" -max_total_time="$secs" -max_len=65536 -timeout=10 \
        -rss_limit_mb=2048 -artifact_prefix="$here/artifacts/$name-" -print_final_stats=1 \
        2>"$here/artifacts/$name.log"; then
    echo "$name FAILED: see fuzz/artifacts/$name.log"
    status=1
  fi
  tail -n 12 "$here/artifacts/$name.log" | grep -E "stat::number_of_executed_units|Done|ERROR" || true
  rm -rf "$work"
done
exit $status
