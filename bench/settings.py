"""Settings for the benchmarks: the production settings, with static files collected in /tmp.

Production serves static files through WhiteNoise's manifest storage, which needs
`collectstatic`; the benchmarks collect into BENCH_STATIC_ROOT so they never write into the
project. Everything else comes from the environment, as in production.
"""

import os
from pathlib import Path

from iop_finder.settings import *  # noqa: F403

STATIC_ROOT = Path(os.environ.get("BENCH_STATIC_ROOT", "/tmp/iop_bench_static"))
