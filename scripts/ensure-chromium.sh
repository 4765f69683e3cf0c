#!/usr/bin/env bash
# The browser tests drive Debian's Chromium. Install it where we may (root with apt-get);
# elsewhere say so, and those tests skip with this reason.
set -u
if command -v chromium >/dev/null 2>&1 || [ -x /usr/bin/chromium ]; then
  exit 0
fi
if [ "$(id -u)" = "0" ] && command -v apt-get >/dev/null 2>&1; then
  echo "installing Debian chromium and chromium-driver for the browser tests"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq >/dev/null && apt-get install -y -qq chromium chromium-driver >/dev/null \
    || echo "could not install chromium: browser tests will be skipped"
else
  echo "chromium is not installed and cannot be installed here (needs root and apt-get): browser tests will be skipped"
fi
exit 0
