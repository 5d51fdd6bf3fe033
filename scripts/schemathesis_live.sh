#!/usr/bin/env bash
# Fuzz the served REST API with every schemathesis check (issue 14 item 12), as an operator's
# staff and as the command centre's dispatcher; prints each run's summary; exits non-zero on
# any failure. Not part of `make test` (about 10 minutes per token): `make schemathesis-live`.
#
# What it does: a fresh demo (migrate + demo_setup) in its own directory, then the site served
# production-like (CITYOPS_DEBUG=0: JSON errors, no debug pages) by runserver on $PORT, two
# tokens (credential issue api_token), and `schemathesis run … --checks all` per token with the hooks
# of cityops/api/tests/fuzz_hooks.py and the expected statuses of schemathesis.toml.
# The REST throttles are raised for the run: a 429 is documented and accepted, but would
# leave the logic behind it untested.
#
#   scripts/schemathesis_live.sh                 # both tokens, default examples per operation
#   PORT=8622 MAX_EXAMPLES=50 scripts/schemathesis_live.sh
set -euo pipefail
cd "$(dirname "$0")/.."
PY=.venv/bin/python
PORT=${PORT:-8611}
MAX_EXAMPLES=${MAX_EXAMPLES:-100}
WORK=${WORK:-var/schemathesis-live}
rm -rf "$WORK" && mkdir -p "$WORK"
WORK=$(cd "$WORK" && pwd)

export CITYOPS_VAR_DIR="$WORK" DATABASE_URL="sqlite:///$WORK/db.sqlite3" CITYOPS_HTTPS=0
export CITYOPS_ALLOWED_HOSTS=127.0.0.1,localhost
# The demo is set up in development mode, which writes its secrets to $WORK …
CITYOPS_DEBUG=1 $PY manage.py migrate --no-input >"$WORK/setup.log" 2>&1
CITYOPS_DEBUG=1 $PY manage.py demo_setup --no-progress --url "http://127.0.0.1:$PORT/" \
  >>"$WORK/setup.log" 2>&1
# … and served like production, with those secrets.
export CITYOPS_DEBUG=0 CITYOPS_SECRET_KEY="$(cat "$WORK/secret_key")"
export CITYOPS_FIELD_ENCRYPTION_KEYS="$(cat "$WORK/field_key")"
export CITYOPS_API_RATE_CLIENT=1000000/min CITYOPS_API_RATE_IP=1000000/min

token() {
  # The command answers in the site's language: "Credential 3 created: …" or "已创建凭据 3：…".
  $PY manage.py credential issue api_token "schemathesis-$1" --user "$1" 2>/dev/null \
    | sed -n 's/.*[:：] *//p'
}
OPERATOR=$(token demo_hw1)
DISPATCHER=$(token demo_dispatcher)
if [ -z "$OPERATOR" ] || [ -z "$DISPATCHER" ]; then
  echo "could not create the API tokens (see $WORK/setup.log)" >&2
  exit 1
fi

$PY manage.py runserver --noreload "127.0.0.1:$PORT" >"$WORK/server.log" 2>&1 &
SERVER=$!
trap 'kill $SERVER 2>/dev/null || true' EXIT
for _ in $(seq 60); do
  curl -sf -o /dev/null "http://127.0.0.1:$PORT/api/schema/" && break
  sleep 1
done

status=0
for who in operator dispatcher; do
  key=$OPERATOR; [ "$who" = dispatcher ] && key=$DISPATCHER
  echo "== schemathesis --checks all as the $who (demo_hw1 / demo_dispatcher) =="
  SCHEMATHESIS_HOOKS=cityops.api.tests.fuzz_hooks .venv/bin/schemathesis run \
    "http://127.0.0.1:$PORT/api/schema/" --checks all --max-examples "$MAX_EXAMPLES" \
    --include-path-regex '^/api/v1/' -H "Authorization: Token $key" \
    >"$WORK/$who.txt" 2>&1 || status=1
  sed -n '/^Test Phases:/,$p' "$WORK/$who.txt"
done
echo "Full reports and the server log: $WORK/"
exit $status
