#!/usr/bin/env bash
# TCP goodput benchmark (not a test): a bulk transfer h1 -> r1 -> h2
#   (1) in the embedded runtime, real time, every frame captured to a pcapng file: our iperf over
#       our TCP (after a warm-up transfer for the JIT), with TSO on our NICs and without;
#   (2) Linux kernel TCP between network namespaces h1 -> r1 -> h2 (veth pairs, r1 forwards):
#       iperf3, measured in the same run at the same MTU, with offloads on and off;
# in interleaved rounds, and prints each round's figures and ratios (like for like: TSO beside
# offloads on, no TSO beside offloads off) and their medians. Needs root, iproute2 and ethtool;
# installs iperf3.
# Usage: bench/tcp-bench.sh [seconds] [rounds]   (default 3 s per transfer, 3 rounds: about 5 minutes)
set -euo pipefail
cd "$(dirname "$0")/.."
SECS=${1:-3}
case "$SECS" in ''|*[!0-9]*) echo "usage: $0 [seconds]" >&2; exit 2 ;; esac
[ "$SECS" -ge 1 ] && [ "$SECS" -le 30 ] || { echo "tcp-bench: seconds must be 1..30" >&2; exit 2; }
ROUNDS=${2:-3}
case "$ROUNDS" in ''|*[!0-9]*) echo "usage: $0 [seconds] [rounds]" >&2; exit 2 ;; esac
[ "$ROUNDS" -ge 1 ] && [ "$ROUNDS" -le 9 ] || { echo "tcp-bench: rounds must be 1..9" >&2; exit 2; }

[ "$(id -u)" = 0 ] || { echo "tcp-bench: needs root (network namespaces)" >&2; exit 1; }
command -v ip >/dev/null || { echo "tcp-bench: needs iproute2" >&2; exit 1; }
if ! command -v iperf3 >/dev/null; then
  echo "tcp-bench: installing iperf3" >&2
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends iperf3 >/dev/null
fi

. bin/find-java.sh   # JAVA_HOME: a JDK 21+

cp_file=netstack/target/bench.classpath
if [ ! -f netstack/target/test-classes/dev/wirelab/netstack/socket/TcpBenchmark.class ] || [ ! -f "$cp_file" ] \
   || [ -n "$(find netstack/src netstack/pom.xml -newer "$cp_file" -print -quit)" ]; then
  echo "tcp-bench: building test classes..." >&2
  ./mvnw -q -B -pl netstack test-compile dependency:build-classpath \
    -Dmdep.outputFile=target/bench.classpath -Dmdep.includeScope=test >&2
fi

# Two pairs per MTU (1500 and 9000, jumbo), each measured like for like:
#  - offloads on: our NICs with TCP segmentation offload (tso: true) beside the veths' defaults
#    (TSO/GSO/GRO): both move 64 KB super-packets through the router, neither handles 1500-byte
#    packets one by one;
#  - offloads off: our NICs without TSO beside veths with every offload off (each packet handled
#    one by one, software checksums).
declare -A OURS_ON OURS_OFF LINUX_ON LINUX_OFF

embedded() {  # MTU tso(true|false)
  local out
  out=$(timeout $((SECS + 120)) "$JAVA_HOME/bin/java" -Xms1g -Xmx3g -XX:+UseParallelGC -XX:+AlwaysPreTouch \
    -Dbench.tso="$2" -cp "netstack/target/classes:netstack/target/test-classes:$(cat "$cp_file")" \
    dev.wirelab.netstack.socket.TcpBenchmark "$SECS" "$1" netstack/target/tcp-bench-$1.pcapng)
  echo "$out" | grep -v '^GOODPUT_BPS' | grep -v '^trace:' >&2
  echo "$out" | awk '/^GOODPUT_BPS/ {print $2}'
}

# Linux: three namespaces, names and a 10.253.N.0/24 block unique to this run.
id=$$
n=$((id % 200))
H1=wltb$id-h1; R1=wltb$id-r1; H2=wltb$id-h2
cleanup() {
  for ns in "$H1" "$R1" "$H2"; do ip netns del "$ns" 2>/dev/null || true; done
}
trap cleanup EXIT

