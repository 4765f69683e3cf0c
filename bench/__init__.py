"""Benchmarks (not part of the test run): `python -m bench` compares our endpoint with `oxigraph serve`."""
