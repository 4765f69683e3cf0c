"""`python -m bench` (also `make bench`): our endpoint against `oxigraph serve` on the same data."""

import sys

from bench.compare_oxigraph import main

sys.exit(main())
