#!/usr/bin/env bash
# Scale sweep: for each bot count, RUNS runs of game bots (rooms of 4, 30 Hz, no impairment: loopback) against a
# fresh rooms server on the same machine, then one table (table.md) of the figures the scale question asks for.
# Usage: perf-results/scale/run.sh OUT_DIR [RUNS] [DURATION] BOTS...     e.g. run.sh /tmp/scale 3 20s 200 400 1000
# Needs python3 for the table.
set -euo pipefail
cd "$(dirname "$0")/../.."
out="${1:?usage: run.sh OUT_DIR [RUNS] [DURATION] BOTS...}"; runs="${2:-3}"; duration="${3:-20s}"
shift 3 || true
counts=("$@"); [[ ${#counts[@]} -gt 0 ]] || counts=(200 400 600 800 1000)
port=17903
metrics=19403
mkdir -p "$out"
./skirmish help >/dev/null   # builds the jars if needed
server=""
start_server() {   # a fresh server per run
  JAVA_OPTS="-Xms256m -Xmx512m" ./skirmish server --bind 127.0.0.1 --port "$port" --metrics-port "$metrics" \
    --duration 60m --stats-interval 0s >"$out/server-$1.log" 2>&1 &
  server=$!
  for _ in $(seq 1 100); do grep -q "listening on" "$out/server-$1.log" && break; sleep 0.1; done
}
stop_server() { [[ -z "$server" ]] || { kill "$server" 2>/dev/null || true; wait "$server" 2>/dev/null || true; }; server=""; }
trap stop_server EXIT
{
  echo "command: perf-results/scale/run.sh $out $runs $duration ${counts[*]}"
  echo "server:  ./skirmish server --bind 127.0.0.1 --port $port --metrics-port $metrics (rooms mode, defaults;" \
       "JAVA_OPTS=-Xms256m -Xmx512m)"
  echo "bots:    ./skirmish bots --mode game --bots N --room-size 4 --tick-hz 30 --threads 2 --duration $duration" \
       "--warmup 5s --connect-timeout 30s --max-failures N (JAVA_OPTS=-Xms512m -Xmx1g)"
  echo "git:     $(git rev-parse HEAD 2>/dev/null || echo unknown)"
  echo "java:    $(java -version 2>&1 | sed -n 1p)"
  echo "host:    $(nproc) vCPU, $(sed -n 's/^model name\s*: //p' /proc/cpuinfo | sed -n 1p)"
} >"$out/README.txt"
for n in "${counts[@]}"; do
  for r in $(seq 1 "$runs"); do
    start_server "$n-$r"
    JAVA_OPTS="-Xms512m -Xmx1g" ./skirmish bots --mode game --server "127.0.0.1:$port" --bots "$n" --room-size 4 \
      --tick-hz 30 --threads 2 --duration "$duration" --warmup 5s --connect-timeout 30s --max-failures "$n" \
      --metrics-url "http://127.0.0.1:$metrics/metrics" --report "$out/$n-bots-run-$r" --label "$n bots run $r" \
      >"$out/$n-bots-run-$r.txt" 2>"$out/$n-bots-run-$r.err" || echo "$n bots run $r: exit $?" >&2
    stop_server
    echo "$n bots run $r: $(grep -E '^input-frame' "$out/$n-bots-run-$r.txt" || true)"
  done
done
python3 - "$out" <<'PY' | tee "$out/table.md"
import json, os, re, sys
out = sys.argv[1]
rows = []
for name in os.listdir(out):
    m = re.fullmatch(r"(\d+)-bots-run-(\d+)", name)
    path = os.path.join(out, name, "summary.json")
    if m and os.path.exists(path):
        rows.append((int(m.group(1)), int(m.group(2)), json.load(open(path))))
rows.sort(key=lambda r: (r[0], r[1]))
def f(v, scale=1.0, fmt="%.1f"):
    return "-" if v is None else fmt % (v * scale)
print("| bots | run | connected | disconnects | input→frame p50 / p99 ms | RTT p99 ms | late inputs % | "
      "tick lateness p99 ms | server GC max ms | server CPU % | swarm CPU % | server / swarm CPU per 1000 bots % |")
print("|---|---|---|---|---|---|---|---|---|---|---|---|")
for n, r, s in rows:
    inf, srv, sw = s.get("inputFrameUs") or {}, s.get("server") or {}, s.get("swarm") or {}
    sent = max(1, s.get("inputsSent") or 1)
    print("| %d | %d | %d | %d | %s / %s | %s | %s | %s | %s | %s | %s | %s / %s |" % (
        n, r, s.get("connected", 0), s.get("disconnectedUnexpectedly", 0),
        f(inf.get("p50"), 1e-3), f(inf.get("p99"), 1e-3), f((s.get("sessionRttUs") or {}).get("p99"), 1e-3),
        f(100.0 * (s.get("inputsLate") or 0) / sent, 1.0, "%.2f"), f(srv.get("tickLatenessP99"), 1e-3),
        f(srv.get("gcPauseMaxMs"), 1.0, "%.0f"), f(srv.get("cpuPercentOfOneCore"), 1.0, "%.0f"),
        f(sw.get("cpuPercentOfOneCore"), 1.0, "%.0f"), f(srv.get("cpuPercentOfOneCorePer1000Bots"), 1.0, "%.0f"),
        f(sw.get("cpuPercentOfOneCorePer1000Bots"), 1.0, "%.0f")))
PY
