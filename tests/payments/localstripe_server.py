"""localstripe on 127.0.0.1 only (its own command listens on every interface), keeping its state in memory: each
test run has its own, and nothing is left in /tmp."""

import sys

from aiohttp import web
from localstripe import resources, webhooks
from localstripe.server import app

resources.Store.dump_to_disk = lambda self: None  # its one fixed file would be shared by every run


async def forget_webhooks(request):
    """Without this a webhook one test registers would keep posting events of later tests to its server."""
    webhooks._webhooks.clear()
    return web.Response()


app.router.add_delete("/_config/webhooks", forget_webhooks)

if __name__ == "__main__":
    web.run_app(app, host="127.0.0.1", port=int(sys.argv[1]), print=None)
