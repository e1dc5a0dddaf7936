"""``python -m sysdive``."""

import sys

from sysdive.cli.main import main

sys.exit(main())
