#!/usr/bin/env bash
# Session-path baseline: the default session server and N runs of session bots against it, on loopback.
# Usage: perf-results/sessions/run.sh OUT_DIR [RUNS] [CLIENTS] [DURATION]
set -euo pipefail
cd "$(dirname "$0")/../.."
out="${1:?usage: run.sh OUT_DIR [RUNS] [CLIENTS] [DURATION]}"; runs="${2:-3}"; clients="${3:-100}"; duration="${4:-10s}"
port=17900
mkdir -p "$out"
./skirmish help >/dev/null   # builds the jars if needed
JAVA_OPTS="-Xms256m -Xmx256m" ./skirmish server --mode session --metrics-port 0 --bind 127.0.0.1 --port "$port" --duration 30m --stats-interval 0s \
  >"$out/server.log" 2>&1 &
server=$!
trap 'kill "$server" 2>/dev/null || true; wait "$server" 2>/dev/null || true' EXIT
for _ in $(seq 1 100); do grep -q "listening on" "$out/server.log" && break; sleep 0.1; done
{
  echo "command: perf-results/sessions/run.sh $out $runs $clients $duration"
  echo "server:  ./skirmish server --mode session --metrics-port 0 --bind 127.0.0.1 --port $port (JAVA_OPTS=-Xms256m -Xmx256m; defaults otherwise)"
  echo "bots:    ./skirmish bots --mode session --server 127.0.0.1:$port --clients $clients --duration $duration --warmup 2s (JAVA_OPTS=-Xms256m -Xmx256m)"
  echo "java:    $(java -version 2>&1 | sed -n 1p)"
  echo "host:    $(nproc) vCPU, $(sed -n 's/^model name\s*: //p' /proc/cpuinfo | sed -n 1p)"
} >"$out/README.txt"
for r in $(seq 1 "$runs"); do
  JAVA_OPTS="-Xms256m -Xmx256m" ./skirmish bots --mode session --server "127.0.0.1:$port" --clients "$clients" \
    --duration "$duration" --warmup 2s --report "$out/run-$r" --label "run-$r" 2>/dev/null | tee "$out/run-$r.txt"
done
