#!/bin/sh
# `npm run lint:imports` (and CI): fails on an import cycle in src/, on a component importing another
# (ARCHITECTURE.md: components never call each other; `kdp up` in src/cli wires them), and on a
# src/lib module importing a component (src/lib holds the leaf modules components share).
# The checker is the shared tools' import-graph.py beside the clone (../shared); IMPORT_GRAPH overrides.
set -eu
cd "$(dirname "$0")/.."
tool=${IMPORT_GRAPH:-../shared/tools/import-graph.py}
if [ ! -f "$tool" ]; then
  echo "lint:imports: $tool not found; set IMPORT_GRAPH to the path of import-graph.py" >&2
  exit 2
fi
status=0
python3 "$tool" src || status=1
if grep -rnE "from '\.\./(cli|controllers|coredns|ingress|kubeproxy|pods)/" src/lib --include='*.ts'; then
  echo "lint:imports: src/lib must not import a component (the lines above)" >&2
  status=1
fi
exit $status
