"""`make bench`: run every benchmark module and print its comparisons."""

from __future__ import annotations

import importlib
import sys

BENCHMARKS = (
    "bench.outbox",
    "bench.webhooks",
    "bench.checkout",
    "bench.storefront",
    "bench.writeback",
    "bench.admin",
)


def main() -> int:
    for module_name in BENCHMARKS:
        for comparison in importlib.import_module(module_name).run():
            sys.stdout.write(comparison.line() + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
