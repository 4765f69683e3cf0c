#!/usr/bin/env bash
# The browser tests drive Debian's Chromium (with a CJK font so screenshots show Japanese).
# Install them where we may (root with apt-get); elsewhere say so, and those tests skip with this reason.
set -u
have_font() { fc-list 2>/dev/null | grep -qi "noto.*cjk"; }
if { command -v chromium >/dev/null 2>&1 || [ -x /usr/bin/chromium ]; } && have_font; then
  exit 0
fi
if [ "$(id -u)" = "0" ] && command -v apt-get >/dev/null 2>&1; then
  echo "installing Debian chromium, chromium-driver and fonts-noto-cjk for the browser tests"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq >/dev/null && apt-get install -y -qq chromium chromium-driver fonts-noto-cjk >/dev/null \
    || echo "could not install chromium: browser tests will be skipped"
else
  echo "chromium is not installed and cannot be installed here (needs root and apt-get): browser tests will be skipped"
fi
exit 0
