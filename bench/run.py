"""The benchmark: the service against a lean baseline and a hello-world ceiling, in one run, on loopback.

    python -m bench.run [--quick] [--rounds N] [--duration S] [--concurrency 16,64] [--granian] [--lean]
                        [--worker-classes gthread,sync] [--scale-hooks N] [--no-peer]

It starts a private redis-server and every app under gunicorn with the settings ``webhook-register
serve`` uses, drives them with wrk in alternating rounds (service, baseline, hello, service, …) so that
drift on a shared machine hits all alike, and prints medians, spread, latency percentiles, errors and
the ratios service ÷ baseline and service ÷ hello, then checks them against the targets of issue 3.
Every process it starts runs in its own session and is killed on exit; nothing else is touched.
"""
from __future__ import annotations

import argparse
import json
import os
import platform
import random
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from contextlib import ExitStack
from datetime import datetime, timezone
from pathlib import Path

import psutil
import redis

from webhook_register.adapters.hook_codec import encode_hook
from webhook_register.adapters.redis_repository import RedisWebhookRepository
from webhook_register.adapters.redis_server import RedisServer
from webhook_register.domain.model import Webhook, new_hook_id

BENCH_DIR = Path(__file__).resolve().parent
WRK_SCRIPT = BENCH_DIR / "wrk" / "bench.lua"
RESULTS_DIR = BENCH_DIR / "results"
APPS = ("service", "baseline", "hello")
SCENARIOS = ("trigger", "register")

#: The targets of issue 3, checked at the end of a run.
MIN_THROUGHPUT_RATIO = 0.90
MAX_P99_RATIO = 1.25
MIN_SCALE_RATIO = 0.95
MAX_BYTES_PER_HOOK = 300
MAX_WORKER_RSS_MB = 60


