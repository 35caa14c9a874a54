"""CI: generate a Python client (openapi-python-client) and TypeScript types (openapi-typescript) from the
document the app serves, and fail on any generator warning or any operation missing from either output.

Run with the project's interpreter: ``python .ci/openapi_clients.py <python-client-venv> <node-dir>``; the
generators are installed by ``.ci/run`` apart from the project's own environment.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
import tempfile
from pathlib import Path

#: Downloads whose media types the Python generator does not know: treat them as bytes.
CONFIG = {
    "post_hooks": [],
    "content_type_overrides": {
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet": "application/octet-stream",
        "application/atom+xml": "application/octet-stream",
        "application/feed+json": "application/json",
        "text/calendar; charset=utf-8": "application/octet-stream",
        "text/csv; charset=utf-8": "application/octet-stream",
        "text/event-stream": "application/octet-stream",
    },
}


def served_document() -> dict:
    scratch = Path(tempfile.mkdtemp(prefix="quntuan-openapi-"))
    os.environ.setdefault("QUNTUAN_DATABASE_URL", f"sqlite:///{scratch / 'quntuan.db'}")
    from litestar.testing import TestClient

    from core.kernel.app import create_app

    with TestClient(create_app()) as client:
        response = client.get("/schema/openapi.json")
        response.raise_for_status()
        return response.json()  # type: ignore[no-any-return]


def main() -> int:
    generator_venv, node_dir = Path(sys.argv[1]), Path(sys.argv[2])
    document = served_document()
    operations = {
        o["operationId"]
        for item in document["paths"].values()
        for method, o in item.items()
        if method in {"get", "put", "post", "delete", "patch"}
    }
    work = Path(tempfile.mkdtemp(prefix="quntuan-clients-"))
    spec = work / "openapi.json"
    spec.write_text(json.dumps(document, ensure_ascii=False))
    config = work / "config.json"
    config.write_text(json.dumps(CONFIG))
    failures: list[str] = []

    python = subprocess.run(  # noqa: S603 - our own generator, our own paths
        [str(generator_venv / "bin" / "openapi-python-client"), "generate", "--path", str(spec),
         "--output-path", str(work / "py"), "--meta", "none", "--config", str(config)],
        capture_output=True, text=True, check=False,
    )  # fmt: skip
    output = python.stdout + python.stderr
    if python.returncode != 0 or re.search(r"^(WARNING|Cannot|Unable|Error)", output, re.M):
        failures.append("openapi-python-client:\n" + output)
    generated = {p.stem for p in (work / "py" / "api").rglob("*.py") if p.stem != "__init__"}
    snake = {re.sub(r"(?<!^)(?=[A-Z])", "_", o).lower() for o in operations}
    if missing := sorted(snake - generated):
        failures.append(f"operations dropped from the Python client: {missing}")

    types = work / "api.d.ts"
    typescript = subprocess.run(  # noqa: S603 - our own generator, our own paths
        [str(node_dir / "node_modules" / ".bin" / "openapi-typescript"), str(spec), "-o", str(types)],
        capture_output=True, text=True, check=False,
    )  # fmt: skip
    if typescript.returncode != 0 or "warn" in (typescript.stdout + typescript.stderr).lower():
        failures.append("openapi-typescript:\n" + typescript.stdout + typescript.stderr)
    elif missing_ts := sorted(
        o for o in operations if not re.search(rf"^\s+{o}: {{", types.read_text(), re.M)
    ):
        failures.append(f"operations missing from the TypeScript types: {missing_ts}")

    print(f"{len(operations)} operations; Python client modules {len(generated)}; TypeScript types written")
    for failure in failures:
        print(failure, file=sys.stderr)
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
