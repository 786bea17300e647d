"""``make bench``: run every ``bench/bench_*.py`` (or those named on the command line).

Each module has ``main()`` and prints its timings as ratios against a bare baseline measured
in the same run, since these machines are noisy.
"""

import importlib
import pkgutil
import sys
from pathlib import Path


def main() -> int:
    wanted = sys.argv[1:]
    names = sorted(m.name for m in pkgutil.iter_modules([str(Path(__file__).parent)]) if m.name.startswith("bench_"))
    for name in names:
        if wanted and not any(w in name for w in wanted):
            continue
        print(f"== {name}", flush=True)
        importlib.import_module(f"bench.{name}").main()
    return 0


if __name__ == "__main__":
    sys.exit(main())
