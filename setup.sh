#!/usr/bin/env bash
# Set up presscut on a fresh machine: the package with its test tools and peer libraries, and
# Chromium for the browser tests of the leaderboard and review pages (Debian's package;
# skipped where apt is absent).
set -euo pipefail
cd "$(dirname "$0")"
python3 -m pip install --quiet --upgrade pip
# peers: the libraries the default board's peer rows run (datatrove's C4/Gopher/FineWeb line
# filters, trafilatura; and the HTML extractors of `presscut baselines html-refs`)
echo "setup.sh: installing presscut with its test tools and the peers (pip install -e .[dev,peers])"
python3 -m pip install --quiet -e ".[dev,peers]"
if ! command -v chromium >/dev/null 2>&1 && command -v apt-get >/dev/null 2>&1 && [ "$(id -u)" = 0 ]; then
  echo "setup.sh: installing Debian's chromium for the browser tests (apt-get)"
  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null
  echo "setup.sh: chromium installed"
fi
