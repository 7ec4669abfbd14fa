"""A bounded load test: ``clients`` concurrent HTTP clients (asyncio + httpx) request one path on
a server on 127.0.0.1 for ``seconds``; prints requests/s, p50, p99 and the non-2xx / failed
count. Refuses any host but the loopback.

Run alone: ``.venv/bin/python bench/loadtest.py http://127.0.0.1:5000/login --clients 50
--seconds 60 [--cookie name=value]``.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import time
from typing import Any
from urllib.parse import urlsplit

import httpx

LOOPBACK = {"127.0.0.1", "localhost", "::1"}


async def _client(client: httpx.AsyncClient, url: str, deadline: float, latencies: list[float],
                  failures: list[str]) -> None:
    while time.perf_counter() < deadline:
        started = time.perf_counter()
        try:
            response = await client.get(url)
            await response.aread()
            if not 200 <= response.status_code < 300:
                failures.append(str(response.status_code))
        except httpx.HTTPError as exc:
            failures.append(type(exc).__name__)
        latencies.append(time.perf_counter() - started)


async def load(url: str, *, clients: int, seconds: float,
               cookies: dict[str, str] | None = None, headers: dict[str, str] | None = None
               ) -> dict[str, Any]:
    """Hammer ``url`` with ``clients`` concurrent clients for ``seconds``."""
    host = urlsplit(url).hostname or ""
    if host not in LOOPBACK:
        raise SystemExit(f"load tests run against the loopback only, not {host!r}")
    latencies: list[float] = []
    failures: list[str] = []
    limits = httpx.Limits(max_connections=clients, max_keepalive_connections=clients)
    async with httpx.AsyncClient(limits=limits, timeout=30.0, cookies=cookies,
                                 headers=headers) as client:
        started = time.perf_counter()
        deadline = started + seconds
        await asyncio.gather(*(_client(client, url, deadline, latencies, failures)
                               for _ in range(clients)))
        elapsed = time.perf_counter() - started
    latencies.sort()

    def pct(p: float) -> float:
        if not latencies:
            return float("nan")
        return latencies[min(len(latencies) - 1, int(p * len(latencies)))]

    return {"requests": len(latencies), "seconds": elapsed, "rps": len(latencies) / elapsed,
            "p50": pct(0.50), "p99": pct(0.99), "failures": len(failures),
            "failure_kinds": sorted(set(failures))[:5]}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("url")
    parser.add_argument("--clients", type=int, default=50)
    parser.add_argument("--seconds", type=float, default=60)
    parser.add_argument("--cookie", action="append", default=[])
    args = parser.parse_args()
    cookies = dict(item.split("=", 1) for item in args.cookie)
    print(json.dumps(asyncio.run(load(args.url, clients=args.clients, seconds=args.seconds,
                                      cookies=cookies))))


if __name__ == "__main__":
    main()
