"""Benchmark: build a large data set, then measure pages under gunicorn against a hello-world baseline.

    python -m bench [--cooperatives 10000] [--products 100000] [--duration 5]
    BENCH_DATABASE_URL=postgresql+psycopg://postgres@127.0.0.1:5432/pasar_bench python -m bench

Everything runs on 127.0.0.1; the data set lives in a temporary folder (or the database given) and is
thrown away afterwards. Figures are ratios to the baseline measured in the same run, never absolute promises.
"""

import argparse
import json
import os
import re
import secrets
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

from bench.upload_cost import measure_all as measure_uploads

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent
PAGES = [  # (label, path, wrk script): the page cache answers repeated anonymous pages, as in production
    ("baseline: hello-world route", "/_bench/hello", "latency.lua"),
    ("home", "/", "latency.lua"),
    ("search ?q=batik", "/search?q=batik", "latency.lua"),
    ("faceted search", "/search?q=batik&cert=halal&province=33&sort=price_asc", "latency.lua"),
    ("search, never cached", "/search", "uncached_search.lua"),
    ("product page", "/products/bench-0", "latency.lua"),
    ("supplier directory", "/suppliers", "latency.lua"),
    ("cooperative directory", "/cooperatives?province=35", "latency.lua"),
]
SERVICE_QUERIES = [
    {"q": "batik"}, {"q": "bat"}, {"q": "kopi arabika"}, {"q": "madu", "sort": "price_asc"},
    {"q": "batik", "cert": "halal", "province": "33"}, {"category": "1"}, {"availability": "ready_stock"},
    {"q": "tidakada"},
]


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def run(command: list[str], env: dict) -> str:
    result = subprocess.run(command, env=env, cwd=ROOT, capture_output=True, text=True)
    if result.returncode:
        sys.exit(f"{' '.join(command)} failed:\n{result.stdout}\n{result.stderr}")
    return result.stdout.strip()


def ensure_wrk() -> str:
    wrk = shutil.which("wrk")
    if wrk:
        return wrk
    if os.geteuid() == 0 and shutil.which("apt-get"):
        subprocess.run(["apt-get", "install", "-y", "-qq", "wrk"], check=True, capture_output=True)
        return shutil.which("wrk")
    sys.exit("The load generator wrk is missing: sudo apt-get install -y wrk")


def measure_service(env: dict) -> list[tuple[str, float, float]]:
    os.environ.update(env)
    from werkzeug.datastructures import MultiDict

    from marketplace import create_app
    from marketplace.search.services.query import SearchRequest, search_products

    app = create_app()
    figures = []
    with app.app_context():
        for query in SERVICE_QUERIES:
            search_products(SearchRequest.from_args(MultiDict(query)))  # warm up
            timings = []
            for _ in range(30):
                started = time.perf_counter()
                search_products(SearchRequest.from_args(MultiDict(query)))
                timings.append((time.perf_counter() - started) * 1000)
            timings.sort()
            figures.append((json.dumps(query, ensure_ascii=False), statistics.median(timings),
                            timings[int(len(timings) * 0.95) - 1]))
    return figures


