#!/usr/bin/env bash
# The standard scenario (the demo's): a rooms server and N runs of game bots in rooms of 4 at 30 Hz over 'wifi'.
# Compare a new build against it with: ./skirmish compare perf-results/baseline OUT_DIR
# Usage: perf-results/baseline/run.sh OUT_DIR [RUNS] [BOTS] [DURATION]
set -euo pipefail
cd "$(dirname "$0")/../.."
out="${1:?usage: run.sh OUT_DIR [RUNS] [BOTS] [DURATION]}"; runs="${2:-3}"; bots="${3:-200}"; duration="${4:-30s}"
port=17902
metrics=19402
mkdir -p "$out"
./skirmish help >/dev/null   # builds the jars if needed
server=""
start_server() {   # a fresh server per run: rooms (and their frame numbers) of the previous run must not linger
  JAVA_OPTS="-Xms256m -Xmx512m" ./skirmish server --bind 127.0.0.1 --port "$port" --metrics-port "$metrics" \
    --duration 60m --stats-interval 0s >"$out/server-$1.log" 2>&1 &
  server=$!
  for _ in $(seq 1 100); do grep -q "listening on" "$out/server-$1.log" && break; sleep 0.1; done
}
stop_server() { [[ -z "$server" ]] || { kill "$server" 2>/dev/null || true; wait "$server" 2>/dev/null || true; }; server=""; }
trap stop_server EXIT
{
  echo "command: perf-results/baseline/run.sh $out $runs $bots $duration"
  echo "server:  ./skirmish server --bind 127.0.0.1 --port $port --metrics-port $metrics (rooms mode; JAVA_OPTS=-Xms256m -Xmx512m)"
  echo "bots:    ./skirmish bots --mode game --bots $bots --room-size 4 --tick-hz 30 --impair wifi --seed RUN --threads 2" \
       "--duration $duration --warmup 5s (JAVA_OPTS=-Xms512m -Xmx1g)"
  echo "git:     $(git rev-parse HEAD 2>/dev/null || echo unknown)"
  echo "java:    $(java -version 2>&1 | sed -n 1p)"
  echo "host:    $(nproc) vCPU, $(sed -n 's/^model name\s*: //p' /proc/cpuinfo | sed -n 1p)"
} >"$out/README.txt"
for r in $(seq 1 "$runs"); do
  start_server "$r"
  JAVA_OPTS="-Xms512m -Xmx1g" ./skirmish bots --mode game --server "127.0.0.1:$port" --bots "$bots" --room-size 4 \
    --tick-hz 30 --impair wifi --seed "$r" --threads 2 --duration "$duration" --warmup 5s --connect-timeout 20s \
    --metrics-url "http://127.0.0.1:$metrics/metrics" --report "$out/run-$r" --label "baseline run $r" \
    >"$out/run-$r.txt" 2>"$out/run-$r.err" || { echo "run $r failed (see $out/run-$r.txt)" >&2; exit 1; }
  stop_server
  sed -n '/^bots /,/^report/p' "$out/run-$r.txt"
done
