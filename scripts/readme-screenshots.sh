#!/usr/bin/env bash
# Refreshes the README's page screenshots from the e2e run's artefacts:
#   make e2e && scripts/readme-screenshots.sh
# The e2e tests drive each page through its flow in headless Chromium and save
# a full-page screenshot (tests/e2e-artifacts/, gitignored); this copies the
# three the README shows into www/shared/screenshots/ (committed).
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
src=tests/e2e-artifacts
dst=www/shared/screenshots
mkdir -p "$dst"
for name in playground checkout portal; do
    [[ -f "$src/$name.png" ]] || { echo "readme-screenshots: $src/$name.png missing: run make e2e first" >&2; exit 1; }
    cp "$src/$name.png" "$dst/$name.png"
    echo "readme-screenshots: $dst/$name.png ($(wc -c <"$dst/$name.png") bytes)"
done
