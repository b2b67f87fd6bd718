"""`make bench`: run the benchmark suites; `--suite NAME` for one, `--large` for big runs, `--seconds N`."""

from __future__ import annotations

import argparse
from collections.abc import Callable

from tests.bench import crm, events, foundation, imports, tenancy, web

SUITES: dict[str, Callable[[argparse.Namespace], None]] = {
    "foundation": lambda args: foundation.run(args.seconds),
    "tenancy": lambda args: tenancy.run(args.seconds, large=args.large),
    "events": lambda args: events.run(args.seconds),
    "crm": lambda args: crm.run(args.seconds, large=args.large, workers=args.workers),
    "import": lambda args: imports.run(args.seconds, large=args.large),
    "web": lambda args: web.run(args.seconds, large=args.large),
}


def main() -> None:
    parser = argparse.ArgumentParser(prog="make bench")
    parser.add_argument("--large", action="store_true", help="also run the large data sets")
    parser.add_argument("--seconds", type=float, default=10.0, help="measured seconds per load test")
    parser.add_argument(
        "--workers", type=int, default=1, help="API worker processes for the crm suite (default: 1)"
    )
    parser.add_argument("--suite", choices=sorted(SUITES), help="run only this suite (default: all)")
    args = parser.parse_args()
    for name, suite in SUITES.items():
        if args.suite in (None, name):
            suite(args)


if __name__ == "__main__":
    main()
