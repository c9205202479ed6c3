#!/usr/bin/env python3
"""Gateway overhead per LLM turn, two gateway builds side by side.

One OpenAI simulator (answering at once, 8-character stream pieces) serves every run; for each
run and each variant a fresh gateway (its own SQLite file) is started and `leadgate bench ws`
(always the same load tool) drives it: N concurrent conversations, 3 visitor messages each.
Variants are interleaved and their order rotates from run to run, so a change in the machine's
load touches all of them alike. Reports the median and the spread (min-max) of each
percentile over the runs, and checks from /metrics that the model worded every turn (a turn the
rule engine answered instead would flatter the figures).

  scripts/bench-llm-overhead.py --build before=/tmp/lg-before --build after=target/release \
      [--runs 5] [--conversations 2000] [--think-ms 4000]

Each --build names a directory holding a `leadgate` binary; the last build's `leadgate-sim` and
`leadgate bench` serve every run. A build whose binary knows `daily_token_budget` runs with no
concurrency cap and no token budget, so that every turn goes to the model as it did before them.
"""

import argparse
import json
import os
import re
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request


def free_port():
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    return port


def wait_ready(port, proc, seconds=30):
    deadline = time.time() + seconds
    while time.time() < deadline:
        if proc.poll() is not None:
            raise SystemExit(f"gateway exited with {proc.returncode}")
        try:
            urllib.request.urlopen(f"http://127.0.0.1:{port}/readyz", timeout=1)
            return
        except OSError:
            time.sleep(0.1)
    raise SystemExit("gateway not ready")


def model_replies(port):
    """leadgate_llm_replies_total by outcome."""
    text = urllib.request.urlopen(f"http://127.0.0.1:{port}/metrics", timeout=5).read().decode()
    out = {}
    for line in text.splitlines():
        m = re.match(r'leadgate_llm_replies_total\{outcome="([^"]+)"\} (\S+)', line)
        if m:
            out[m.group(1)] = int(float(m.group(2)))
    return out


def run_one(build_dir, engine, api_base, args, load_tool, work):
    port = free_port()
    db = os.path.join(work, f"lg-{port}.db")
    cfg = os.path.join(work, f"lg-{port}.toml")
    with open(cfg, "w") as f:
        f.write(f"""[server]
listen = "127.0.0.1:{port}"
[database]
url = "sqlite://{db}"
[limits]
ip_connections = 20000
ip_msgs_per_min = 10000000
ip_conversations_per_min = 10000000
[engine]
kind = "{'rules' if engine == 'rules' else 'llm'}"
[engine.llm]
base_url = "{api_base}"
api_key = "sk-test"
stream = {'true' if engine == 'stream' else 'false'}
""")
    env = dict(os.environ, RUST_LOG="warn")
    if build_dir.get("caps"):
        # No concurrency cap or token budget: every turn goes to the model, as before them.
        env["LEADGATE__ENGINE__LLM__MAX_CONCURRENT"] = "0"
        env["LEADGATE__ENGINE__LLM__DAILY_TOKEN_BUDGET"] = "0"
    log = open(os.path.join(work, f"gw-{port}.log"), "w")
    gw = subprocess.Popen([os.path.join(build_dir["dir"], "leadgate"), "--config", cfg, "serve"],
                          env=env, stdout=log, stderr=log)
    try:
        wait_ready(port, gw)
        out = subprocess.run([load_tool, "bench", "ws", "--url", f"ws://127.0.0.1:{port}/ws",
                              "--conversations", str(args.conversations),
                              "--think-ms", str(args.think_ms)],
                             capture_output=True, text=True, check=True)
        report = json.loads(out.stdout)
        report["replies"] = model_replies(port)
        return report
    finally:
        gw.send_signal(signal.SIGTERM)
        try:
            gw.wait(30)
        except subprocess.TimeoutExpired:
            gw.kill()
        log.close()
        for suffix in ("", "-wal", "-shm"):
            if os.path.exists(db + suffix):
                os.remove(db + suffix)


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--build", action="append", required=True, help="NAME=DIR")
    p.add_argument("--runs", type=int, default=5)
    p.add_argument("--conversations", type=int, default=2000)
    p.add_argument("--think-ms", type=int, default=4000)
    p.add_argument("--engines", default="whole,stream,rules")
    args = p.parse_args()
    builds = []
    for spec in args.build:
        name, _, d = spec.partition("=")
        # A build with the concurrency cap and token budget has a binary that knows the keys.
        caps = b"daily_token_budget" in open(os.path.join(d, "leadgate"), "rb").read()
        builds.append({"name": name, "dir": d, "caps": caps})
    engines = args.engines.split(",")
    load_tool = os.path.join(builds[-1]["dir"], "leadgate")
    work = tempfile.mkdtemp()
    sim = subprocess.Popen([os.path.join(builds[-1]["dir"], "leadgate-sim"), "--openai", "127.0.0.1:0"],
                           stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
    api_base = json.loads(sim.stdout.readline())["openai"]["api_base"]
    variants = [(b, e) for e in engines for b in builds]
    results = {(b["name"], e): [] for b, e in variants}
    try:
        for run in range(args.runs):
            order = variants[run % len(variants):] + variants[:run % len(variants)]
            for build, engine in order:
                r = run_one(build, engine, api_base, args, load_tool, work)
                results[(build["name"], engine)].append(r)
                print(f"run {run + 1} {build['name']:>8} {engine:>6}: p50 {r['p50_ms']:.2f} "
                      f"p90 {r['p90_ms']:.2f} p99 {r['p99_ms']:.2f} max {r['max_ms']:.1f} ms, "
                      f"failed {r['failed_turns']}/{r['turns']}, replies {r['replies']}",
                      file=sys.stderr, flush=True)
    finally:
        sim.terminate()
    print("| build | engine | p50 | p90 | p99 | max | turns (failed) | model replies |")
    print("|---|---|---|---|---|---|---|---|")
    for build, engine in variants:
        rs = results[(build["name"], engine)]
        cell = lambda k: (f"{statistics.median(r[k] for r in rs):.2f} "
                          f"({min(r[k] for r in rs):.2f}–{max(r[k] for r in rs):.2f})")
        turns = sum(r["turns"] for r in rs)
        failed = sum(r["failed_turns"] for r in rs)
        model = sum(r["replies"].get("model", 0) for r in rs)
        print(f"| {build['name']} | {engine} | {cell('p50_ms')} | {cell('p90_ms')} | "
              f"{cell('p99_ms')} | {cell('max_ms')} | {turns} ({failed}) | {model} |")


if __name__ == "__main__":
    main()
