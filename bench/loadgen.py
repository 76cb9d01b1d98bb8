"""A small HTTP load generator: threads over keep-alive connections for a fixed time.

Run as its own process by the API benchmark (so it does not share the benchmark's GIL):
    python bench/loadgen.py --port P --path /api/v1/deals?page_size=50 --seconds 5 \
        [--method POST --body '{"title": "Deal {n}"}'] [--header 'Authorization: Bearer …']
Prints one JSON object: clients, requests, errors, statuses, seconds, rps, p50_ms, p99_ms.
"""

from __future__ import annotations

import argparse
import http.client
import json
import math
import threading
import time


def _percentile(values: list[float], fraction: float) -> float:
    ordered = sorted(values)
    rank = max(1, min(len(ordered), math.ceil(fraction * len(ordered))))
    return ordered[rank - 1]


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--path", required=True)
    parser.add_argument("--method", default="GET")
    parser.add_argument("--body", default="")
    parser.add_argument("--header", action="append", default=[])
    parser.add_argument("--threads", type=int, default=8)
    parser.add_argument("--seconds", type=float, default=5.0)
    parser.add_argument("--warmup", type=float, default=1.0)
    args = parser.parse_args()
    headers = dict(h.split(": ", 1) for h in args.header)
    if args.body:
        headers["Content-Type"] = "application/json"
    latencies: list[list[float]] = [[] for _ in range(args.threads)]
    statuses: list[dict[int, int]] = [{} for _ in range(args.threads)]
    errors = [0] * args.threads
    start = time.perf_counter()
    measure_from = start + args.warmup
    stop = measure_from + args.seconds

    def worker(index: int) -> None:
        conn = http.client.HTTPConnection(args.host, args.port, timeout=30)
        n = 0
        while True:
            now = time.perf_counter()
            if now >= stop:
                break
            n += 1
            body = args.body.replace("{n}", f"{index}-{n}").encode() if args.body else None
            try:
                conn.request(args.method, args.path, body=body, headers=headers)
                response = conn.getresponse()
                response.read()
                status = response.status
            except (OSError, http.client.HTTPException):
                errors[index] += 1
                conn.close()
                conn = http.client.HTTPConnection(args.host, args.port, timeout=30)
                continue
            done = time.perf_counter()
            if now >= measure_from and done <= stop:
                latencies[index].append(done - now)
                statuses[index][status] = statuses[index].get(status, 0) + 1
                if status >= 400:
                    errors[index] += 1
        conn.close()

    threads = [threading.Thread(target=worker, args=(i,)) for i in range(args.threads)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    flat = [x for chunk in latencies for x in chunk]
    merged: dict[int, int] = {}
    for s in statuses:
        for k, v in s.items():
            merged[k] = merged.get(k, 0) + v
    print(
        json.dumps(
            {
                "clients": args.threads,
                "requests": len(flat),
                "errors": sum(errors),
                "statuses": merged,
                "seconds": args.seconds,
                "rps": len(flat) / args.seconds,
                "p50_ms": _percentile(flat, 0.5) * 1000 if flat else None,
                "p99_ms": _percentile(flat, 0.99) * 1000 if flat else None,
            }
        )
    )


if __name__ == "__main__":
    main()
