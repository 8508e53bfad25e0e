#!/usr/bin/env bash
# Data-path baseline: echo (full path) vs raw-echo (I/O thread only), ping-pong and flood, and flood at recvmmsg
# batch 1/16/64. Runs every configuration RUNS times, interleaved, so all configurations see the same machine noise,
# then writes summary.md with medians and ratios.
#
# Usage: perf-results/datapath/run.sh [OUT_DIR]
#        (env: RUNS=3 DURATION=10s CLIENTS=4 WINDOW=256 LIGHT_WINDOW=16 PORT=7900 SERVER_OPTS BOTS_OPTS)
# Needs: the built jars (./skirmish builds them), python3 for the summary.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
OUT="${1:-$ROOT/perf-results/runs/$(date +%Y%m%d-%H%M%S)-datapath}"
RUNS="${RUNS:-3}"; DURATION="${DURATION:-10s}"; CLIENTS="${CLIENTS:-4}"; PORT="${PORT:-7900}"
WINDOW="${WINDOW:-256}"        # saturates the server: throughput stops rising by here on the reference VM
LIGHT_WINDOW="${LIGHT_WINDOW:-16}"
JAVA="${JAVA_HOME:+$JAVA_HOME/bin/}java"
SERVER_OPTS="${SERVER_OPTS:--Xms256m -Xmx256m}"
BOTS_OPTS="${BOTS_OPTS:--Xms256m -Xmx256m}"
mkdir -p "$OUT"

"$ROOT/skirmish" help >/dev/null   # no-op; the next line builds if stale
"$ROOT/skirmish" server --help >/dev/null

# name | server args | bots args
CONFIGS=(
  "pingpong-raw-echo|--mode raw-echo|--mode pingpong"
  "pingpong-echo|--mode echo|--mode pingpong"
  "pingpong-echo-spin1000|--mode echo --worker-spin-us 1000|--mode pingpong"
  "flood-raw-echo|--mode raw-echo|--mode flood --clients $CLIENTS --window $WINDOW"
  "flood-light-raw-echo|--mode raw-echo|--mode flood --clients $CLIENTS --window $LIGHT_WINDOW"
  "flood-light-echo|--mode echo|--mode flood --clients $CLIENTS --window $LIGHT_WINDOW"
  "flood-echo-b16|--mode echo --batch 16|--mode flood --clients $CLIENTS --window $WINDOW"
  "flood-echo-b1|--mode echo --batch 1|--mode flood --clients $CLIENTS --window $WINDOW"
  "flood-echo-b64|--mode echo --batch 64|--mode flood --clients $CLIENTS --window $WINDOW"
)

{
  echo "date: $(date -u +%Y-%m-%dT%H:%M:%SZ)"
  echo "git: $(git -C "$ROOT" rev-parse --short HEAD 2>/dev/null || echo unknown)"
  echo "cpus: $(nproc) x $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs)"
  echo "kernel: $(uname -r)"
  echo "java: $("$JAVA" -version 2>&1 | head -1)"
  echo "server JVM flags: $SERVER_OPTS"
  echo "bots JVM flags: $BOTS_OPTS"
  echo "runs: $RUNS, duration: $DURATION (+1s warm-up), flood: $CLIENTS clients x $WINDOW in flight (light: x $LIGHT_WINDOW)"
  echo "server: defaults unless the config name says otherwise; bots pingpong: --spin 0s (default)"
} > "$OUT/machine.txt"

for run in $(seq 1 "$RUNS"); do
  for entry in "${CONFIGS[@]}"; do
    IFS='|' read -r name server_args bots_args <<<"$entry"
    dir="$OUT/$name/run$run"
    mkdir -p "$dir"
    # shellcheck disable=SC2086
    "$JAVA" $SERVER_OPTS -jar "$ROOT/server-app/target/skirmish-server.jar" --bind 127.0.0.1 --port "$PORT" \
      --duration 5m --stats-interval 1s $server_args >"$dir/server.log" 2>&1 &
    pid=$!
    for _ in $(seq 1 100); do grep -q "listening on" "$dir/server.log" && break; sleep 0.1; done
    # shellcheck disable=SC2086
    "$JAVA" $BOTS_OPTS -jar "$ROOT/client-sim/target/skirmish-bots.jar" --server "127.0.0.1:$PORT" \
      --duration "$DURATION" --label "$name" --report "$dir" $bots_args >"$dir/bots.out" 2>"$dir/bots.err" || true
    kill -TERM "$pid"; wait "$pid" || true
    echo "run $run $name: $(grep -E '^(throughput|rtt us)' "$dir/bots.out" | tr -s ' ' | tr '\n' ' ')"
  done
done

python3 "$ROOT/perf-results/datapath/summarize.py" "$OUT" | tee "$OUT/summary.md"
