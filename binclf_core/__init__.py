"""binclf_core: the playground's PyTorch engine. It never imports streamlit.

torch uses one thread in every thread that trains (binclf_core/threads.py says why). numpy's BLAS
gets one thread too: on a busy 2-core server its threads spun against each other, and the
boundary picture's 180x60 matrix product took 6.6 ms instead of 0.1 ms.
"""

from threadpoolctl import threadpool_limits

from binclf_core.threads import use_engine_threads

use_engine_threads()
threadpool_limits(1, user_api="blas")
