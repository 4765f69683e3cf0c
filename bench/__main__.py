"""`python -m bench` (also `make bench`): our endpoint against oxigraph and rdflib-endpoint on the same data."""

import sys

from bench.throughput import main

sys.exit(main())
