"""`make bench`: run every benchmark suite; `--large` for the big data sets, `--seconds N` per load."""

from __future__ import annotations

import argparse

from tests.bench import foundation


def main() -> None:
    parser = argparse.ArgumentParser(prog="make bench")
    parser.add_argument("--large", action="store_true", help="also run the large data sets")
    parser.add_argument("--seconds", type=float, default=10.0, help="measured seconds per load test")
    args = parser.parse_args()
    foundation.run(args.seconds)


if __name__ == "__main__":
    main()
