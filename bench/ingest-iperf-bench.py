#!/usr/bin/env python3
"""Trace ingest under a real lab at full speed (issue 14), figures measured in one run
(bench/ingest-iperf-bench.sh runs it), through the control API with its default durable embedded
PostgreSQL:
  1. three-segments in real time, iperf pc1 -> pc2 for BENCH_SECONDS: frames captured, stored,
     dropped (target 0) when iperf ends, the most rows waiting in the spool and the largest lag seen,
     and the time from iperf's end until the database holds every frame and event of the run;
  2. the journey (pc1, the laptop, browses www.example.com) in virtual time: the time from the end of `browse`
     until every frame and event is stored (target: within 1 s).
"""
import json, os, sys, tempfile, threading, time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import wirelab_api
from wirelab_api import call

SECONDS = int(os.environ.get("BENCH_SECONDS", "10"))
wirelab_api.use_port(int(os.environ.get("BENCH_PORT", "18193")))


def until_stored(run, limit_s):
    """Polls the run until nothing is pending; returns (seconds waited, last status)."""
    t0 = time.monotonic()
    while True:
        s = call("GET", "/api/runs/%d" % run)
        if s["pendingRows"] == 0 and s["frames"]["stored"] + s["frames"]["dropped"] == s["frames"]["captured"] \
                and s["events"]["stored"] + s["events"]["dropped"] == s["events"]["captured"]:
            return time.monotonic() - t0, s
        if time.monotonic() - t0 > limit_s:
            return float("inf"), s
        time.sleep(0.02)


def iperf_phase():
    lab = call("POST", "/api/labs?example=three-segments")["id"]
    run = call("POST", "/api/labs/%d/runs" % lab, json.dumps({"timeMode": "real"}))["id"]
    server = threading.Thread(target=lambda: call("POST", "/api/runs/%d/nodes/pc2/exec" % run, json.dumps(
        {"command": "iperf -s -1", "timeout": "%ds" % (SECONDS + 60)}), timeout=SECONDS + 90), daemon=True)
    server.start()
    time.sleep(1)
    peak_pending, peak_lag = 0, 0.0
    done = threading.Event()
    out = {}

    def client():
        out["r"] = call("POST", "/api/runs/%d/nodes/pc1/exec" % run, json.dumps(
            {"command": "iperf -c 10.0.2.10 -t %d" % SECONDS, "timeout": "%ds" % (SECONDS + 60)}),
            timeout=SECONDS + 90)
        done.set()

    threading.Thread(target=client, daemon=True).start()
    while not done.wait(0.25):
        s = call("GET", "/api/runs/%d" % run)
        peak_pending = max(peak_pending, s["pendingRows"])
        peak_lag = max(peak_lag, s["ingestLagSeconds"])
    end = call("GET", "/api/runs/%d" % run)
    t_end = time.monotonic()
    stopped = call("POST", "/api/runs/%d/stop" % run, timeout=120)
    until_stored(run, 600)
    waited, final = time.monotonic() - t_end, call("GET", "/api/runs/%d" % run)
    print("ingest iperf bench: three-segments, real time, iperf pc1 -> pc2 for %d s, durable commits" % SECONDS)
    lines = out["r"]["output"]
    lines = lines.splitlines() if isinstance(lines, str) else [str(l.get("text", l)) if isinstance(l, dict) else str(l)
                                                                for l in lines]
    print("  iperf: %s" % " ".join(l.strip() for l in lines if "receiver" in l)[:160])
    print("  at iperf's end:  frames captured %d, stored %d, dropped %d; events captured %d, dropped %d; pending %d"
          % (end["frames"]["captured"], end["frames"]["stored"], end["frames"]["dropped"], end["events"]["captured"],
             end["events"]["dropped"], end["pendingRows"]))
    print("  during the run:  most rows waiting in the spool %d, largest ingest lag %.1f s" % (peak_pending, peak_lag))
    return run, end, stopped, final, waited


def main():
    workdir = tempfile.mkdtemp(prefix="wirelab-ingest-bench-")
    api = wirelab_api.start_api(workdir)
    try:
        run, end, stopped, final, waited = iperf_phase()
        print("  in the end:      frames captured %d, stored %d, dropped %d; events stored %d of %d; all stored "
              "%.1f s after iperf's end (target: within 120 s)" % (final["frames"]["captured"], final["frames"]["stored"],
                                                  final["frames"]["dropped"], final["events"]["stored"],
                                                  final["events"]["captured"], waited))
        lab = call("POST", "/api/labs?example=journey")["id"]
        run = call("POST", "/api/labs/%d/runs" % lab, json.dumps({"timeMode": "virtual"}))["id"]
        call("POST", "/api/runs/%d/advance" % run, json.dumps({"duration": "20s"}))  # pc1 boots and leases
        r = call("POST", "/api/runs/%d/nodes/pc1/exec" % run, json.dumps({"command": "browse http://www.example.com/"}))
        waited, s = until_stored(run, 60)
        print("journey: browse exited %s; %d frames and %d events stored %.3f s after its end (target 1 s)"
              % (r.get("exitCode"), s["frames"]["stored"], s["events"]["stored"], waited))
        call("POST", "/api/runs/%d/stop" % run)
    finally:
        api.terminate()
        api.wait(60)


if __name__ == "__main__":
    main()
