#!/usr/bin/env bash
# Prints a client-credentials token that the stub at $URL's token endpoint issues for the fixtures' backend client.
# Usage: URL=http://127.0.0.1:4010 .ci/issue-token.sh > token
set -euo pipefail
curl -fsS -X POST "${URL:?}/oauth/access_token" \
  -d 'grant_type=client_credentials&client_id=demo-backend&client_secret=demo-backend-secret' |
  node -e "process.stdout.write(JSON.parse(require('node:fs').readFileSync(0, 'utf8')).access_token)"
