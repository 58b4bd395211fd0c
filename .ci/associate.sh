#!/usr/bin/env bash
# Associates Acme Corp with demo-cart-empty on the stub at $URL and checks the answer's status.
# Usage: URL=http://127.0.0.1:4010 [TOKEN=…] .ci/associate.sh <expected status>   (200 the first time, 204 after)
# TOKEN, the bearer token sent, is the fixtures' pinned client-credentials token when unset.
set -euo pipefail
expected=${1:?expected status}
status=$(curl -sS -o /dev/null -w '%{http_code}' -X POST "${URL:?}/v2/carts/demo-cart-empty/relationships/accounts" \
  -H "Authorization: Bearer ${TOKEN-demo-client-credentials-token}" -H 'Content-Type: application/json' \
  -d '{"data":[{"type":"account","id":"a0000000-0000-4000-8000-000000000001"}]}')
if [ "$status" != "$expected" ]; then
  echo "association on $URL: expected $expected, got $status" >&2
  exit 1
fi
echo "association on $URL: $status, as expected"
