"""What the bench scripts share: a control API started from the built jar on an embedded
PostgreSQL in a scratch directory, and JSON calls to it."""
import json, os, subprocess, time, urllib.request

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
JAVA = os.path.join(os.environ["JAVA_HOME"], "bin", "java")
PORT = 18192
BASE = "http://127.0.0.1:%d" % PORT


def use_port(port):
    global PORT, BASE
    PORT, BASE = port, "http://127.0.0.1:%d" % port
    return port


def call(method, path, body=None, timeout=60):
    data = None if body is None else body.encode()
    req = urllib.request.Request(BASE + path, data=data, method=method)
    if method != "GET":
        req.add_header("Content-Type", "application/json")
    with urllib.request.urlopen(req, timeout=timeout) as r:
        return json.loads(r.read() or b"null")


def rss_mb(pid):
    with open("/proc/%d/status" % pid) as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    return float("nan")


def start_api(workdir, *extra):
    jar = os.path.join(ROOT, "control-api", "target", "control-api-0.1.0-SNAPSHOT-exec.jar")
    log = open(os.path.join(workdir, "control-api.log"), "w")
    p = subprocess.Popen([JAVA, "-Xmx1g", "-jar", jar, "--server.port=%d" % PORT,
                          "--wirelab.db.embedded.data-dir=" + os.path.join(workdir, "pg"),
                          "--wirelab.db.embedded.clean=true", "--wirelab.import-examples=false",
                          "--wirelab.examples=" + os.path.join(ROOT, "examples")] + list(extra),
                         stdout=log, stderr=subprocess.STDOUT)
    for _ in range(240):
        try:
            call("GET", "/actuator/health", timeout=2)
            return p
        except Exception:
            time.sleep(0.5)
    raise SystemExit("the control API did not start; see " + log.name)


