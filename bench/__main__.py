"""Benchmark: build a large data set, then measure pages under gunicorn against a hello-world baseline.

    python -m bench [--cooperatives 10000] [--products 100000] [--duration 5]
    BENCH_DATABASE_URL=postgresql+psycopg://postgres@127.0.0.1:5432/pasar_bench python -m bench

Everything runs on 127.0.0.1; the data set lives in a temporary folder (or the database given) and is
thrown away afterwards. Figures are ratios to the baseline measured in the same run, never absolute promises.
"""

import argparse
import functools
import json
import os
import random
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

from bench.queries import search_paths, search_queries
from bench.upload_cost import measure_all as measure_uploads

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent
SERVICE_QUERIES = [
    {"q": "batik"}, {"q": "bat"}, {"q": "kopi arabika"}, {"q": "madu", "sort": "price_asc"},
    {"q": "batik", "cert": "halal", "province": "33"}, {"category": "1"}, {"availability": "ready_stock"},
    {"q": "tidakada"},
]
BUYER_EMAIL, BUYER_PASSWORD = "pembeli@bench.id", secrets.token_urlsafe(12)
PROVINCES = ["11", "12", "31", "32", "33", "34", "35", "36", "51", "52", "61", "63", "73", "76", "81", "94"]
NO_CACHES = {"PAGE_CACHE_SECONDS": "0", "SEARCH_FACET_CACHE_SECONDS": "0", "SEARCH_RESULT_CACHE_SECONDS": "0"}


