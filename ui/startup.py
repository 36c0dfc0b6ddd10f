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

WARM_UP_DELAY_SECONDS = 2.5  # after the browser has drawn the first page (~1 s after the script ends)


def _warm_up_torch() -> None:
    """The first optimizer of a process imports torch._dynamo (~1 s): pay that before the first Train.

    It waits first: the import holds the GIL and a core, which the first page's serving and the
    browser drawing it (on the same machine, in a workshop laptop's case) need more.
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