def free_port() -> int:
    """Return a loopback TCP port that nothing listens on right now."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


#: With --pin, the servers (apps and Redis) run on SERVER_CPUS and wrk on LOAD_CPUS, so that the load
#: generator does not steal an uneven share of the servers' cores from round to round.
SERVER_CPUS = "0"
LOAD_CPUS = "1"


def pinned(args: list[str], cpus: str | None) -> list[str]:
    """Prefix ``args`` with taskset when ``cpus`` is set."""
    return ["taskset", "-c", cpus, *args] if cpus else args


def pin_running(pid: int, cpus: str | None) -> None:
    """Pin every thread of the running process ``pid`` (and so the children it forks later) to ``cpus``."""
    if cpus:
        for thread in psutil.Process(pid).threads():
            os.sched_setaffinity(thread.id, {int(cpu) for cpu in cpus.split(",")})


class Processes:
    """Starts processes in sessions of their own and kills exactly those on close.

    Args:
        cpus: the CPUs to pin every started process to (None: no pinning).
    """

    def __init__(self, cpus: str | None = None) -> None:
        self._started: list[subprocess.Popen] = []
        self._cpus = cpus

    def start(self, args: list[str], **kwargs) -> subprocess.Popen:
        process = subprocess.Popen(pinned(args, self._cpus), start_new_session=True, stdin=subprocess.DEVNULL,
                                   **kwargs)
        self._started.append(process)
        return process

    def stop(self, process: subprocess.Popen) -> None:
        if process.poll() is None:
            os.killpg(process.pid, signal.SIGTERM)
            try:
                process.wait(15)
            except subprocess.TimeoutExpired:
                os.killpg(process.pid, signal.SIGKILL)
                process.wait()

    def close(self) -> None:
        for process in reversed(self._started):
            self.stop(process)


def wait_http(port: int, process: subprocess.Popen, timeout: float = 30.0) -> None:
    """Wait until something answers HTTP on ``port``; fail if ``process`` dies or time runs out."""
    deadline = time.monotonic() + timeout
    while True:
        if process.poll() is not None:
            raise RuntimeError(f"{process.args} exited with {process.returncode}")
        try:
            urllib.request.urlopen(f"http://127.0.0.1:{port}/webhook/ready-check", timeout=1)
            return
        except urllib.error.HTTPError:
            return
        except OSError:
            if time.monotonic() > deadline:
                raise RuntimeError(f"nothing answers on port {port} after {timeout} s")
            time.sleep(0.05)


def preload(client: redis.Redis, count: int, batch: int = 10_000) -> list[str]:
    """Store ``count`` hooks (as the seed registers them: userid only) straight into Redis; return ids."""
    keys = RedisWebhookRepository(client)
    ids = []
    now = datetime.now(timezone.utc)
    for start in range(0, count, batch):
        pipe = client.pipeline(transaction=False)
        for _ in range(min(batch, count - start)):
            hook = Webhook(new_hook_id(), "benchuser", {}, now)
            pipe.set(keys.hook_key(hook.id), encode_hook(hook))
            ids.append(hook.id)
        pipe.execute()
    return ids


def write_ids(ids: list[str], path: Path, sample: int = 10_000) -> Path:
    """Write a random sample of ``ids`` (one per line) for wrk to pick from."""
    chosen = ids if len(ids) <= sample else random.sample(ids, sample)
    path.write_text("\n".join(chosen) + "\n")
    return path


def run_wrk(port: int, mode: str, concurrency: int, duration: int, ids_file: Path | None = None,
            path: str = "/", cpus: str | None = None) -> dict:
    """Run one wrk round and return its numbers (requests/s, p50/p99 in ms, errors, non-2xx)."""
    env = {**os.environ, "BENCH_MODE": mode, "BENCH_PATH": path, "BENCH_IDS": str(ids_file or "")}
    args = pinned(["wrk", "-t", "2", "-c", str(concurrency), "-d", f"{int(duration)}s", "--timeout", "2s",
                   "-s", str(WRK_SCRIPT), f"http://127.0.0.1:{port}"], cpus)
    output = subprocess.run(args, env=env, capture_output=True, text=True, timeout=duration + 60).stdout
    line = next((l for l in output.splitlines() if l.startswith("BENCH ")), None)
    if line is None:
        raise RuntimeError(f"wrk printed no result:\n{output}")
    raw = json.loads(line[len("BENCH "):])
    return {
        "rps": raw["requests"] / (raw["duration_us"] / 1e6),
        "p50_ms": raw["p50_us"] / 1000,
        "p99_ms": raw["p99_us"] / 1000,
        "errors": raw["connect"] + raw["read"] + raw["write"] + raw["timeout"],
        "non_2xx": raw["status"],
        "requests": raw["requests"],
    }


def summarize(rounds: list[dict]) -> dict:
    """Median and spread (min–max as % of the median) of a list of rounds."""
    rps = [r["rps"] for r in rounds]
    median = statistics.median(rps)
    return {
        "rps": median,
        "spread_pct": 100 * (max(rps) - min(rps)) / median if median else 0.0,
        "p50_ms": statistics.median(r["p50_ms"] for r in rounds),
        "p99_ms": statistics.median(r["p99_ms"] for r in rounds),
        "errors": sum(r["errors"] for r in rounds),
        "non_2xx": sum(r["non_2xx"] for r in rounds),
        "rounds": len(rounds),
    }


def worker_rss_mb(master: subprocess.Popen) -> float:
    """The largest resident set of the gunicorn workers under ``master`` (the launcher process)."""
    workers = psutil.Process(master.pid).children(recursive=True)
    return max((w.memory_info().rss for w in workers), default=0) / 2**20


#: The settings of the "service-lean" contender: the service without the per-request features the
#: baseline lacks and an operator may turn off (access log, metrics), to show what they cost.
LEAN_SETTINGS = {"WEBHOOK_LOGGING_ACCESS": "false", "WEBHOOK_METRICS_ENABLED": "false"}


def start_app(processes: Processes, app: str, worker_class: str, redis_port: int, log_dir: Path,
              args: argparse.Namespace, redis_db: int = 0, settings: dict[str, str] | None = None,
              name: str | None = None) -> tuple[subprocess.Popen, int]:
    """Start one app under gunicorn (handler output to /dev/null) and wait until it answers; ``settings``
    are WEBHOOK_* variables that change the service's configuration."""
    port = free_port()
    command = [sys.executable, "-m", "bench.launch", app, "--port", str(port), "--redis-port", str(redis_port),
               "--redis-db", str(redis_db), "--workers", str(args.workers), "--worker-class", worker_class,
               "--threads", str(args.threads)]
    with open(log_dir / f"{name or app}-{worker_class}-{redis_db}.log", "ab") as log:
        process = processes.start(command, cwd=BENCH_DIR.parent, stdout=subprocess.DEVNULL, stderr=log,
                                  env={**os.environ, **(settings or {})})
    wait_http(port, process)
    return process, port


