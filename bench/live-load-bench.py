#!/usr/bin/env python3
"""Live streams against the rest of the API (issue 11), figures measured in one run
(bench/live-load-bench.sh runs it). A busy real-time run (iperf pc1 -> pc2 across three-segments),
then, each phase for BENCH_SECONDS:
  A. 10 query loops (run status, frame queries), no live subscriber
  B. the same 10 loops while 20 subscribers stream /live (BENCH_SLOW of them read slowly)
Prints status and frame-query latency p50 / p99 / max per phase and B/A, items and 'dropped'
notices per subscriber, frames/s captured, and the server's RSS before and after.
Target: status p99 under 200 ms in phase B; memory bounded (RSS after ~ before).
The subscribers run in a process of their own, so that their parsing does not hold the query
loops' GIL (it did until stop 26: the p99 measured then included the bench's own waits).
"""
import http.client, json, multiprocessing, os, statistics, subprocess, sys, tempfile, threading, time, types, urllib.request

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import wirelab_api
from wirelab_api import call, rss_mb

PORT = wirelab_api.use_port(int(os.environ.get("BENCH_PORT", "18192")))
SECONDS = int(os.environ.get("BENCH_SECONDS", "15"))
SUBSCRIBERS = int(os.environ.get("BENCH_SUBSCRIBERS", "20"))
SLOW = int(os.environ.get("BENCH_SLOW", "5"))
LOOPS = int(os.environ.get("BENCH_LOOPS", "10"))


def query_loop(run, stop, status_ms, frames_ms, errors):
    while not stop.is_set():
        for path, sink in (("/api/runs/%d" % run, status_ms), ("/api/runs/%d/frames?limit=50" % run, frames_ms)):
            t = time.perf_counter()
            try:
                call("GET", path, timeout=60)
                sink.append((time.perf_counter() - t) * 1000)
            except Exception as e:
                errors.append(repr(e))


class Subscriber(threading.Thread):
    def __init__(self, run, slow, stop):
        super().__init__(daemon=True)
        self.run_id, self.slow, self.stop = run, slow, stop
        self.items = 0
        self.dropped_notices = 0
        self.total_dropped = 0
        self.bad_lines = []
        self.last = None
        self.eof = None

    def run(self):
        conn = http.client.HTTPConnection("127.0.0.1", PORT, timeout=120)
        conn.request("GET", "/api/runs/%d/live" % self.run_id, headers={"Accept": "text/event-stream"})
        r = conn.getresponse()
        event = None
        while not self.stop.is_set():
            line = r.fp.readline()
            if not line:
                self.eof = time.time()  # the server ended the stream before the phase did
                break
            line = line.rstrip(b"\r\n")
            if line.startswith(b"event:"):
                event = line[6:].strip()
            elif line == b"":
                event = None
            elif line.startswith(b"data:"):
                if event == b"dropped":
                    self.dropped_notices += 1
                    try:
                        self.total_dropped = json.loads(line[5:]).get("totalDropped", self.total_dropped)
                    except ValueError:
                        self.bad_lines.append(line[:80])
                else:
                    self.items += 1
                    self.last = time.time()
                if self.slow:
                    time.sleep(0.01)  # a browser tab busy drawing: ~100 items/s
        conn.close()


def pct(xs, p):
    if not xs:
        return float("nan")
    xs = sorted(xs)
    return xs[min(len(xs) - 1, int(round(p / 100 * (len(xs) - 1))))]


def subscribers_process(run, n, conn):
    """The subscribers, in a process of their own: parsing ~100k SSE lines/s holds the GIL, which
    would otherwise delay the query loops' own reads and inflate the latencies measured."""
    stop = threading.Event()
    subs = [Subscriber(run, i < SLOW, stop) for i in range(n)]
    for s in subs:
        s.start()
    conn.recv()  # the phase is over
    for s in subs:
        s.stopped_at = time.time()
    stop.set()
    conn.send([dict(slow=s.slow, items=s.items, dropped_notices=s.dropped_notices, total_dropped=s.total_dropped,
                    bad_lines=s.bad_lines, last=s.last, stopped_at=s.stopped_at, eof=s.eof) for s in subs])


