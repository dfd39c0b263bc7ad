"""localstripe on 127.0.0.1 only (its own command listens on every interface), keeping its state in memory: each
test run has its own, and nothing is left in /tmp."""

import sys

from aiohttp import web
from localstripe import resources
from localstripe.server import app

resources.Store.dump_to_disk = lambda self: None  # its one fixed file would be shared by every run

if __name__ == "__main__":
    web.run_app(app, host="127.0.0.1", port=int(sys.argv[1]), print=None)
