"""Drive load with wrk (a separate, native process on loopback) and read its figures.

Every response's status is checked: a Lua ``response`` hook counts statuses other than the expected
ones, and a run with any is reported as an error, not a result.
"""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

_LUA = r"""
local expected = {%(expected)s}
local bodies = %(bodies)s
counter = 0
unexpected = 0
statuses = {}
local threads = {}

function setup(thread)
  table.insert(threads, thread)
end

function init(args)
  unexpected = 0
  statuses = {}
end

request = function()
  counter = counter + 1
  local headers = %(headers)s
  if #bodies > 0 then
    local body = bodies[(counter %% #bodies) + 1]
    return wrk.format("%(method)s", nil, headers, body)
  end
  return wrk.format("%(method)s", nil, headers, nil)
end

response = function(status, headers, body)
  if not expected[status] then
    unexpected = unexpected + 1
  end
  statuses[status] = (statuses[status] or 0) + 1
end

function done(summary, latency, requests)
  local total_unexpected = 0
  local merged = {}
  for _, thread in ipairs(threads) do
    total_unexpected = total_unexpected + thread:get("unexpected")
    local s = thread:get("statuses")
    for k, v in pairs(s) do merged[k] = (merged[k] or 0) + v end
  end
  local parts = {}
  for k, v in pairs(merged) do table.insert(parts, string.format('"%%d": %%d', k, v)) end
  io.write(string.format(
    'WRKJSON {"requests": %%d, "duration_us": %%d, "errors": %%d, "unexpected": %%d, ' ..
    '"p50_us": %%d, "p99_us": %%d, "statuses": {%%s}}\n',
    summary.requests, summary.duration,
    summary.errors.connect + summary.errors.read + summary.errors.write + summary.errors.timeout,
    total_unexpected, latency:percentile(50), latency:percentile(99), table.concat(parts, ", ")))
end
"""


@dataclass
class LoadResult:
    requests: int
    seconds: float
    errors: int
    unexpected: int
    p50_ms: float
    p99_ms: float
    statuses: dict[str, int] = field(default_factory=dict)

    @property
    def rps(self) -> float:
        return self.requests / self.seconds if self.seconds else 0.0

    @property
    def ok(self) -> bool:
        return self.errors == 0 and self.unexpected == 0 and self.requests > 0

    @classmethod
    def merged(cls, *parts: LoadResult) -> LoadResult:
        """Several runs as one: counts and time added, p50 the mean of the parts', p99 the worst part's."""
        statuses: dict[str, int] = {}
        for part in parts:
            for status, count in part.statuses.items():
                statuses[status] = statuses.get(status, 0) + count
        return cls(
            requests=sum(p.requests for p in parts),
            seconds=sum(p.seconds for p in parts),
            errors=sum(p.errors for p in parts),
            unexpected=sum(p.unexpected for p in parts),
            p50_ms=sum(p.p50_ms for p in parts) / len(parts),
            p99_ms=max(p.p99_ms for p in parts),
            statuses=statuses,
        )


def _lua_string(value: str) -> str:
    return "[==[" + value + "]==]"


def ensure_wrk() -> str:
    path = shutil.which("wrk")
    if path:
        return path
    subprocess.run(["apt-get", "update", "-q"], check=False, capture_output=True)
    subprocess.run(["apt-get", "install", "-y", "-q", "wrk"], check=True, capture_output=True)
    path = shutil.which("wrk")
    if not path:
        raise RuntimeError("wrk could not be installed (Debian package wrk)")
    return path


def run_wrk(
    url: str,
    *,
    seconds: int = 10,
    connections: int = 32,
    threads: int = 1,
    method: str = "GET",
    headers: dict[str, str] | None = None,
    bodies: list[str] | None = None,
    expected: tuple[int, ...] = (200,),
) -> LoadResult:
    """Load ``url`` for ``seconds`` with ``connections`` keep-alive connections; statuses are checked."""
    wrk = ensure_wrk()
    headers = {"Accept": "application/json", **(headers or {})}
    if bodies:
        headers.setdefault("Content-Type", "application/json")
    lua = _LUA % {
        "expected": ", ".join(f"[{code}] = true" for code in expected),
        "bodies": "{" + ", ".join(_lua_string(b) for b in (bodies or [])) + "}",
        "headers": "{"
        + ", ".join(f"[ {_lua_string(k)} ] = {_lua_string(v)}" for k, v in headers.items())
        + "}",
        "method": method,
    }
    with tempfile.NamedTemporaryFile("w", suffix=".lua", delete=False) as script:
        script.write(lua)
    try:
        out = subprocess.run(
            [
                wrk,
                f"-t{threads}",
                f"-c{connections}",
                f"-d{seconds}s",
                "--timeout",
                "10s",
                "-s",
                script.name,
                url,
            ],
            check=True,
            capture_output=True,
            text=True,
        ).stdout
    finally:
        Path(script.name).unlink(missing_ok=True)
    match = re.search(r"WRKJSON (\{.*\})", out)
    if not match:
        raise RuntimeError(f"wrk printed no figures:\n{out}")
    data = json.loads(match.group(1))
    return LoadResult(
        requests=data["requests"],
        seconds=data["duration_us"] / 1e6,
        errors=data["errors"],
        unexpected=data["unexpected"],
        p50_ms=data["p50_us"] / 1000,
        p99_ms=data["p99_us"] / 1000,
        statuses=data["statuses"],
    )
