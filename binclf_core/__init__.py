"""binclf_core: the playground's PyTorch engine. It never imports streamlit.

The tensors here are tiny, so torch uses one thread unless BINCLF_TORCH_THREADS says otherwise:
with two threads, a 500-epoch run took 6.9 s instead of 0.22 s when another process was busy.
"""

import os

import torch

torch.set_num_threads(int(os.environ.get("BINCLF_TORCH_THREADS", "1")))
