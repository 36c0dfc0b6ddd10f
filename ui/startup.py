"""Once per server process: torch warmed up, the imports frozen for the GC.

(binclf_core itself sets torch to one thread on import.)
"""

from __future__ import annotations

import gc
import threading
import time

import streamlit as st

from binclf_core.config import RunConfig
from binclf_core.training import TrainingRun

WARM_UP_DELAY_SECONDS = 0.3  # after the first page run ends: the browser draws it on a core of its own


def _warm_up_torch() -> None:
    """The first optimizer of a process imports torch._dynamo (~1 s): pay that before the first Train.

    It waits a moment first, for the first page's messages to leave; the browser draws them in a
    process of its own. (It waited 2.5 s: a Train pressed as soon as the page showed then waited
    1.4-1.9 s for this import, bench/bench_wait.py; with 0.3 s, 1.2 s.)
    """
    time.sleep(WARM_UP_DELAY_SECONDS)
    for optimizer in ("sgd", "adam"):
        TrainingRun(RunConfig(optimizer=optimizer, model="mlp", epochs=2)).step(2)


@st.cache_resource(show_spinner=False)
def prepare_process() -> None:
    """Once, before the first page: the imports' objects leave the collector's generations, so each
    of Python's own collections (runner.postScriptGC is off) scans far fewer objects."""
    gc.freeze()


@st.cache_resource(show_spinner=False)
def warm_up_after_first_page() -> None:
    """Called at the end of the first page run, so the ~1 s import holds no page up, only a later Train."""
    threading.Thread(target=_warm_up_torch, name="torch-warm-up", daemon=True).start()
