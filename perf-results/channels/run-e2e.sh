#!/usr/bin/env bash
# End-to-end reliable-ordered latency over loopback through the in-process impairer (issue 4 benchmark).
# A default session server (echo on the channel a message came on) and, for each loss level, RUNS runs of session
# bots that ping on channel 2 (RELIABLE_ORDERED) at 30 Hz through a seeded impaired link applied at each bot in
# both directions: 10 ms one-way delay and the given loss each way. The RTT of a ping is one reliable-ordered
# delivery each way, so loss recovery on either leg shows in it. Prints medians across runs and the inflation
# against the loss-free level.
# Usage: perf-results/channels/run-e2e.sh OUT_DIR [RUNS] [CLIENTS] [DURATION]
set -euo pipefail
cd "$(dirname "$0")/../.."
out="${1:?usage: run-e2e.sh OUT_DIR [RUNS] [CLIENTS] [DURATION]}"; runs="${2:-3}"; clients="${3:-20}"
duration="${4:-20s}"
port=17901
mkdir -p "$out"
./skirmish help >/dev/null   # builds the jars if needed
JAVA_OPTS="-Xms256m -Xmx256m" ./skirmish server --mode session --metrics-port 0 --bind 127.0.0.1 --port "$port" --duration 60m --stats-interval 0s \
  >"$out/server.log" 2>&1 &
server=$!
trap 'kill "$server" 2>/dev/null || true; wait "$server" 2>/dev/null || true' EXIT
for _ in $(seq 1 100); do grep -q "listening on" "$out/server.log" && break; sleep 0.1; done
{
  echo "command: perf-results/channels/run-e2e.sh $out $runs $clients $duration"
  echo "server:  ./skirmish server --mode session --metrics-port 0 --bind 127.0.0.1 --port $port (JAVA_OPTS=-Xms256m -Xmx256m; defaults otherwise)"
  echo "bots:    ./skirmish bots --mode session --server 127.0.0.1:$port --clients $clients --duration $duration --warmup 2s" \
       "--channel 2 --timeout 5s --impair loss=L%,delay=10ms --seed 1000*L+run (JAVA_OPTS=-Xms256m -Xmx256m)"
  echo "java:    $(java -version 2>&1 | sed -n 1p)"
  echo "host:    $(nproc) vCPU, $(sed -n 's/^model name\s*: //p' /proc/cpuinfo | sed -n 1p)"
} >"$out/README.txt"
for loss in 0 2 5 10; do
  for r in $(seq 1 "$runs"); do
    JAVA_OPTS="-Xms256m -Xmx256m" ./skirmish bots --mode session --server "127.0.0.1:$port" --clients "$clients" \
      --duration "$duration" --warmup 2s --channel 2 --timeout 5s --impair "loss=${loss}%,delay=10ms" \
      --seed $((1000 * loss + r)) --report "$out/loss-$loss/run-$r" --label "loss-$loss-run-$r" \
      >"$out/loss-$loss-run-$r.txt" 2>&1 || { echo "run loss=$loss r=$r failed" >&2; exit 1; }
  done
done
python3 - "$out" "$runs" <<'PY' | tee "$out/summary.txt"
import json, statistics, sys
out, runs = sys.argv[1], int(sys.argv[2])
rows = {}
for loss in (0, 2, 5, 10):
    runs_rtt = [json.load(open(f"{out}/loss-{loss}/run-{r}/summary.json"))["rttUs"] for r in range(1, runs + 1)]
    rows[loss] = {k: statistics.median(x[k] for x in runs_rtt) for k in ("p50", "p99", "p999", "max")}
    rows[loss]["sent"] = sum(json.load(open(f"{out}/loss-{loss}/run-{r}/summary.json"))["sent"]
                             for r in range(1, runs + 1))
base = rows[0]
print(f"reliable-ordered ping RTT through the impairer, 10 ms one-way delay, loss each way; medians of {runs} runs (us)")
print(f"{'loss':>5} {'p50':>9} {'p99':>9} {'p99.9':>9} {'max':>9} {'p50 x':>7} {'p99 x':>7} {'p99.9 x':>8} {'pings':>7}")
for loss, row in rows.items():
    print(f"{loss:>4}% {row['p50']:>9.0f} {row['p99']:>9.0f} {row['p999']:>9.0f} {row['max']:>9.0f} "
          f"{row['p50'] / base['p50']:>7.2f} {row['p99'] / base['p99']:>7.2f} {row['p999'] / base['p999']:>8.2f} "
          f"{row['sent']:>7}")
PY
