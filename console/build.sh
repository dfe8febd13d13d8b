#!/usr/bin/env bash
# Builds the staff console into console/dist (served by the API under /console/) when anything
# it is built from changed: `npm ci` from package-lock.json when the lock changed, then the
# GraphQL types (scripts/codegen.mjs), the type check and `vite build`. Used by make run/test.
set -euo pipefail
cd "$(dirname "$0")"
if ! command -v npm >/dev/null 2>&1; then
  echo "npm not found: install Node.js 20+ with npm 10+ to build the staff console (console/)." >&2
  exit 1
fi
sources=(package.json package-lock.json index.html vite.config.ts tsconfig.json scripts/codegen.mjs
  ../graphql/schema.graphql ../graphql/operations/console.graphql)
mapfile -t code < <(find src public -path src/gql -prune -o -type f -print 2>/dev/null | sort)
hash=$(cat "${sources[@]}" "${code[@]}" | sha256sum | cut -d' ' -f1)
stamp=node_modules/.console-build
if [ -f dist/index.html ] && [ "$(cat "$stamp" 2>/dev/null)" = "$hash" ]; then
  exit 0
fi
if [ ! -f node_modules/.package-lock.json ] || ! cmp -s package-lock.json node_modules/.lock-installed; then
  echo "==> console: npm ci (from package-lock.json)"
  npm ci --no-audit --no-fund --loglevel=error
  cp package-lock.json node_modules/.lock-installed
fi
echo "==> console: GraphQL types, type check, vite build"
npm run --silent build >/dev/null
echo "$hash" >"$stamp"
