"""``python -m credgraph`` runs the command-line interface."""

import sys

from credgraph.cli import main

sys.exit(main())
