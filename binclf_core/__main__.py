import sys

from binclf_core.cli import main

sys.exit(main())