def start_granian(processes: Processes, redis_port: int, log_dir: Path, args: argparse.Namespace) -> int:
    """Start the service under granian (WSGI, same workers and threads) for comparison; return its port."""
    binary = Path(sys.executable).parent / "granian"
    if not binary.exists():
        raise RuntimeError("granian is not installed: pip install granian")
    port = free_port()
    metrics_dir = log_dir / "granian-metrics"  # as serve gives its workers one, for counts that add up
    metrics_dir.mkdir(exist_ok=True)
    env = {**os.environ, "WEBHOOK_REDIS_EMBEDDED": "false", "WEBHOOK_REDIS_PORT": str(redis_port),
           "WEBHOOK_REGISTER_CONFIG": str(BENCH_DIR.parent / "config.yml"),
           "PROMETHEUS_MULTIPROC_DIR": str(metrics_dir)}
    command = [str(binary), "--interface", "wsgi", "--workers", str(args.workers), "--blocking-threads",
               str(args.threads), "--host", "127.0.0.1", "--port", str(port), "--log-level", "warning",
               "--factory", "webhook_register.entrypoints.wsgi:create_app"]
    with open(log_dir / "service-granian.log", "ab") as log:
        process = processes.start(command, env=env, stdout=subprocess.DEVNULL, stderr=log)
    wait_http(port, process)
    return port


