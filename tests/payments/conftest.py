"""A Stripe-compatible server for the payments tests, and the application under a real server for its webhooks."""

import base64
import socket
import subprocess
import sys
import threading
import time
import urllib.request
from pathlib import Path

import pytest
from werkzeug.serving import make_server

SECRET_KEY = "sk_test_pasar_koperasi"
WEBHOOK_SECRET = "whsec_test_pasar_koperasi"


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture(scope="session")
def localstripe():
    port = _free_port()
    process = subprocess.Popen([sys.executable, str(Path(__file__).with_name("localstripe_server.py")), str(port)],
                               stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    url = f"http://127.0.0.1:{port}"
    for _ in range(100):
        try:
            urllib.request.urlopen(f"{url}/v1/customers", timeout=1)
        except urllib.error.HTTPError:
            break  # it answers (401 without a key): up
        except OSError:
            time.sleep(0.1)
    yield url
    process.terminate()
    process.wait(timeout=10)


@pytest.fixture(scope="session")
def webhook_server(session_app):
    server = make_server("127.0.0.1", 0, session_app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}"
    server.shutdown()


@pytest.fixture
def stripe_app(app, localstripe):
    """The application configured for card payments against localstripe, whose store and webhooks are emptied
    first."""
    app.config.update(STRIPE_SECRET_KEY=SECRET_KEY, STRIPE_PUBLISHABLE_KEY="pk_test_pasar",
                      STRIPE_WEBHOOK_SECRET=WEBHOOK_SECRET, STRIPE_API_BASE=localstripe, TRUSTED_HOSTS=None)
    for path in ("/_config/data", "/_config/webhooks"):
        request = urllib.request.Request(f"{localstripe}{path}", method="DELETE")
        request.add_header("Authorization", "Basic " + base64.b64encode(f"{SECRET_KEY}:".encode()).decode())
        urllib.request.urlopen(request, timeout=5)
    return app
