"""``python -m linters lint ...``: the linter without the service's command line."""

from __future__ import annotations

import sys

from linters.cli import run

if __name__ == "__main__":
    run(sys.argv[1:])
