#!/usr/bin/env bash
# The scale-out test (tests/test_scale_out.py) and `python -m bench.scale_out` put copies of our app in
# front of Debian's Virtuoso (virtuoso-opensource: virtuoso-t, isql-vt), each run starting its own.
# Install it where we may (root with apt-get; about 5 s with the package lists fresh); elsewhere say so,
# and the Virtuoso half of that test skips with this reason. Debian's package would also start a system
# server on ports 1111/8890, which nothing here uses: a policy-rc.d (where none exists) forbids it.
set -u
if command -v virtuoso-t >/dev/null 2>&1 && command -v isql-vt >/dev/null 2>&1; then
  exit 0
fi
if [ "$(id -u)" = "0" ] && command -v apt-get >/dev/null 2>&1; then
  echo "installing Debian virtuoso-opensource for the scale-out test"
  export DEBIAN_FRONTEND=noninteractive
  if [ ! -e /usr/sbin/policy-rc.d ]; then
    printf '#!/bin/sh\nexit 101\n' > /usr/sbin/policy-rc.d && chmod +x /usr/sbin/policy-rc.d
    trap 'rm -f /usr/sbin/policy-rc.d' EXIT
  fi
  if ! out=$(apt-get update -qq 2>&1 && apt-get install -y -qq virtuoso-opensource 2>&1); then
    printf '%s\n' "$out" | tail -n 5
    echo "could not install virtuoso-opensource: the scale-out test's Virtuoso half will be skipped"
  fi
else
  echo "virtuoso-t is not installed and cannot be installed here (needs root and apt-get):" \
       "the scale-out test's Virtuoso half will be skipped"
fi
exit 0
