"""``python -m sysdive``."""

import sys

from sysdive.cli.entry import main

sys.exit(main())
