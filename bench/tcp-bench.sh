#!/usr/bin/env bash
# TCP goodput benchmark (not a test): a bulk transfer h1 -> r1 -> h2
#   (1) in the embedded runtime, real time, every frame captured: our iperf over our TCP;
#   (2) Linux kernel TCP between network namespaces h1 -> r1 -> h2 (veth pairs, r1 forwards):
#       iperf3, measured in the same run;
# and prints both figures and their ratio. Needs root and iproute2; installs iperf3 when missing.
# Usage: bench/tcp-bench.sh [seconds]   (default 3 per transfer; the whole run stays under a minute)
set -euo pipefail
cd "$(dirname "$0")/.."
SECS=${1:-3}
case "$SECS" in ''|*[!0-9]*) echo "usage: $0 [seconds]" >&2; exit 2 ;; esac
[ "$SECS" -ge 1 ] && [ "$SECS" -le 30 ] || { echo "tcp-bench: seconds must be 1..30" >&2; exit 2; }

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

echo "== embedded runtime (real time, capture on): iperf h1 -> r1 -> h2, ${SECS} s"
embedded=$(timeout $((SECS + 60)) "$JAVA_HOME/bin/java" -Xms1g -Xmx3g -XX:+UseParallelGC \
  -cp "netstack/target/classes:netstack/target/test-classes:$(cat "$cp_file")" \
  dev.wirelab.netstack.socket.TcpBenchmark "$SECS")
echo "$embedded" | grep -v '^GOODPUT_BPS'
ours=$(echo "$embedded" | awk '/^GOODPUT_BPS/ {print $2}')

# Linux: three namespaces, names and a 10.253.N.0/24 block unique to this run.
id=$$
n=$((id % 200))
H1=wltb$id-h1; R1=wltb$id-r1; H2=wltb$id-h2
cleanup() {
  for ns in "$H1" "$R1" "$H2"; do ip netns del "$ns" 2>/dev/null || true; done
}
trap cleanup EXIT
cleanup
for ns in "$H1" "$R1" "$H2"; do ip netns add "$ns"; ip -n "$ns" link set lo up; done
ip link add tb${id}a netns "$H1" type veth peer name tb${id}b netns "$R1"
ip link add tb${id}c netns "$R1" type veth peer name tb${id}d netns "$H2"
ip -n "$H1" addr add 10.253.$n.2/30 dev tb${id}a
ip -n "$R1" addr add 10.253.$n.1/30 dev tb${id}b
ip -n "$R1" addr add 10.253.$n.5/30 dev tb${id}c
ip -n "$H2" addr add 10.253.$n.6/30 dev tb${id}d
ip -n "$H1" link set tb${id}a up; ip -n "$R1" link set tb${id}b up
ip -n "$R1" link set tb${id}c up; ip -n "$H2" link set tb${id}d up
ip -n "$H1" route add default via 10.253.$n.1
ip -n "$H2" route add default via 10.253.$n.5
ip netns exec "$R1" sysctl -qw net.ipv4.ip_forward=1

echo "== Linux kernel TCP between namespaces h1 -> r1 -> h2: iperf3, ${SECS} s"
ip netns exec "$H2" timeout $((SECS + 30)) iperf3 -s -1 >/dev/null 2>&1 &
server=$!
sleep 0.5
linux_out=$(ip netns exec "$H1" timeout $((SECS + 20)) iperf3 -c 10.253.$n.6 -t "$SECS" -f m)
wait "$server" || true
echo "$linux_out" | grep -E 'sender|receiver'
linux_mbits=$(echo "$linux_out" | awk '/receiver/ {for (i = 1; i <= NF; i++) if ($i ~ /bits\/sec/) print $(i-1)}' | tail -1)

awk -v ours="$ours" -v linux="$linux_mbits" 'BEGIN {
  o = ours / 1e6; printf "\n== result\nembedded runtime: %10.1f Mbit/s\nLinux kernel:     %10.1f Mbit/s\nratio:            %10.2f %%\n",
    o, linux, (linux > 0 ? 100 * o / linux : 0) }'
