import sys

from binclf_core.cli.main import main

sys.exit(main())
