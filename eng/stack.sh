#!/usr/bin/env bash
# Runs the distributed stack locally without Docker, for manual use: RabbitMQ and the MongoDB-wire test server
# (eng/services.sh), then ack, ingest, mailbox-query, permissions, two live replicas and the gateway as processes on loopback.
#   eng/stack.sh start [state-dir]   builds, starts everything, prints the gateway URL and the server key
#   eng/stack.sh stop  [state-dir]   stops everything it started, by pid
# Environment: GATEWAY_PORT (default 8080), CONFIGURATION (default Release), AUTH_SERVER_PRIVATE_KEY (default: a new key).
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cmd=${1:?start|stop}
state=${2:-/tmp/peerserv-stack}
configuration=${CONFIGURATION:-Release}
cd "$root"

stop() {
  for pidfile in "$state"/*.pid; do
    [ -f "$pidfile" ] || continue
    kill -TERM "$(cat "$pidfile")" 2>/dev/null || true
    rm -f "$pidfile"
  done
  eng/services.sh stop "$state" || true
}

start_service() { # name project port [extra env...]
  local name=$1 project=$2 port=$3; shift 3
  local dll="$root/$project/bin/$configuration/net10.0/$(basename "$project").dll"
  # A simple command in the background: $! is the dotnet process itself, so stop can kill it by pid.
  ( cd "$(dirname "$dll")"
    env ASPNETCORE_URLS="http://127.0.0.1:$port" "${common[@]}" "$@" nohup dotnet "$dll" > "$state/$name.log" 2>&1 < /dev/null &
    echo $! > "$state/$name.pid" )
}

wait_ready() { # name port
  for _ in $(seq 300); do
    curl -fsS "http://127.0.0.1:$2/health/ready" > /dev/null 2>&1 && return 0
    sleep 0.2
  done
  echo "$1 did not become ready; last log lines:" >&2; tail -20 "$state/$1.log" >&2; return 1
}

case "$cmd" in
  stop) stop; exit 0 ;;
  start) ;;
  *) echo "usage: $0 start|stop [state-dir]" >&2; exit 2 ;;
esac

mkdir -p "$state"
stop
[ -d tests/interop/node_modules/@jongodb ] || (cd tests/interop && npm ci --no-audit --no-fund --loglevel=error)
dotnet build PeerServ.Services.sln -c "$configuration" -nologo -clp:ErrorsOnly --disable-build-servers
eval "$(eng/services.sh start "$state")"
key=${AUTH_SERVER_PRIVATE_KEY:-$(python3 -c 'import secrets; print(secrets.token_hex(32))')}
secret=$(python3 -c 'import secrets; print(secrets.token_urlsafe(32))')
common=(Gateway__InternalSecret="$secret" Storage__MongoConnectionString="$PEERSERV_TEST_MONGO" Storage__MongoDatabase=peerserv
        ConnectionStrings__RabbitMq="$PEERSERV_TEST_RABBITMQ")
gateway_port=${GATEWAY_PORT:-8080}
start_service ack services/PeerServ.Ack 8083 Management__Url=http://127.0.0.1:9467
start_service ingest services/PeerServ.Ingest 8081 Management__Url=http://127.0.0.1:9465
start_service mailbox-query services/PeerServ.MailboxQuery 8082 Management__Url=http://127.0.0.1:9466
start_service permissions services/PeerServ.Permissions 8086 Management__Url=http://127.0.0.1:9470
for i in 1 2; do
  start_service live-$i services/PeerServ.Live $((8083 + i)) Management__Url=http://127.0.0.1:$((9467 + i)) Auth__ServerPrivateKey="$key" \
    Live__IngestUrl=http://127.0.0.1:8081/
done
start_service gateway gateway/PeerServ.Gateway "$gateway_port" Management__Url=http://127.0.0.1:9464 Auth__ServerPrivateKey="$key" \
  ReverseProxy__Clusters__ingest__Destinations__d1__Address=http://127.0.0.1:8081 \
  ReverseProxy__Clusters__mailbox-query__Destinations__d1__Address=http://127.0.0.1:8082 \
  ReverseProxy__Clusters__ack__Destinations__d1__Address=http://127.0.0.1:8083 \
  ReverseProxy__Clusters__permissions__Destinations__d1__Address=http://127.0.0.1:8086 \
  ReverseProxy__Clusters__live__Destinations__d1__Address=http://127.0.0.1:8084 \
  ReverseProxy__Clusters__live__Destinations__d2__Address=http://127.0.0.1:8085
for s in ack:8083 ingest:8081 mailbox-query:8082 permissions:8086 live-1:8084 live-2:8085 gateway:$gateway_port; do wait_ready "${s%%:*}" "${s##*:}"; done
echo "PeerServ distributed stack is up: gateway http://127.0.0.1:$gateway_port (logs and pids in $state)"
echo "stop it with: eng/stack.sh stop $state"
