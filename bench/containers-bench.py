#!/usr/bin/env python3
"""Docker runtime benchmark, figures measured in one run (bench/containers-bench.sh runs it):
  - deploy time of a lab of N nodes: POST run -> every container healthy -> every host leased
  - RSS of each node container (VmRSS of its JVM, read from /proc on the host)
  - image sizes
  - frames/s through one bus hop between two containers, beside a plain Java UDP forwarder
  - TCP goodput h1 -> r1 -> h2 on containers, beside the same lab embedded (real time)
Needs: a Docker daemon, the images (infra/build-images.sh), ./mvnw package done, root (for /proc).
"""
import json, os, re, shutil, statistics, subprocess, sys, tempfile, threading, time, urllib.request

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
JAVA = os.path.join(os.environ["JAVA_HOME"], "bin", "java")
PORT = 18191
BASE = "http://127.0.0.1:%d" % PORT
SIZES = [int(x) for x in os.environ.get("BENCH_SIZES", "20,50").split(",")]
SECONDS = int(os.environ.get("BENCH_SECONDS", "5"))


def call(method, path, body=None, ctype="application/json", timeout=300):
    data = None if body is None else (body if isinstance(body, bytes) else body.encode())
    req = urllib.request.Request(BASE + path, data=data, method=method)
    if method != "GET":
        req.add_header("Content-Type", ctype)  # every state-changing request, body or not
    with urllib.request.urlopen(req, timeout=timeout) as r:
        return json.loads(r.read() or b"null")


def sh(*cmd, check=True):
    return subprocess.run(cmd, check=check, capture_output=True, text=True).stdout


def start_api(workdir):
    jar = os.path.join(ROOT, "control-api", "target", "control-api-0.1.0-SNAPSHOT-exec.jar")
    log = open(os.path.join(workdir, "control-api.log"), "w")
    p = subprocess.Popen([JAVA, "-Xmx1g", "-jar", jar, "--server.port=%d" % PORT,
                          "--wirelab.db.embedded.data-dir=" + os.path.join(workdir, "pg"),
                          "--wirelab.db.embedded.clean=true", "--wirelab.import-examples=false",
                          "--wirelab.examples=" + os.path.join(ROOT, "examples"),
                          "--wirelab.docker.health-timeout=300s"], stdout=log, stderr=subprocess.STDOUT)
    for _ in range(240):
        try:
            call("GET", "/actuator/health", timeout=2)
            return p
        except Exception:
            time.sleep(0.5)
    raise SystemExit("the control API did not start; see " + log.name)


def lan_lab(n):
    hosts = n - 2
    lines = ["name: deploy-%d" % n, "segments: [ { name: lan, mtu: 1500 } ]", "nodes:",
             "  r1: { kind: router, interfaces: { eth0: { segment: lan, address: 10.50.0.1/22 } } }",
             "  dhcp1:", "    kind: dhcp", "    interfaces: { eth0: { segment: lan, address: 10.50.0.2/22 } }",
             "    pool: { range: 10.50.1.1-10.50.3.250, gateway: 10.50.0.1, lease: 1h }"]
    for i in range(hosts):
        lines.append("  h%d: { kind: host, interfaces: { eth0: { segment: lan, dhcp: true } } }" % (i + 1))
    return "\n".join(lines) + "\n"


def rss_of_run(run):
    out = []
    ids = sh("docker", "ps", "-q", "--filter", "label=dev.wirelab.run=%d" % run).split()
    for cid in ids:
        pid = sh("docker", "inspect", "-f", "{{.State.Pid}}", cid).strip()
        with open("/proc/%s/status" % pid) as f:
            kb = int(re.search(r"VmRSS:\s+(\d+) kB", f.read()).group(1))
        out.append(kb / 1024)
    return out


def deploy(n):
    lab = call("POST", "/api/labs", lan_lab(n), "application/yaml")["id"]
    t0 = time.monotonic()
    run = call("POST", "/api/labs/%d/runs" % lab, json.dumps({"runtime": "docker"}))
    healthy = time.monotonic() - t0
    rid = run["id"]
    while True:
        view = call("GET", "/api/runs/%d" % rid)
        hosts = [b for b in view["nodes"] if b["kind"] == "host"]
        if all(b["interfaces"] and b["interfaces"][0]["addresses"] for b in hosts):
            break
        if time.monotonic() - t0 > 300:
            raise SystemExit("lab of %d: not every host leased in 300 s" % n)
        time.sleep(0.25)
    leased = time.monotonic() - t0
    time.sleep(2)
    rss = rss_of_run(rid)
    call("POST", "/api/runs/%d/stop" % rid)
    call("DELETE", "/api/labs/%d" % lab)
    return healthy, leased, rss


ROUTED = """name: goodput-%s
segments: [ { name: lan1, mtu: 1500 }, { name: lan2, mtu: 1500 } ]
nodes:
  h1: { kind: host, interfaces: { eth0: { segment: lan1, address: 10.0.1.10/24 } }, routes: [ { to: default, via: 10.0.1.1 } ] }
  r1:
    kind: router
    interfaces:
      eth0: { segment: lan1, address: 10.0.1.1/24 }
      eth1: { segment: lan2, address: 10.0.2.1/24 }
  h2: { kind: host, interfaces: { eth0: { segment: lan2, address: 10.0.2.10/24 } }, routes: [ { to: default, via: 10.0.2.1 } ] }
"""


