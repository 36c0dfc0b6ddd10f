"""One torch thread in every thread that trains or evaluates, as in the exported script.

torch's intra-op pool size is a setting of each OS thread: `torch.set_num_threads(1)` in the main
thread does not reach the threads Streamlit starts for its script runs, nor the frame producer's,
and a pool of another size may sum in another order (a run's last digits, sometimes a point's
predicted class, then differ from its exported script's). The tensors here are tiny, so one
thread is also the fastest: with two, a 500-epoch run took 6.9 s instead of 0.22 s when another
process was busy. BINCLF_TORCH_THREADS overrides the size.
"""

from __future__ import annotations

import os
import threading

import torch

TORCH_THREADS = int(os.environ.get("BINCLF_TORCH_THREADS", "1"))
_this_thread = threading.local()


def use_engine_threads() -> None:
    """Set torch's pool of the calling thread to TORCH_THREADS, once per thread (cheap after that)."""
    if getattr(_this_thread, "set", False):
        return
    torch.set_num_threads(TORCH_THREADS)
    _this_thread.set = True
