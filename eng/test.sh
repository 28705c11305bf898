#!/usr/bin/env bash
# The repo's test command: installs what the tests need (npm clients, the MongoDB-wire test server, a Docker engine
# with docker-compose), starts dockerd on a private socket, builds the local base images (RabbitMQ and the MongoDB-wire
# server among them: the tests start those as Testcontainers containers), builds the solution once, runs every test
# project, stops what it started by pid, and ends with the line "N passed, N failed". Works from a fresh clone (needs the .NET 10 SDK, node 20, npm, kubectl, root for apt).
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

command -v kubectl > /dev/null || fail_setup "kubectl is missing: the k8s manifest tests render k8s/ with 'kubectl kustomize'"
state=$(mktemp -d /tmp/peerserv-test.XXXXXX)
trap 'eng/containers.sh stop "$state/containers" || true' EXIT

echo "== a Docker engine (Debian's docker.io, dockerd on a private socket) and the local base images"
exports=$(eng/containers.sh start "$state/containers") \
  || fail_setup "could not start a Docker engine (see above): Debian's docker.io, docker-compose and debootstrap are installed with apt as root"
eval "$exports"
eng/containers.sh base-images || fail_setup "could not build the local base images (see above)"

echo "== building (Release, once)"
dotnet build PeerServ.Services.sln -c Release -nologo -clp:ErrorsOnly --disable-build-servers || fail_setup "the build failed"

echo "== testing"
log=$(mktemp)
status=0
# One test project at a time (-m:1): the end-to-end and deployment projects each start many processes and containers,
# and on two cores running them side by side starves real clients that keep their own timeouts (MessageBoxClient's
# 5 s live authentication). Each project still runs its own tests in parallel.
dotnet test PeerServ.Services.sln -c Release --no-build -nologo -m:1 2>&1 | tee "$log" || status=$?

passed=$(grep -Eo 'Passed: +[0-9]+' "$log" | awk '{s+=$2} END {print s+0}')
failed=$(grep -Eo 'Failed: +[0-9]+' "$log" | awk '{s+=$2} END {print s+0}')
rm -f "$log"
if [ "$status" -ne 0 ] && [ "$failed" -eq 0 ]; then
  # dotnet test failed without reporting a failed test (a crashed test host): count it as a failure.
  failed=1
fi
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
