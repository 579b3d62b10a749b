"""`python -m pipeline …`: the `tracuu` command line (see `pipeline.cli`)."""

import sys

from pipeline.cli import main

sys.exit(main())