def phase(run, subscribers):
    stop = threading.Event()
    here, there = multiprocessing.Pipe()
    proc = None
    if subscribers:
        proc = multiprocessing.get_context("fork").Process(target=subscribers_process, args=(run, subscribers, there),
                                                           daemon=True)
        proc.start()
        time.sleep(1)
    status_ms, frames_ms, errors = [], [], []
    before = call("GET", "/api/runs/%d" % run)["frames"]["captured"]
    loops = [threading.Thread(target=query_loop, args=(run, stop, status_ms, frames_ms, errors), daemon=True)
             for _ in range(LOOPS)]
    t0 = time.time()
    for t in loops:
        t.start()
    time.sleep(SECONDS)
    subs = []
    if proc:
        # The server's view of each stream before the subscribers stop: a stall shows as a stream
        # given nothing for seconds, with (hub's fault) or without (client's or connection's) demand.
        hub = call("GET", "/api/runs/%d" % run).get("liveSubscribers") or []
        late = [h for h in hub if h["millisSinceEmit"] > 5000]
        print("hub: %d streams, given items %d..%d, buffered max %d; not given any for > 5 s: %s"
              % (len(hub), min([h["emitted"] for h in hub] or [0]), max([h["emitted"] for h in hub] or [0]),
                 max([h["buffered"] for h in hub] or [0]), late), flush=True)
        here.send("stop")
        subs = [types.SimpleNamespace(**d) for d in here.recv()]
        proc.terminate()
    stop.set()
    for t in loops:
        t.join(70)
    elapsed = time.time() - t0
    after = call("GET", "/api/runs/%d" % run)["frames"]["captured"]
    return status_ms, frames_ms, errors, subs, (after - before) / elapsed


def main():
    workdir = tempfile.mkdtemp(prefix="wirelab-live-bench-")
    api = wirelab_api.start_api(workdir)
    try:
        lab = call("POST", "/api/labs?example=three-segments")["id"]
        run = call("POST", "/api/labs/%d/runs" % lab, json.dumps({"timeMode": "real"}))["id"]
        iperf_s = threading.Thread(target=lambda: call("POST", "/api/runs/%d/nodes/pc2/exec" % run, json.dumps(
            {"command": "iperf -s -1", "timeout": "%ds" % (4 * SECONDS + 60)}), timeout=4 * SECONDS + 90), daemon=True)
        iperf_s.start()
        time.sleep(1)
        iperf_c = threading.Thread(target=lambda: call("POST", "/api/runs/%d/nodes/pc1/exec" % run, json.dumps(
            {"command": "iperf -c 10.0.2.10 -t %d" % (3 * SECONDS + 10), "timeout": "%ds" % (4 * SECONDS + 60)}),
            timeout=4 * SECONDS + 90), daemon=True)
        iperf_c.start()
        time.sleep(3)
        rss0 = rss_mb(api.pid)
        a = phase(run, 0)
        b = phase(run, SUBSCRIBERS)
        rss1 = rss_mb(api.pid)
        print("live load bench: three-segments, real time, iperf pc1 -> pc2; %d query loops, %d s per phase"
              % (LOOPS, SECONDS))
        print("%-34s %9s %9s %9s %7s %6s %11s" % ("phase", "p50 ms", "p99 ms", "max ms", "queries", "errors",
                                                    "frames/s"))
        for name, (st, fr, err, _, rate) in (("A status, no subscribers", a), ("B status, %d subscribers" % SUBSCRIBERS, b)):
            print("%-34s %9.1f %9.1f %9.1f %7d %6d %11.0f" % (name, pct(st, 50), pct(st, 99), max(st or [0]), len(st),
                                                               len(err), rate))
        for name, (st, fr, err, _, rate) in (("A frames?limit=50", a), ("B frames?limit=50", b)):
            print("%-34s %9.1f %9.1f %9.1f %7d" % (name, pct(fr, 50), pct(fr, 99), max(fr or [0]), len(fr)))
        print("status p99 B/A: %.2f   frames p99 B/A: %.2f" % (pct(b[0], 99) / pct(a[0], 99), pct(b[1], 99) / pct(a[1], 99)))
        subs = b[3]
        print("subscribers: items received (fast) %s" % [s.items for s in subs if not s.slow])
        print("             dropped (fast) %s" % [s.total_dropped for s in subs if not s.slow])
        print("             seconds since last item (all) %s" % [round(s.stopped_at - s.last, 1) if s.last else None for s in subs])
        print("             items received (slow) %s, dropped notices %s, total dropped %s"
              % ([s.items for s in subs if s.slow], [s.dropped_notices for s in subs if s.slow],
                 [s.total_dropped for s in subs if s.slow]))
        stalled = [i for i, s in enumerate(subs) if s.last is None or s.stopped_at - s.last > 5]
        print("             subscribers without an item in the last 5 s: %s; streams the server ended early: %s"
              % (stalled, [i for i, s in enumerate(subs) if s.eof]))
        bad = [l for s in subs for l in s.bad_lines]
        if bad:
            print("unreadable 'dropped' data lines: %d, e.g. %r" % (len(bad), bad[0]))
        print("server RSS: %.0f MB before, %.0f MB after" % (rss0, rss1))
        target = pct(b[0], 99) < 200
        print("target status p99 < 200 ms with %d subscribers: %s" % (SUBSCRIBERS, "met" if target else "NOT met"))
        if a[2] or b[2]:
            print("errors:", (a[2] + b[2])[:5])
    finally:
        api.terminate()
        try:
            api.wait(30)
        except subprocess.TimeoutExpired:
            api.kill()


if __name__ == "__main__":
    main()