def crowd_paths(products: int, cooperatives: int, seed: int = 7) -> dict[str, list[str]]:
    """What each crowd asks for: many different addresses, drawn at random by every request."""
    randomiser = random.Random(seed)
    words = ["batik", "tenun", "madu", "kopi", "keranjang", "seragam", "kursi", "keripik", "tas", "gamis"]
    return {
        "searches": search_paths(200),
        # A word and a price limit: a hundred thousand different searches, so a cache never answers twice.
        "every search different": [f"/search?q={randomiser.choice(words)}&min_price={price}"
                                   for price in randomiser.sample(range(1, 1_000_000), 100_000)],
        "products": [f"/products/bench-{index}" for index in randomiser.sample(range(products), min(5000, products))],
        "suppliers": [f"/suppliers?page={page}" for page in range(1, 101)] + [
            f"/suppliers?province={province}&page={page}" for province in PROVINCES for page in range(1, 6)],
        "cooperatives": [f"/cooperatives?province={province}&page={page}" for province in PROVINCES
                         for page in range(1, 1 + max(1, cooperatives // len(PROVINCES) // 20 // 4))],
    }


# (label, crowd or single path, signed in): measured on a server with caches at their defaults, then on one
# with every cache off. The figures that matter lead; the hot URL is there to show what a cache hit costs.
BASELINE_PATH = "/_bench/hello"
MEASURES = [
    ("baseline: hello-world route", BASELINE_PATH, False),
    ("200 different searches", "searches", False),
    ("200 searches, a signed-in buyer", "searches", True),
    ("every search different", "every search different", False),
    ("5,000 different product pages", "products", False),
    ("supplier directory, 180 pages", "suppliers", False),
    ("cooperative directory pages", "cooperatives", False),
    ("hot URL: /search?q=batik (page cache hit)", "/search?q=batik", False),
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


def percentile(timings: list[float], share: float) -> float:
    ordered = sorted(timings)
    return ordered[max(0, int(len(ordered) * share + 0.5) - 1)]


def measure_service(env: dict) -> tuple[list, dict]:
    """The search service without HTTP and with its cache off: a few named searches 30 times each, then
    `search_queries()` (300 different ones) each once, after one pass to warm the database's page cache."""
    os.environ.update(env)
    from werkzeug.datastructures import MultiDict

    from marketplace import create_app
    from marketplace.search.services.query import SearchRequest, search_products

    app = create_app()
    app.config.update({name: int(value) for name, value in NO_CACHES.items()})
    named, varied = [], []
    with app.test_request_context():
        for query in SERVICE_QUERIES:
            search_products(SearchRequest.from_args(MultiDict(query)))  # warm up
            timings = []
            for _ in range(30):
                started = time.perf_counter()
                search_products(SearchRequest.from_args(MultiDict(query)))
                timings.append((time.perf_counter() - started) * 1000)
            named.append((json.dumps(query, ensure_ascii=False), statistics.median(timings),
                          percentile(timings, 0.95)))
        for query in search_queries():  # once to warm the database's own cache, as a running site has it
            search_products(SearchRequest.from_args(MultiDict(query)))
        for query in search_queries():
            started = time.perf_counter()
            search_products(SearchRequest.from_args(MultiDict(query)))
            varied.append(((time.perf_counter() - started) * 1000, query))
    with app.app_context():
        create_buyer()
    timings = [ms for ms, _query in varied]
    slowest = sorted(varied, key=lambda item: -item[0])[:5]
    summary = {"queries": len(timings), "p50": statistics.median(timings), "p95": percentile(timings, 0.95),
               "p99": percentile(timings, 0.99), "slowest": [(round(ms, 1), query) for ms, query in slowest]}
    return named, summary


def create_buyer() -> None:
    """A buyer of the bench data set, who signs in for the signed-in crowd."""
    import sqlalchemy as sa

    from marketplace.accounts.models import AccountKind, User
    from marketplace.accounts.services import hash_password
    from marketplace.core.timeutil import utcnow
    from marketplace.extensions import db

    buyer = db.session.scalar(sa.select(User).where(User.email == BUYER_EMAIL))
    if buyer is None:  # a database kept between runs (BENCH_DATABASE_URL) already has them
        buyer = User(email=BUYER_EMAIL, name="Pembeli Bench", kind=AccountKind.BUYER, email_verified_at=utcnow())
        db.session.add(buyer)
    buyer.password_hash = hash_password(BUYER_PASSWORD)
    db.session.commit()


def signed_in_cookie(base: str) -> str:
    from bench.checkouts import Browser

    browser = Browser(base)
    status, _page = browser.open("/login", {"email": BUYER_EMAIL, "password": BUYER_PASSWORD,
                                            "csrf_token": browser.token("/login")})
    if status != 200 or "session" not in browser.session_cookie():
        sys.exit("the bench buyer could not sign in")
    return browser.session_cookie()


def peak_memory_mb(pid: int) -> float:
    status = Path(f"/proc/{pid}/status").read_text()
    return int(re.search(r"VmHWM:\s+(\d+) kB", status).group(1)) / 1024


def redis_url() -> str | None:
    """A Redis database of its own for the shared cache, emptied first, when Redis answers on 127.0.0.1."""
    try:
        import redis

        client = redis.Redis.from_url("redis://127.0.0.1:6379/13", socket_connect_timeout=0.5)
        client.flushdb()
        return "redis://127.0.0.1:6379/13"
    except Exception:  # any failure means: measure without Redis
        return None


def start_server(env: dict, workers: int) -> tuple[subprocess.Popen, str]:
    """gunicorn serving the application on a free port (gthread workers × 4 threads), once it answers."""
    port = free_port()
    server = subprocess.Popen([str(BIN / "gunicorn"), "--workers", str(workers), "--worker-class", "gthread",
                               "--threads", "4", "--bind", f"127.0.0.1:{port}", "--log-level", "warning",
                               "bench.wsgi:app"], env=env, cwd=ROOT)
    base = f"http://127.0.0.1:{port}"
    for _ in range(100):
        try:
            urllib.request.urlopen(base + "/_bench/hello", timeout=1)
            break
        except OSError:
            time.sleep(0.2)
    return server, base


def serve(env: dict, workers: int, wrk: str, duration: int, files: dict[str, Path],
          steady: bool) -> tuple[list, list]:
    """Start gunicorn with `env`, warm every worker up, run each of MEASURES; the figures and workers' peak
    memory. `steady`: the 200 searches are each asked once first, as on a site that has been running (caches
    then hold what a crowd asks; entries still expire during the measure)."""
    server, base = start_server(env, workers)
    try:
        cookie = signed_in_cookie(base)
        for _label, target, _signed_in in MEASURES:  # every worker opens its connections before measuring
            for path in ([target] if target.startswith("/") else files[target].read_text().split()[:4]) * 2:
                urllib.request.urlopen(base + path, timeout=60).read()
        if steady:
            for path in files["searches"].read_text().split():
                urllib.request.urlopen(base + path, timeout=60).read()
        # The baseline is measured between every two crowds, and each crowd's ratio is to the mean of the
        # baselines just before and just after it: on a shared machine whose speed drifts during a run (here the
        # hello-world route has gone from 2,200 to 650 requests a second within a minute), one baseline at the
        # start flatters the first measures and wrongs the last.
        workers_pids = [int(pid) for pid in subprocess.run(["pgrep", "-P", str(server.pid)], capture_output=True,
                                                            text=True).stdout.split()]
        serving = ServingCpu(workers_pids, database=env["DATABASE_URL"].startswith("postgresql"))
        load = functools.partial(_load, wrk, base, serving=serving)
        results, baselines = [], [load(BASELINE_PATH, max(2, duration // 2), {})]
        for label, target, signed_in in MEASURES:
            wrk_env = {"BENCH_COOKIE": cookie if signed_in else ""}
            if not target.startswith("/"):
                wrk_env["BENCH_PATHS"] = str(files[target])
            measured = load(target if target.startswith("/") else "/", duration, wrk_env)
            baselines.append(load(BASELINE_PATH, max(2, duration // 2), {}))
            results.append({"label": label, **measured,
                            "baseline": (baselines[-2]["rate"] + baselines[-1]["rate"]) / 2,
                            "baseline_cpu_ms": (baselines[-2]["cpu_ms"] + baselines[-1]["cpu_ms"]) / 2})
        memory = [peak_memory_mb(pid) for pid in workers_pids]
    finally:
        server.terminate()
        server.wait(timeout=30)
    return results, memory


class ServingCpu:
    """CPU seconds the serving side has used so far: gunicorn's workers, and PostgreSQL's processes when the
    data lives there. On a shared machine the requests a second follow how much CPU the machine was given
    (here two runs 3 seconds apart differed twofold); the CPU a request costs follows the code."""

    def __init__(self, worker_pids: list[int], database: bool):
        self.worker_pids, self.database = worker_pids, database

    def seconds(self) -> float:
        pids = list(self.worker_pids)
        if self.database:
            pids += [int(pid) for pid in subprocess.run(["pgrep", "-x", "postgres"], capture_output=True,
                                                        text=True).stdout.split()]
        return sum(_cpu_seconds(pid) for pid in pids)


def _cpu_seconds(pid: int) -> float:
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:  # a process that ended in between
        return 0.0
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")  # utime + stime


def _load(wrk: str, base: str, path: str, duration: int, extra_env: dict, serving: ServingCpu) -> dict:
    """wrk on `path` (or the crowd its environment names) for `duration` seconds: rate, p50, p99, errors, and
    the serving side's CPU milliseconds per request."""
    cpu_before = serving.seconds()
    output = subprocess.run([wrk, "-t2", "-c16", f"-d{duration}s", "-s", str(ROOT / "bench" / "paths.lua"),
                             base + path], capture_output=True, text=True, check=True,
                            env={**{name: value for name, value in os.environ.items() if name != "BENCH_PATHS"},
                                 "BENCH_COOKIE": "", **extra_env}).stdout
    rate = float(re.search(r"Requests/sec:\s+([\d.]+)", output).group(1))
    values = dict(re.findall(r"^(p50_us|p95_us|p99_us|requests|errors) (\d+)$", output, re.MULTILINE))
    cpu_ms = (serving.seconds() - cpu_before) * 1000 / max(1, int(values["requests"]))
    return {"rate": rate, "p50": int(values["p50_us"]) / 1000, "p99": int(values["p99_us"]) / 1000,
            "errors": int(values["errors"]), "cpu_ms": cpu_ms}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--cooperatives", type=int, default=10_000)
    parser.add_argument("--products", type=int, default=100_000)
    parser.add_argument("--duration", type=int, default=5, help="seconds of load per measure")
    parser.add_argument("--runs", type=int, default=3, help="each server's measures are repeated this often")
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--skip-uploads", action="store_true")
    arguments = parser.parse_args()
    wrk = ensure_wrk()
    workdir = Path(tempfile.mkdtemp(prefix="pasar-bench-"))
    database = os.environ.get("BENCH_DATABASE_URL") or f"sqlite:///{workdir / 'bench.db'}"
    env = {**os.environ, "FLASK_APP": "marketplace", "APP_ENV": "production", "SECRET_KEY": secrets.token_hex(32),
           "DATABASE_URL": database, "INSTANCE_PATH": str(workdir), "SESSION_COOKIE_SECURE": "0",
           "TRUSTED_HOSTS": "127.0.0.1", "LOGIN_RATE_LIMIT": "1000 per minute"}
    print(f"database: {database.split('@')[-1]}")
    started = time.perf_counter()
    run([str(BIN / "flask"), "db", "upgrade"], env)
    # seed-bench refuses a production configuration: this throwaway database is loaded as development.
    print(run([str(BIN / "flask"), "seed-bench", "--cooperatives", str(arguments.cooperatives),
               "--products", str(arguments.products)], {**env, "APP_ENV": "development"}),
          f"({time.perf_counter() - started:.0f} s)")

    uploads = [] if arguments.skip_uploads else measure_uploads()
    if uploads:
        print("\none accepted upload, checked, cleaned and stored in every width (a fresh process each)")
        print(f"{'picture':30} {'pixels':>11} {'file KB':>8} {'seconds':>8} {'CPU s':>6} {'peak MB':>8}")
    for upload in uploads:
        print(f"{upload['case']:30} {upload['pixels']:11,d} {upload['file_kb']:8d} {upload['seconds']:8.2f} "
              f"{upload['cpu_seconds']:6.2f} {upload['peak_mb']:8d}")

    named, varied = measure_service(env)
    print(f"\nsearch service, no HTTP, its cache off: {varied['queries']} different searches each once "
          f"(bench/queries.py)")
    print(f"p50 {varied['p50']:.1f} ms   p95 {varied['p95']:.1f} ms   p99 {varied['p99']:.1f} ms   "
          f"(targets: p95 < 25, p99 < 50)")
    print("slowest: " + "; ".join(f"{ms} ms {query}" for ms, query in varied["slowest"]))
    print(f"\nnamed searches, 30 runs each\n{'query':58} {'p50 ms':>8} {'p95 ms':>8}")
    for query, p50, p95 in named:
        print(f"{query:58} {p50:8.1f} {p95:8.1f}")

    files = {}
    for name, paths in crowd_paths(arguments.products, arguments.cooperatives).items():
        files[name] = workdir / f"{name.replace(' ', '-')}.txt"
        files[name].write_text("\n".join(paths) + "\n")
    shared = redis_url()
    servers = [  # (title, settings, steady: the crowd's searches asked once before measuring)
        ("caches at their defaults" + (" (one Redis cache for all workers)" if shared else " (per worker)"),
         {**env, **({"CACHE_REDIS_URL": shared} if shared else {})}, True),
        ("every cache off", {**env, **NO_CACHES}, False)]
    report = {"database": database.split("://")[0], "cooperatives": arguments.cooperatives,
              "products": arguments.products, "service": named, "varied_searches": varied, "uploads": uploads,
              "servers": {}}
    try:
        for title, server_env, steady in servers:
            runs, memory = [], []
            for _ in range(arguments.runs):
                results, peaks = serve(server_env, arguments.workers, wrk, arguments.duration, files, steady)
                runs.append(results)
                memory.extend(peaks)
            report["servers"][title] = {"runs": runs, "worker_peak_mb": memory}
            print_server(title, runs, memory, arguments)
    finally:
        shutil.rmtree(workdir, ignore_errors=True)
    out = ROOT / "test-artifacts" / "bench.json"
    out.parent.mkdir(exist_ok=True)
    out.write_text(json.dumps(report, indent=2, ensure_ascii=False))


def print_server(title: str, runs: list[list[dict]], memory: list[float], arguments) -> None:
    """Median of the runs, with the spread of the ratio across them (how stable the figure is)."""
    print(f"\nHTTP, {title}: gunicorn {arguments.workers} gthread workers × 4 threads, wrk -t2 -c16 "
          f"-d{arguments.duration}s, {len(runs)} runs (median; ratio range across runs)")
    print("(each ratio is to the hello-world route measured just before and just after that crowd; \"CPU ms\" is what\n"
          " the workers, and PostgreSQL, spent per request, and \"CPU × hello\" the hello-world route's CPU per\n"
          " request over the crowd's: on a shared machine it moves less than the rate)")
    print(f"{'what':44} {'req/s':>8} {'× hello':>8} {'range':>13} {'CPU ms':>7} {'CPU × hello':>12} "
          f"{'p50 ms':>8} {'p99 ms':>8} {'errors':>7}")
    for index, (label, _target, _signed_in) in enumerate(MEASURES):
        ratios = [run[index]["rate"] / run[index]["baseline"] for run in runs]
        cpu_ratios = [run[index]["baseline_cpu_ms"] / run[index]["cpu_ms"] for run in runs if run[index]["cpu_ms"]]
        rate = statistics.median(run[index]["rate"] for run in runs)
        cpu_ms = statistics.median(run[index]["cpu_ms"] for run in runs)
        p50 = statistics.median(run[index]["p50"] for run in runs)
        p99 = statistics.median(run[index]["p99"] for run in runs)
        errors = sum(run[index]["errors"] for run in runs)
        cpu_ratio = f"{statistics.median(cpu_ratios):.3f}" if cpu_ratios else "—"
        print(f"{label:44} {rate:8.0f} {statistics.median(ratios):8.3f} {min(ratios):6.3f}–{max(ratios):<6.3f} "
              f"{cpu_ms:7.2f} {cpu_ratio:>12} {p50:8.1f} {p99:8.1f} {errors:7d}")
    print("peak memory per worker (VmHWM): " + ", ".join(f"{value:.0f} MB" for value in memory))


if __name__ == "__main__":
    main()
