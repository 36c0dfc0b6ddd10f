"""binclf_core: the playground's PyTorch engine. It never imports streamlit.

The tensors here are tiny, so torch uses one thread unless BINCLF_TORCH_THREADS says otherwise:
with two threads, a 500-epoch run took 6.9 s instead of 0.22 s when another process was busy.
numpy's BLAS gets one thread too: on a busy 2-core server its threads spun against each other,
and the boundary picture's 180x60 matrix product took 6.6 ms instead of 0.1 ms.
"""

import os

import torch
from threadpoolctl import threadpool_limits

torch.set_num_threads(int(os.environ.get("BINCLF_TORCH_THREADS", "1")))
threadpool_limits(1, user_api="blas")