def goodput(runtime):
    lab = call("POST", "/api/labs", ROUTED % runtime, "application/yaml")["id"]
    body = {"runtime": runtime, "timeMode": "real"}
    rid = call("POST", "/api/labs/%d/runs" % lab, json.dumps(body))["id"]
    results = []
    for rnd in range(3):  # the first two warm the JITs up, the third counts
        server = {}
        t = threading.Thread(target=lambda: server.update(call("POST", "/api/runs/%d/nodes/h2/exec" % rid,
                json.dumps({"command": "iperf -s -1", "timeout": "60s"}))))
        t.start()
        time.sleep(1)
        client = call("POST", "/api/runs/%d/nodes/h1/exec" % rid,
                      json.dumps({"command": "iperf -c 10.0.2.10 -t %d" % SECONDS, "timeout": "60s"}))
        t.join(90)
        line = [l for l in client["output"] if "receiver" in l]
        m = re.search(r"([\d.]+) ([MG])bits/sec", line[-1] if line else "")
        if not m:
            raise SystemExit("no iperf result on %s: %s" % (runtime, client))
        results.append(float(m.group(1)) * (1000 if m.group(2) == "G" else 1))
    call("POST", "/api/runs/%d/stop" % rid)
    call("DELETE", "/api/labs/%d" % lab)
    return results[-1], results


def bus_hop():
    net = "wirelab-bench-hop"
    subprocess.run(["docker", "network", "rm", net], capture_output=True)
    sh("docker", "network", "create", "--subnet", "10.213.250.0/24", "--gateway", "10.213.250.1", net)
    cp = ":".join([os.path.join(ROOT, "host-service", "target", "lib", "*"),
                   os.path.join(ROOT, "host-service", "target", "app", "*")])
    image = "wirelab/host-service:local"
    box = ["docker", "run", "--rm", "--network", net, "--entrypoint", "java", "--cap-drop", "ALL", "--read-only",
           "--user", "10001:10001"]
    jcp = ["-cp", "/app/lib/*:/app/app/*", "dev.wirelab.nodeservice.bench.VxlanLoad"]
    rates = {}
    try:
        for mode in ("forward", "bus"):
            secs = SECONDS + 4
            sink = subprocess.Popen(box + ["--ip", "10.213.250.11", image] + jcp + ["sink", "4789", str(SECONDS)],
                                    stdout=subprocess.PIPE, text=True)
            if mode == "bus":
                mid = subprocess.Popen([JAVA, "-cp", cp, "dev.wirelab.nodeservice.bench.VxlanLoad", "bus",
                                        "10.213.250.1:4789", "10.213.250.10:4789", "10.213.250.11:4789", str(secs + 2)],
                                       stdout=subprocess.PIPE, text=True)
            else:
                mid = subprocess.Popen([JAVA, "-cp", cp, "dev.wirelab.nodeservice.bench.VxlanLoad", "forward",
                                        "10.213.250.1:4789", "10.213.250.11:4789", str(secs + 2)],
                                       stdout=subprocess.PIPE, text=True)
            time.sleep(2.5)
            send = subprocess.run(box + ["--ip", "10.213.250.10", image] + jcp + ["send", "10.213.250.1:4789",
                                  str(secs), "4789"], capture_output=True, text=True)
            out = sink.communicate(timeout=60)[0]
            mid.communicate(timeout=60)
            m = re.search(r"([\d.]+) frames/s", out)
            rates[mode] = float(m.group(1)) if m else 0.0
            print("  %-8s %s | %s" % (mode, out.strip(), send.stdout.strip()), file=sys.stderr)
    finally:
        subprocess.run(["docker", "network", "rm", net], capture_output=True)
    return rates


def main():
    work = tempfile.mkdtemp(prefix="wirelab-bench-")
    print("images:")
    for line in sh("docker", "images", "--filter", "reference=wirelab/*", "--format",
                   "{{.Repository}}:{{.Tag}} {{.Size}}").splitlines():
        print("  " + line)
    print("bus hop (two containers, %d-byte frames, %d s):" % (128, SECONDS))
    r = bus_hop()
    print("  plain Java UDP forwarder %.0f frames/s, bus %.0f frames/s: %.0f%%"
          % (r["forward"], r["bus"], 100 * r["bus"] / max(r["forward"], 1)))
    if sys.argv[1:] == ["hop"]:
        return
    api = start_api(work)
    try:
        for n in SIZES:
            healthy, leased, rss = deploy(n)
            print("deploy %d nodes: all healthy %.1f s, all leased %.1f s; RSS per container median %.0f MB, max %.0f MB"
                  % (n, healthy, leased, statistics.median(rss), max(rss)))
        emb, emb_all = goodput("embedded")
        dock, dock_all = goodput("docker")
        print("TCP goodput h1 -> r1 -> h2 (iperf %d s, third of three): embedded %.0f Mbit/s, containers %.0f Mbit/s: %.0f%%"
              " (rounds embedded %s, containers %s)" % (SECONDS, emb, dock, 100 * dock / emb, emb_all, dock_all))
    finally:
        api.terminate()
        api.wait(60)
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
