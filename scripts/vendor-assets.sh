#!/usr/bin/env bash
# Refresh the vendored front-end libraries from the npm registry at the versions pinned in
# atlas/assets/vendor/package.json (and package-lock.json), with their licences.
# Run it after changing a pinned version; the build itself never fetches anything.
set -euo pipefail
cd "$(dirname "$0")/.."
vendor=atlas/assets/vendor
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
cp "$vendor/package.json" "$work/"
[ -f "$vendor/package-lock.json" ] && cp "$vendor/package-lock.json" "$work/"
(cd "$work" && if [ -f package-lock.json ]; then npm ci --ignore-scripts --no-audit --no-fund; else npm install --ignore-scripts --no-audit --no-fund; fi)
cp "$work/package-lock.json" "$vendor/"
cp "$work/node_modules/sigma/dist/sigma.min.js" "$vendor/sigma.min.js"
cp "$work/node_modules/sigma/LICENSE.txt" "$vendor/sigma.LICENSE.txt"
cp "$work/node_modules/graphology/dist/graphology.umd.min.js" "$vendor/graphology.umd.min.js"
cp "$work/node_modules/graphology/LICENSE.txt" "$vendor/graphology.LICENSE.txt"
{
  echo "Vendored front-end libraries (from the npm registry; see package-lock.json for integrity hashes):"
  for name in sigma graphology; do
    echo "- $name $(node -p "require('$work/node_modules/$name/package.json').version") ($(node -p "require('$work/node_modules/$name/package.json').license"))"
  done
} > "$vendor/VERSIONS.txt"
echo "vendored into $vendor"