def start_peer(processes: Processes, work: Path) -> int | None:
    """Start adnanh/webhook with one hook running /bin/true; None when it is not installed."""
    binary = shutil.which("webhook")
    if binary is None:
        return None
    hooks = work / "hooks.json"
    hooks.write_text(json.dumps([{"id": "bench", "execute-command": "/bin/true"}]))
    port = free_port()
    process = processes.start([binary, "-hooks", str(hooks), "-ip", "127.0.0.1", "-port", str(port)],
                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + 15
    while True:
        try:
            urllib.request.urlopen(f"http://127.0.0.1:{port}/hooks/bench", timeout=1)
            return port
        except urllib.error.HTTPError:
            return port
        except OSError:
            if time.monotonic() > deadline or process.poll() is not None:
                return None
            time.sleep(0.05)


def bytes_per_hook(client: redis.Redis, port: int, count: int = 200) -> dict:
    """Register hooks through the service as the seed does (userid only) and measure MEMORY USAGE: of
    each hook's key, and of the per-user index per entry, for a user with one hook and with ``count``."""
    keys = RedisWebhookRepository(client)

    def register(userid: str) -> str:
        request = urllib.request.Request(f"http://127.0.0.1:{port}/webhook", data=f"userid={userid}".encode())
        with urllib.request.urlopen(request, timeout=5) as response:
            return json.loads(response.read())["id"]

    sizes = [client.memory_usage(keys.hook_key(register("testuser")), samples=0) for _ in range(count)]
    register("lone-user")
    return {
        "hook_key": statistics.mean(sizes),
        "index_per_entry_one_hook": client.memory_usage(keys.user_index_key("lone-user"), samples=0),
        f"index_per_entry_{count}_hooks": client.memory_usage(keys.user_index_key("testuser"), samples=0) / count,
    }


def measure(args: argparse.Namespace) -> dict:
    """Run every round and return all the numbers."""
    results: dict = {"rounds": {}, "summary": {}, "checks": {}}
    with ExitStack() as stack:
        work = Path(stack.enter_context(tempfile.TemporaryDirectory(prefix="webhook-bench-")))
        server_cpus, load_cpus = (SERVER_CPUS, LOAD_CPUS) if args.pin else (None, None)
        processes = Processes(server_cpus)
        stack.callback(processes.close)
        server = RedisServer(work / "redis", port=free_port())
        server.start()
        stack.callback(server.stop)
        pin_running(server.pid, server_cpus)
        client = server.client()
        ids_file = write_ids(preload(client, args.hooks), work / "ids.txt")
        peer_port = start_peer(processes, work) if args.peer else None
        results["peer_available"] = peer_port is not None

        for worker_class in args.worker_classes:
            apps = {app: start_app(processes, app, worker_class, server.port, work, args) for app in APPS}
            extras = {}  # contenders measured once, beside the first worker class
            if worker_class == args.worker_classes[0]:
                if args.granian:
                    extras["service-granian"] = start_granian(processes, server.port, work, args)
                if args.lean:
                    extras["service-lean"] = start_app(processes, "service", worker_class, server.port, work, args,
                                                       settings=LEAN_SETTINGS, name="service-lean")[1]
                if peer_port:
                    extras["adnanh-webhook"] = peer_port
            for scenario in args.scenarios:
                for concurrency in args.concurrency:
                    contenders = {app: port for app, (_, port) in apps.items()}
                    contenders.update((name, port) for name, port in extras.items()
                                      if scenario == "trigger" or name != "adnanh-webhook")
                    for _ in range(args.rounds):
                        for app, port in contenders.items():
                            if app == "adnanh-webhook":
                                numbers = run_wrk(port, "get", concurrency, args.duration, path="/hooks/bench",
                                                  cpus=load_cpus)
                            else:
                                numbers = run_wrk(port, scenario, concurrency, args.duration, ids_file, cpus=load_cpus)
                            key = f"{worker_class}/{scenario}/c{concurrency}/{app}"
                            results["rounds"].setdefault(key, []).append(numbers)
                            print(f"  {key}: {numbers['rps']:.0f} req/s, p99 {numbers['p99_ms']:.2f} ms", flush=True)
            results["summary"][f"{worker_class}/service_worker_rss_mb"] = worker_rss_mb(apps["service"][0])
            if worker_class == args.worker_classes[0]:
                results["summary"]["bytes_per_hook"] = bytes_per_hook(client, apps["service"][1])
            for process, _ in apps.values():
                processes.stop(process)

        if args.scale_hooks:
            results["scale"] = measure_scale(args, processes, server, work, ids_file, load_cpus)
    for key, rounds in results["rounds"].items():
        results["summary"][key] = summarize(rounds)
    return results


def measure_scale(args, processes, server, work, small_ids, load_cpus) -> dict:
    """Trigger throughput with ``args.scale_hooks`` hooks stored (db 1) against the usual set (db 0)."""
    big = redis.Redis(port=server.port, db=1)
    big.flushdb()
    print(f"  storing {args.scale_hooks} hooks …", flush=True)
    big_ids = write_ids(preload(big, args.scale_hooks), work / "big-ids.txt")
    worker_class = args.worker_classes[0]
    small_app = start_app(processes, "service", worker_class, server.port, work, args, redis_db=0)
    big_app = start_app(processes, "service", worker_class, server.port, work, args, redis_db=1)
    concurrency = max(args.concurrency)
    rounds: dict[str, list] = {"small": [], "big": []}
    for _ in range(args.rounds):
        for name, (_, port), ids in (("small", small_app, small_ids), ("big", big_app, big_ids)):
            rounds[name].append(run_wrk(port, "trigger", concurrency, args.duration, ids, cpus=load_cpus))
            print(f"  scale/{name}: {rounds[name][-1]['rps']:.0f} req/s", flush=True)
    processes.stop(small_app[0])
    processes.stop(big_app[0])
    return {
        "hooks_small": args.hooks,
        "hooks_big": args.scale_hooks,
        "small": summarize(rounds["small"]),
        "big": summarize(rounds["big"]),
        "redis_used_memory_mb": big.info("memory")["used_memory"] / 2**20,
    }


def report(results: dict, args: argparse.Namespace) -> list[str]:
    """Print the table and the target checks; return the failed checks."""
    summary = results["summary"]
    lines = ["| worker | scenario | c | service req/s | baseline req/s | hello req/s | svc÷base | svc÷hello"
             " | p99 svc / base ms | p99 ratio | spread svc | errors, non-2xx |",
             "|---|---|---|---|---|---|---|---|---|---|---|---|"]
    failures = []
    for worker_class in args.worker_classes:
        for scenario in args.scenarios:
            for concurrency in args.concurrency:
                s = {app: summary[f"{worker_class}/{scenario}/c{concurrency}/{app}"] for app in APPS}
                ratio = s["service"]["rps"] / s["baseline"]["rps"]
                p99_ratio = s["service"]["p99_ms"] / s["baseline"]["p99_ms"]
                bad = sum(s["service"][k] for k in ("errors", "non_2xx"))
                lines.append(
                    f"| {worker_class} | {scenario} | {concurrency} | {s['service']['rps']:.0f} | "
                    f"{s['baseline']['rps']:.0f} | {s['hello']['rps']:.0f} | {ratio:.2f} | "
                    f"{s['service']['rps'] / s['hello']['rps']:.2f} | {s['service']['p99_ms']:.2f} / "
                    f"{s['baseline']['p99_ms']:.2f} | {p99_ratio:.2f} | {s['service']['spread_pct']:.0f}% | "
                    f"{s['service']['errors']}, {s['service']['non_2xx']} |")
                name = f"{worker_class} {scenario} c{concurrency}"
                if ratio < MIN_THROUGHPUT_RATIO:
                    failures.append(f"{name}: throughput {ratio:.2f} × baseline < {MIN_THROUGHPUT_RATIO}")
                if p99_ratio > MAX_P99_RATIO:
                    failures.append(f"{name}: p99 {p99_ratio:.2f} × baseline > {MAX_P99_RATIO}")
                if bad:
                    failures.append(f"{name}: {bad} errors or non-2xx answers")
    print("\n".join(lines))
    first = args.worker_classes[0]
    peers = [f"c{c}: {summary[f'{first}/trigger/c{c}/adnanh-webhook']['rps']:.0f} req/s"
             for c in args.concurrency if f"{first}/trigger/c{c}/adnanh-webhook" in summary]
    if peers:
        print(f"\nadnanh/webhook (one hook running /bin/true), triggers: {', '.join(peers)}")
    for scenario in args.scenarios:
        for c in args.concurrency:
            granian = summary.get(f"{first}/{scenario}/c{c}/service-granian")
            if granian:
                gunicorn = summary[f"{first}/{scenario}/c{c}/service"]
                print(f"service under granian, {scenario} c{c}: {granian['rps']:.0f} req/s, p99 "
                      f"{granian['p99_ms']:.2f} ms ({granian['rps'] / gunicorn['rps']:.2f} × gunicorn {first})")
    for scenario in args.scenarios:
        for c in args.concurrency:
            lean = summary.get(f"{first}/{scenario}/c{c}/service-lean")
            if lean:
                baseline = summary[f"{first}/{scenario}/c{c}/baseline"]
                print(f"service without access log and metrics ({first}), {scenario} c{c}: "
                      f"{lean['rps']:.0f} req/s, {lean['rps'] / baseline['rps']:.2f} × baseline, p99 "
                      f"{lean['p99_ms']:.2f} ms")
    memory = summary.get("bytes_per_hook")
    if memory is not None:
        many = next(v for k, v in memory.items() if k.startswith("index_per_entry_") and k != "index_per_entry_one_hook")
        per_hook = memory["hook_key"] + many
        print(f"Redis memory per hook (MEMORY USAGE, userid only): {memory['hook_key']:.0f} bytes for its key + "
              f"{many:.0f} for its index entry (a user with many hooks; "
              f"{memory['index_per_entry_one_hook']:.0f} for a user's only hook) = {per_hook:.0f} bytes")
        if per_hook > MAX_BYTES_PER_HOOK:
            failures.append(f"{per_hook:.0f} bytes per hook > {MAX_BYTES_PER_HOOK}")
    for worker_class in args.worker_classes:
        rss = summary[f"{worker_class}/service_worker_rss_mb"]
        print(f"Largest service worker RSS after the run ({worker_class}): {rss:.1f} MB")
        if rss > MAX_WORKER_RSS_MB:
            failures.append(f"{worker_class} worker RSS {rss:.1f} MB > {MAX_WORKER_RSS_MB}")
    scale = results.get("scale")
    if scale:
        ratio = scale["big"]["rps"] / scale["small"]["rps"]
        print(f"Trigger with {scale['hooks_big']} hooks stored: {scale['big']['rps']:.0f} req/s; with "
              f"{scale['hooks_small']}: {scale['small']['rps']:.0f} req/s; ratio {ratio:.2f} "
              f"(Redis used memory {scale['redis_used_memory_mb']:.0f} MB)")
        if ratio < MIN_SCALE_RATIO:
            failures.append(f"scale ratio {ratio:.2f} < {MIN_SCALE_RATIO}")
    print("\nTargets: " + ("all met" if not failures else "MISSED:\n- " + "\n- ".join(failures)))
    return failures


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    """Parse the command line; ``--quick`` picks a few-seconds run for development."""
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--quick", action="store_true", help="one short round, gthread, c16, no scale test")
    parser.add_argument("--rounds", type=int)
    parser.add_argument("--duration", type=int, help="seconds per wrk round")
    parser.add_argument("--concurrency", type=lambda s: [int(c) for c in s.split(",")])
    parser.add_argument("--worker-classes", type=lambda s: s.split(","))
    parser.add_argument("--scenarios", type=lambda s: s.split(","), default=list(SCENARIOS),
                        help="trigger,register (default both)")
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--threads", type=int, default=4)
    parser.add_argument("--hooks", type=int, default=1000, help="hooks stored before the trigger rounds")
    parser.add_argument("--scale-hooks", type=int, help="hooks for the scale test (0: skip)")
    parser.add_argument("--no-peer", dest="peer", action="store_false", help="skip adnanh/webhook")
    parser.add_argument("--granian", action="store_true", help="also run the service under granian")
    parser.add_argument("--lean", action="store_true",
                        help="also run the service without access log and metrics (what they cost)")
    parser.add_argument("--no-pin", dest="pin", action="store_false",
                        help="do not pin the servers to CPU 0 and wrk to CPU 1")
    parser.add_argument("--output", type=Path, default=RESULTS_DIR / "latest.json")
    args = parser.parse_args(argv)
    quick = {"rounds": 1, "duration": 2, "concurrency": [16], "worker_classes": ["gthread"], "scale_hooks": 0}
    full = {"rounds": 3, "duration": 5, "concurrency": [16, 64], "worker_classes": ["gthread", "sync"],
            "scale_hooks": 1_000_000}
    for name, value in (quick if args.quick else full).items():
        if getattr(args, name) is None:
            setattr(args, name, value)
    return args


def main(argv: list[str] | None = None) -> int:
    """Run the benchmark; exit 0 when the targets hold, 1 when one is missed, 2 when it cannot run."""
    args = parse_args(argv)
    # A SIGTERM (a CI timeout, kill) unwinds like Ctrl-C, so every process the run started is stopped.
    signal.signal(signal.SIGTERM, lambda signum, frame: sys.exit(128 + signum))
    if shutil.which("wrk") is None:
        print("bench: wrk is not installed (Debian: apt-get install wrk; `make bench` does it)", file=sys.stderr)
        return 2
    print(f"bench: {platform.node()}, {os.cpu_count()} cores, Python {platform.python_version()}, "
          f"{args.rounds} round(s) of {args.duration:g} s", flush=True)
    results = measure(args)
    failures = report(results, args)
    results.update(failures=failures, args={k: str(v) for k, v in vars(args).items()},
                   when=datetime.now(timezone.utc).isoformat())
    args.output.parent.mkdir(parents=True, exist_ok=True)
    args.output.write_text(json.dumps(results, indent=2))
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