linux() {  # MTU on|off -> Mbit/s
  local mtu=$1 offload=$2 out server
  cleanup
  for ns in "$H1" "$R1" "$H2"; do ip netns add "$ns"; ip -n "$ns" link set lo up; done
  ip link add tb${id}a netns "$H1" type veth peer name tb${id}b netns "$R1"
  ip link add tb${id}c netns "$R1" type veth peer name tb${id}d netns "$H2"
  ip -n "$H1" addr add 10.253.$n.2/30 dev tb${id}a
  ip -n "$R1" addr add 10.253.$n.1/30 dev tb${id}b
  ip -n "$R1" addr add 10.253.$n.5/30 dev tb${id}c
  ip -n "$H2" addr add 10.253.$n.6/30 dev tb${id}d
  for pair in "$H1 tb${id}a" "$R1 tb${id}b" "$R1 tb${id}c" "$H2 tb${id}d"; do
    set -- $pair
    ip -n "$1" link set "$2" mtu "$mtu" up
    if [ "$offload" = off ]; then
      ip netns exec "$1" ethtool -K "$2" tso off gso off gro off tx off rx off >/dev/null 2>&1 \
        || { echo "tcp-bench: ethtool -K failed (install ethtool)" >&2; exit 1; }
    fi
  done
  ip -n "$H1" route add default via 10.253.$n.1
  ip -n "$H2" route add default via 10.253.$n.5
  ip netns exec "$R1" sysctl -qw net.ipv4.ip_forward=1
  ip netns exec "$H2" timeout $((SECS + 30)) iperf3 -s -1 >/dev/null 2>&1 &
  server=$!
  sleep 0.5
  out=$(ip netns exec "$H1" timeout $((SECS + 20)) iperf3 -c 10.253.$n.6 -t "$SECS" -f m)
  wait "$server" || true
  echo "$out" | grep -E 'receiver' | sed "s/^/  linux mtu $mtu offloads $offload: /" >&2
  echo "$out" | awk '/receiver/ {for (i = 1; i <= NF; i++) if ($i ~ /bits\/sec/) print $(i-1)}' | tail -1
}

for round in $(seq 1 "$ROUNDS"); do
  for mtu in 1500 9000; do
    echo "== round $round: embedded runtime (real time, capture on): iperf h1 -> r1 -> h2, MTU $mtu, TSO on, ${SECS} s" >&2
    OURS_ON[$mtu,$round]=$(embedded "$mtu" true)
    sync  # the capture's write-back must not run during the next measurement
    echo "== round $round: embedded runtime (real time, capture on): iperf h1 -> r1 -> h2, MTU $mtu, TSO off, ${SECS} s" >&2
    OURS_OFF[$mtu,$round]=$(embedded "$mtu" false)
    sync
    echo "== round $round: Linux kernel TCP between namespaces h1 -> r1 -> h2 (iperf3), MTU $mtu, ${SECS} s" >&2
    LINUX_ON[$mtu,$round]=$(linux "$mtu" on)
    LINUX_OFF[$mtu,$round]=$(linux "$mtu" off)
  done
done

echo
echo "== result (goodput, Mbit/s; ratio = embedded / Linux in the same configuration, each round's figures measured together)"
printf '%-6s %-7s %14s %14s %8s %14s %14s %8s\n' MTU round "ours, TSO" "Linux, offl. on" ratio "ours, no TSO" "Linux, offl. off" ratio
for mtu in 1500 9000; do
  rows=""
  for round in $(seq 1 "$ROUNDS"); do
    rows+="${OURS_ON[$mtu,$round]} ${LINUX_ON[$mtu,$round]} ${OURS_OFF[$mtu,$round]} ${LINUX_OFF[$mtu,$round]}"$'\n'
  done
  printf '%s' "$rows" | awk -v m="$mtu" '
    function median(a, n,   i, j, t) {
      for (i = 1; i <= n; i++) for (j = i + 1; j <= n; j++) if (a[j] < a[i]) { t = a[i]; a[i] = a[j]; a[j] = t }
      return n % 2 ? a[(n + 1) / 2] : (a[n / 2] + a[n / 2 + 1]) / 2
    }
    NF == 4 {
      n++; oon[n] = $1 / 1e6; lon[n] = $2; ooff[n] = $3 / 1e6; loff[n] = $4
      ron[n] = lon[n] > 0 ? 100 * oon[n] / lon[n] : 0; roff[n] = loff[n] > 0 ? 100 * ooff[n] / loff[n] : 0
      printf "%-6s %-7s %14.1f %14.1f %7.1f%% %14.1f %14.1f %7.1f%%\n", m, n, oon[n], lon[n], ron[n], ooff[n], loff[n], roff[n]
    }
    END {
      printf "%-6s %-7s %14.1f %14.1f %7.1f%% %14.1f %14.1f %7.1f%%\n", m, "median", median(oon, n), median(lon, n),
        median(ron, n), median(ooff, n), median(loff, n), median(roff, n)
    }'
done
