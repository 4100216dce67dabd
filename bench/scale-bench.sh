#!/usr/bin/env bash
# Scale bench (issue 15): for each N, a generated lab (bench/gen-scale-lab.py: N DHCP hosts, a /24 LAN
# per 200, one relaying router, one DHCP server; every host leases, then pings its gateway) run by
# ./wirelab in virtual time. Prints per N: wall time until every host had had its chance to lease (the
# script's first command after "sleep 30s" starts), total wall time, peak RSS, frames, events, hosts
# leased (dhcp.configured), pings that failed, exit status.
#   bench/scale-bench.sh 1000 2000 5000 10000
#   WIRELAB_JAVA_OPTS="-Xmx4g" (default) sets the JVM's options; EXTRA="--pcap-view all" adds CLI options.
#   REAL=1 runs in real time (30 s of it for the leases) and adds how late the loops ran timers.
set -euo pipefail
here=$(cd "$(dirname "$0")/.." && pwd)
cd "$here"
[ $# -ge 1 ] || { echo "usage: bench/scale-bench.sh N [N...]" >&2; exit 2; }
export WIRELAB_JAVA_OPTS="${WIRELAB_JAVA_OPTS:--Xmx4g}"
dir="$here/target/scale-labs"
mkdir -p "$dir"
./wirelab --help >/dev/null 2>&1 || true   # build first, outside the measurement
extra=()
[ "${REAL:-0}" = 1 ] && extra=(--real --duration 1s)
printf '%-7s %9s %9s %7s %10s %10s %11s %7s %6s %4s  %s\n' N lease_s total_s cpu_s peak_rss_mb frames events leased failed rc "${REAL:+real time: timers late >10ms / max ms}"
for n in "$@"; do
  python3 bench/gen-scale-lab.py "$n" "$dir" >/dev/null
  python3 - "$n" "$dir" "${extra[@]}" ${EXTRA:-} <<'PY'
import re, subprocess, sys, time
n, d, extra = sys.argv[1], sys.argv[2], sys.argv[3:]
cmd = ["/usr/bin/time", "-v", "./wirelab", "run", f"{d}/scale-{n}.yaml", "--script", f"{d}/scale-{n}.script",
       "--pcap", f"{d}/scale-{n}.pcapng"] + extra
t0 = time.monotonic()
p = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, bufsize=1 << 16)
lease = None
frames = events = leased = None
failed = 0
lag = ""
with open(f"{d}/scale-{n}.out", "w") as log:
    for line in p.stdout:
        if lease is None and line.startswith("h1$ "):
            lease = time.monotonic() - t0
        if line.startswith("[exit "):
            failed += 1
        m = re.match(r"Trace: (\d+) frames .*?, (\d+) events", line)
        if m:
            frames, events = int(m.group(1)), int(m.group(2))
        m = re.match(r"\s+real time: +(\d+) timers ran, (\d+) of them .*?latest ([\d.]+) ms", line)
        if m:
            lag = "%s of %s / %s" % (m.group(2), m.group(1), m.group(3))
        m = re.search(r"\bdhcp\.configured (\d+)", line)
        if m:
            leased = int(m.group(1))
        if not line.startswith(("PING ", "64 bytes", "---", "1 packets", "rtt ", "h")) and line.strip():
            log.write(line)
    err = p.stderr.read()
rc = p.wait()
total = time.monotonic() - t0
rss = re.search(r"Maximum resident set size \(kbytes\): (\d+)", err)
cpu = sum(float(x) for x in re.findall(r"(?:User|System) time \(seconds\): ([\d.]+)", err)) or None
with open(f"{d}/scale-{n}.err", "w") as f:
    f.write(err)
fmt = lambda v, f="%d": "-" if v is None else f % v
print("%-7s %9s %9.1f %7s %10s %10s %11s %7s %6d %4d  %s" % (n, fmt(lease, "%.1f"), total, fmt(cpu, "%.1f"),
      fmt(int(rss.group(1)) / 1024 if rss else None, "%.0f"), fmt(frames), fmt(events), fmt(leased), failed, rc, lag),
      flush=True)
PY
done
