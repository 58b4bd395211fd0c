#!/usr/bin/env bash
# Checks the docs mode of the stub at $URL: the landing page, the console and one of its assets, the document
# as JSON and as YAML, each answering 200 with its content type.
# Usage: URL=http://127.0.0.1:4010 .ci/docs-mode.sh
set -euo pipefail
check() { # path, expected content type
  local type
  type=$(curl -fsS -o /dev/null -w '%{content_type}' "${URL:?}$1") || { echo "docs mode on $URL: GET $1 failed" >&2; exit 1; }
  case $type in *"$2"*) ;; *) echo "docs mode on $URL: GET $1 answered $type, not $2" >&2; exit 1 ;; esac
}
check / text/html
check /docs text/html
check /docs/static/swagger-ui-bundle.js javascript
check /openapi.json application/json
check /openapi.yaml yaml
echo "docs mode on $URL: /, /docs, a console asset, /openapi.json and /openapi.yaml answer 200"