def peak_memory_mb(pid: int) -> float:
    status = Path(f"/proc/{pid}/status").read_text()
    return int(re.search(r"VmHWM:\s+(\d+) kB", status).group(1)) / 1024


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--cooperatives", type=int, default=10_000)
    parser.add_argument("--products", type=int, default=100_000)
    parser.add_argument("--duration", type=int, default=5, help="seconds of load per page")
    parser.add_argument("--workers", type=int, default=2)
    arguments = parser.parse_args()
    wrk = ensure_wrk()
    workdir = Path(tempfile.mkdtemp(prefix="pasar-bench-"))
    database = os.environ.get("BENCH_DATABASE_URL") or f"sqlite:///{workdir / 'bench.db'}"
    env = {**os.environ, "FLASK_APP": "marketplace", "APP_ENV": "production", "SECRET_KEY": secrets.token_hex(32),
           "DATABASE_URL": database, "INSTANCE_PATH": str(workdir), "SESSION_COOKIE_SECURE": "0",
           "TRUSTED_HOSTS": "127.0.0.1"}
    print(f"database: {database.split('@')[-1]}")
    started = time.perf_counter()
    run([str(BIN / "flask"), "db", "upgrade"], env)
    # seed-bench refuses a production configuration: this throwaway database is loaded as development.
    print(run([str(BIN / "flask"), "seed-bench", "--cooperatives", str(arguments.cooperatives),
               "--products", str(arguments.products)], {**env, "APP_ENV": "development"}),
          f"({time.perf_counter() - started:.0f} s)")

    print("\none accepted upload, checked, cleaned and stored in every width (a fresh process each)")
    uploads = measure_uploads()
    print(f"{'picture':30} {'pixels':>11} {'file KB':>8} {'seconds':>8} {'CPU s':>6} {'peak MB':>8}")
    for upload in uploads:
        print(f"{upload['case']:30} {upload['pixels']:11,d} {upload['file_kb']:8d} {upload['seconds']:8.2f} "
              f"{upload['cpu_seconds']:6.2f} {upload['peak_mb']:8d}")

    print("\nsearch service, no HTTP (30 runs each)")
    print(f"{'query':58} {'p50 ms':>8} {'p95 ms':>8}")
    service = measure_service(env)
    for query, p50, p95 in service:
        print(f"{query:58} {p50:8.1f} {p95:8.1f}")

    port = free_port()
    server = subprocess.Popen([str(BIN / "gunicorn"), "--workers", str(arguments.workers), "--worker-class",
                               "gthread", "--threads", "4", "--bind", f"127.0.0.1:{port}", "--log-level", "warning",
                               "bench.wsgi:app"], env=env, cwd=ROOT)
    base = f"http://127.0.0.1:{port}"
    try:
        for _ in range(100):
            try:
                urllib.request.urlopen(base + "/_bench/hello", timeout=1)
                break
            except OSError:
                time.sleep(0.2)
        for _label, path, _script in PAGES:  # every worker opens its connections and caches before measuring
            for _ in range(4):
                urllib.request.urlopen(base + path, timeout=30).read()
        results = []
        for label, path, script in PAGES:
            output = subprocess.run([wrk, "-t2", "-c16", f"-d{arguments.duration}s", "-s", str(ROOT / "bench" / script),
                                     base + path], capture_output=True, text=True, check=True).stdout
            rate = float(re.search(r"Requests/sec:\s+([\d.]+)", output).group(1))
            values = dict(re.findall(r"^(p50_us|p95_us|requests|errors) (\d+)$", output, re.MULTILINE))
            results.append((label, path, rate, int(values["p50_us"]) / 1000, int(values["p95_us"]) / 1000,
                            int(values["errors"])))
        workers = [int(pid) for pid in subprocess.run(["pgrep", "-P", str(server.pid)], capture_output=True,
                                                       text=True).stdout.split()]
        memory = [peak_memory_mb(pid) for pid in workers]
    finally:
        server.terminate()
        server.wait(timeout=30)
        shutil.rmtree(workdir, ignore_errors=True)

    baseline = results[0][2]
    print(f"\nHTTP under gunicorn ({arguments.workers} gthread workers × 4 threads), "
          f"wrk -t2 -c16 -d{arguments.duration}s")
    print(f"{'page':26} {'req/s':>9} {'× baseline':>11} {'p50 ms':>8} {'p95 ms':>8} {'errors':>7}")
    for label, _path, rate, p50, p95, errors in results:
        print(f"{label:26} {rate:9.0f} {rate / baseline:11.3f} {p50:8.1f} {p95:8.1f} {errors:7d}")
    print("\npeak memory per worker (VmHWM): " + ", ".join(f"{value:.0f} MB" for value in memory))
    report = {"database": database.split("://")[0], "cooperatives": arguments.cooperatives,
              "products": arguments.products, "service": service, "pages": results, "worker_peak_mb": memory,
              "uploads": uploads}
    out = ROOT / "test-artifacts" / "bench.json"
    out.parent.mkdir(exist_ok=True)
    out.write_text(json.dumps(report, indent=2, ensure_ascii=False))


if __name__ == "__main__":
    main()
