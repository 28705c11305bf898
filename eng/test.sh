#!/usr/bin/env bash
# The repo's test command: installs what the tests need (npm clients, the MongoDB-wire test server, RabbitMQ),
# starts the servers on loopback, builds once, runs every test project, stops what it started by pid, and ends
# with the line "N passed, N failed". Works from a fresh clone (needs the .NET 10 SDK, node 20, npm, root for apt).
set -uo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1 DOTNET_SKIP_FIRST_TIME_EXPERIENCE=1

fail_setup() {
  echo "!! $1" >&2
  echo "0 passed, 1 failed"
  exit 1
}

echo "== installing the real npm clients and the MongoDB-wire test server (tests/interop, package-lock.json)"
(cd tests/interop && npm ci --no-audit --no-fund --loglevel=error) || fail_setup "npm ci failed in tests/interop: node 20 and npm with access to the npm registry are needed"

echo "== tools the deployment tests use: kubectl (on the machine) and Debian's docker-compose (offline 'config' only)"
command -v kubectl > /dev/null || fail_setup "kubectl is missing: the k8s manifest tests render k8s/ with 'kubectl kustomize'"
if ! command -v docker-compose > /dev/null; then
  (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends docker-compose) > /dev/null \
    || fail_setup "could not install docker-compose (Debian package, apt as root): the compose.yml test validates with 'docker-compose config'"
fi

echo "== starting RabbitMQ and the MongoDB-wire test server on loopback"
state=$(mktemp -d /tmp/peerserv-test.XXXXXX)
trap 'eng/services.sh stop "$state" || true' EXIT
exports=$(eng/services.sh start "$state") || fail_setup "could not start RabbitMQ or jongodb (see above): RabbitMQ comes from Debian's rabbitmq-server package (apt, as root), jongodb from npm"
eval "$exports"
export PEERSERV_TEST_MONGO PEERSERV_TEST_RABBITMQ

echo "== building (Release, once)"
dotnet build PeerServ.Services.sln -c Release -nologo -clp:ErrorsOnly --disable-build-servers || fail_setup "the build failed"

echo "== testing"
log=$(mktemp)
status=0
dotnet test PeerServ.Services.sln -c Release --no-build -nologo 2>&1 | tee "$log" || status=$?

passed=$(grep -Eo 'Passed: +[0-9]+' "$log" | awk '{s+=$2} END {print s+0}')
failed=$(grep -Eo 'Failed: +[0-9]+' "$log" | awk '{s+=$2} END {print s+0}')
rm -f "$log"
if [ "$status" -ne 0 ] && [ "$failed" -eq 0 ]; then
  # dotnet test failed without reporting a failed test (a crashed test host): count it as a failure.
  failed=1
fi
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
