#!/usr/bin/env bash
# Runs the JMH suite with the GC profiler, one benchmark at a time, and stores the results in perf-results/jmh/:
# <name>.json (JMH JSON, with JVM flags and parameters) and <name>.txt (the console log with the final table).
# Build first: mvn -q -B -pl jmh -am -DskipTests install
# Usage: jmh/run-benchmarks.sh [output-dir]     (about 4 minutes on 2 cores; never run two at once)
set -euo pipefail
cd "$(dirname "$0")/.."

JAR=jmh/target/benchmarks.jar
OUT=${1:-perf-results/jmh}
# The annotation defaults, spelled out so the command in the log is the whole story.
RUN_OPTS=(-prof gc -foe true -wi 3 -w 1s -i 5 -r 1s -f 1)
# The flags of the @Fork annotations. A -jvmArgsAppend on the command line replaces them, so repeat them there.
BASE_JVM="-Dio.netty.leakDetection.level=disabled -Xms512m -Xmx512m"
FTL_EXECUTOR="-Djmh.executor=CUSTOM -Djmh.executor.class=dev.skirmish.jmh.FastThreadLocalExecutor"

if [[ ! -f "$JAR" ]]
then
    echo "missing $JAR: run mvn -q -B -pl jmh -am -DskipTests install" >&2
    exit 1
fi
mkdir -p "$OUT"

run()
{
    local name=$1
    shift
    echo "== $name: java -jar $JAR ${RUN_OPTS[*]} -rf json -rff $OUT/$name.json $*" | tee "$OUT/$name.txt"
    java -jar "$JAR" "${RUN_OPTS[@]}" -rf json -rff "$OUT/$name.json" "$@" 2>&1 | tee -a "$OUT/$name.txt"
}

# Benchmark threads are plain threads (Skirmish's workers are FastThreadLocalThreads: see ftl-threads below).
run header-codec '\.HeaderCodecBenchmark\.'
run counters '\.CountersBenchmark\.'
run handoff '\.HandoffBenchmark\.'
run netty-allocator '\.NettyAllocatorBenchmark\.'
# The same on Netty FastThreadLocalThreads (what Netty event loops are): Recycler and PoolThreadCache enabled.
run ftl-threads -jvmArgsAppend "$BASE_JVM $FTL_EXECUTOR" \
    '\.HandoffBenchmark\.(echoRoundTrip|pingPong)|\.NettyAllocatorBenchmark\.'
# Plain threads with a PoolThreadCache for every thread.
run netty-allocator-cache-all-threads -jvmArgsAppend "$BASE_JVM -Dio.netty.allocator.useCacheForAllThreads=true" \
    '\.NettyAllocatorBenchmark\.'
# Packet protection (session): AES-GCM vs ChaCha20-Poly1305 seal/open, 64/256/1200 B.
run protect '\.ProtectBenchmark\.'
# The AEAD engines alone (byte arrays): JDK AES-256-GCM, JDK ChaCha20-Poly1305 and our own ChaCha20Poly1305,
# seal and seal+open at 64/200/1200 B.
run aead '\.AeadBenchmark\.'
# Server handshake per datagram on the I/O thread's gate: connect request, challenge response, forged/garbage
# requests, and the under-load paths (rate limiter, challenge before decryption).
run handshake '\.HandshakeBenchmark\.'
# Channel layer per message (issue 4): body encode/decode of one 64 B message, one packet sent+acked (RTT sample,
# window update), one in-order message through a reliable-ordered receive channel.
run channel-codec '\.ChannelCodecBenchmark\.'
# The whole channel layer per round trip (issue 4): A sends 1 or 16 64 B messages in one packet, B receives and
# delivers them and acks, A processes the ack; per channel mode, two in-memory endpoints on a virtual clock.
run channel-endpoint '\.ChannelEndpointBenchmark\.'
