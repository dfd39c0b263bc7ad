"""What one accepted upload costs a worker: CPU seconds and peak memory to check, clean and store the worst
pictures the limits let through. Each case runs in a fresh process, so its peak memory is its own.

    python -m bench.upload_cost            # prints one JSON line per case
"""

import io
import json
import math
import os
import re
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

CASES = {
    # name: (format, width, height)
    "PNG at the pixel limit": ("PNG", None, None),
    "JPEG 6000×4000 camera photo": ("JPEG", 6000, 4000),
    "JPEG 3000×4000 portrait": ("JPEG", 3000, 4000),
}


def _picture(format_name: str, width: int, height: int) -> bytes:
    from PIL import Image, ImageDraw

    image = Image.new("RGB", (width, height), (200, 120, 40))
    ImageDraw.Draw(image).ellipse([width // 4, height // 4, width // 2, height // 2], fill=(20, 90, 60))
    buffer = io.BytesIO()
    image.save(buffer, format_name)
    return buffer.getvalue()


def measure_one(name: str) -> dict:
    os.environ.setdefault("INSTANCE_PATH", tempfile.mkdtemp(prefix="pasar-upload-"))
    from marketplace import create_app
    from marketplace.catalog.services.images import PRODUCT_IMAGE_WIDTHS
    from marketplace.config import TestingConfig
    from marketplace.core.images import store_image

    app = create_app(type("UploadBench", (TestingConfig,), {"SQLALCHEMY_DATABASE_URI": "sqlite://"}))
    format_name, width, height = CASES[name]
    if width is None:  # the largest square the limit accepts
        width = height = math.isqrt(app.config["IMAGE_MAX_PIXELS"])
    data = _picture(format_name, width, height)
    with app.app_context():
        before = resource.getrusage(resource.RUSAGE_SELF)
        started = time.perf_counter()
        store_image(data, prefix="bench", widths=PRODUCT_IMAGE_WIDTHS)
        elapsed = time.perf_counter() - started
        after = resource.getrusage(resource.RUSAGE_SELF)
    status = Path("/proc/self/status").read_text()
    peak = int(re.search(r"VmHWM:\s+(\d+) kB", status).group(1)) / 1024
    return {"case": name, "pixels": width * height, "file_kb": round(len(data) / 1024),
            "seconds": round(elapsed, 2), "cpu_seconds": round(after.ru_utime + after.ru_stime
                                                                - before.ru_utime - before.ru_stime, 2),
            "peak_mb": round(peak)}


def measure_all() -> list[dict]:
    results = []
    for name in CASES:
        output = subprocess.run([sys.executable, "-m", "bench.upload_cost", name], capture_output=True, text=True,
                                check=True, cwd=Path(__file__).resolve().parent.parent).stdout
        results.append(json.loads(output.strip().splitlines()[-1]))
    return results


if __name__ == "__main__":
    if len(sys.argv) > 1:
        print(json.dumps(measure_one(sys.argv[1]), ensure_ascii=False))
    else:
        for result in measure_all():
            print(json.dumps(result, ensure_ascii=False))
