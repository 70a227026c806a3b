#!/usr/bin/python3
"""stomp.py's side of the comparison (scenarios 3 and 6).

Run by the bench command with Debian's python3-stomp (stomp.py 8):

    /usr/bin/python3 bench/python/stomppy.py -scenario roundtrip -peer 127.0.0.1:61613 \
        -login guest -passcode guest -vhost / -seconds 3

It measures like the Go children of the bench command (bench/cmd/compare)
and prints the same JSON line: {"scenario", "lib", "metrics"}.
"""

import argparse
import concurrent.futures
import json
import logging
import os
import resource
import sys
import threading
import time

import stomp

BODY = b"x" * 256
WARM_UP = 0.5
# Connections set up at once. Fewer than the Go side's 64: with more, the
# receiver threads of the first connections starve for the GIL while the
# others connect, and miss heart-beats.
DIALERS = 16


def cpu_seconds():
    ru = resource.getrusage(resource.RUSAGE_SELF)
    return ru.ru_utime + ru.ru_stime


def proc_status():
    out = {}
    with open("/proc/self/status") as f:
        for line in f:
            key, _, value = line.partition(":")
            fields = value.split()
            if fields and fields[0].isdigit():
                out[key] = int(fields[0])
    return out


def duration(text):
    """Parses a Go duration of whole seconds or milliseconds ("5s", "500ms")."""
    if text.endswith("ms"):
        return float(text[:-2]) / 1000
    if text.endswith("s"):
        return float(text[:-1])
    return float(text)


class Counter(stomp.ConnectionListener):
    """Counts MESSAGE frames and heart-beat timeouts, from any number of
    receiver threads."""

    def __init__(self):
        self.n = 0
        self.timeouts = 0
        self.disconnects = 0
        self.lock = threading.Lock()

    def on_message(self, frame):
        with self.lock:
            self.n += 1

    def on_heartbeat_timeout(self):
        with self.lock:
            self.timeouts += 1

    def on_disconnected(self):
        with self.lock:
            self.disconnects += 1


def connect(args, heartbeat=0.0, listener=None):
    host, port = args.peer.rsplit(":", 1)
    ms = int(heartbeat * 1000)
    c = stomp.Connection(
        [(host, int(port))],
        heartbeats=(ms, ms),
        vhost=args.vhost or None,
        auto_content_length=True,
    )
    if listener is not None:
        c.set_listener("counter", listener)
    c.connect(args.login or None, args.passcode or None, wait=True)
    return c


class Producer(stomp.ConnectionListener):
    """Keeps at most window messages in flight: past it, the producer
    sleeps until the consumer (this listener) has taken half of them."""

    def __init__(self, window):
        self.window = window
        self.sent = 0
        self.count = 0
        self.lock = threading.Lock()
        self.waiting = False
        self.wake = threading.Event()

    def on_message(self, frame):
        with self.lock:
            self.count += 1
            if self.waiting and self.sent - self.count <= self.window // 2:
                self.waiting = False
                self.wake.set()

    def run(self, conn, dest, seconds):
        end = time.monotonic() + seconds
        while time.monotonic() < end:
            if self.sent - self.count >= self.window:
                with self.lock:
                    self.wake.clear()
                    self.waiting = self.sent - self.count > self.window // 2
                if self.waiting:
                    self.wake.wait(max(0, end - time.monotonic()))
                continue
            for _ in range(16):
                conn.send(destination=dest, body=BODY)
                self.sent += 1


def roundtrip(args):
    """A producer and a consumer connection on one queue, auto ack."""
    dest = "/queue/stampede-bench.roundtrip"
    p = Producer(args.window)
    cons = connect(args, listener=p)
    cons.subscribe(destination=dest, id="1", ack="auto")
    prod = connect(args)
    p.run(prod, dest, WARM_UP)
    d0, t0, c0 = p.count, time.monotonic(), cpu_seconds()
    p.run(prod, dest, args.seconds)
    n = p.count - d0
    wall, cpu = time.monotonic() - t0, cpu_seconds() - c0
    end = time.monotonic() + 30
    while p.count < p.sent and time.monotonic() < end:  # leave the queue empty
        time.sleep(0.001)
    return {
        "rate": n / wall,
        "cpu_us": cpu * 1e6 / n if n else 0,
        "cpu": cpu / wall,
    }


def idle(args):
    """args.conns connections with heart-beats and one subscription each,
    idle for args.seconds."""
    dest = "/topic/stampede-bench.idle"
    recv = Counter()
    rss0 = proc_status()["VmRSS"]

    def one(_):
        c = connect(args, heartbeat=duration(args.heartbeat), listener=recv)
        c.subscribe(destination=dest, id="1", ack="auto")
        return c

    with concurrent.futures.ThreadPoolExecutor(DIALERS) as pool:
        conns = list(pool.map(one, range(args.conns)))
    time.sleep(1)
    st = proc_status()
    t0, c0 = time.monotonic(), cpu_seconds()
    time.sleep(args.seconds)
    wall, cpu = time.monotonic() - t0, cpu_seconds() - c0
    m = {
        "conns": args.conns,
        "rss_kib": (st["VmRSS"] - rss0) / args.conns,
        "threads": st["Threads"],
        "cpu_ms_s": cpu * 1e3 / wall,
        "cpu_us_conn_s": cpu * 1e6 / wall / args.conns,
        "hb_timeouts": recv.timeouts,
    }
    conns[0].send(destination=dest, body=BODY)
    end = time.monotonic() + 20
    while recv.n < args.conns and time.monotonic() < end:
        time.sleep(0.01)
    m["alive"] = recv.n
    m["disconnects"] = recv.disconnects
    return m


def main():
    p = argparse.ArgumentParser(description=__doc__)
    p.add_argument("-scenario", required=True, choices=["roundtrip", "idle"])
    p.add_argument("-peer", required=True)
    p.add_argument("-peer-name", default="embedded")
    p.add_argument("-login", default="")
    p.add_argument("-passcode", default="")
    p.add_argument("-vhost", default="")
    p.add_argument("-seconds", type=float, default=3)
    p.add_argument("-conns", type=int, default=1000)
    p.add_argument("-heartbeat", default="0s")
    p.add_argument("-window", type=int, default=1000)
    args = p.parse_args()
    # Heart-beat timeouts are counted in the result; the log would repeat them.
    logging.getLogger("stomp.py").setLevel(logging.CRITICAL)
    result = {"scenario": args.scenario, "lib": "stomp.py", "metrics": {}}
    try:
        result["metrics"] = roundtrip(args) if args.scenario == "roundtrip" else idle(args)
    except Exception as e:  # reported to the bench command, which fails loudly
        result["error"] = "%s: %s" % (type(e).__name__, e)
    sys.stdout.write(json.dumps(result) + "\n")
    sys.stdout.flush()
    # Skip the orderly disconnect of every connection: it is not measured.
    os._exit(0 if "error" not in result else 1)


if __name__ == "__main__":
    main()
