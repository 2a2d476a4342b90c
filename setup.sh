#!/usr/bin/env bash
# Set up presscut on a fresh machine: the package with its test tools, and Chromium for the
# browser tests of the leaderboard and review pages (Debian's package; skipped where apt is absent).
set -euo pipefail
cd "$(dirname "$0")"
python3 -m pip install --quiet --upgrade pip
python3 -m pip install --quiet -e ".[dev]"
if ! command -v chromium >/dev/null 2>&1 && command -v apt-get >/dev/null 2>&1 && [ "$(id -u)" = 0 ]; then
  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null
fi
