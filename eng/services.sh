#!/usr/bin/env bash
# Starts (or stops) the real RabbitMQ and the MongoDB-wire test server (jongodb) on loopback for the tests,
# without Docker. Source-free: prints `export` lines to eval.
#   eval "$(eng/services.sh start <state-dir>)"    # exports PEERSERV_TEST_RABBITMQ, PEERSERV_TEST_MONGO
#   eng/services.sh stop <state-dir>               # stops them by pid
#   eng/services.sh start-rabbit|start-mongo <state-dir> <port>   one of them on a fixed port (fault tests restart it there)
#   eng/services.sh stop-rabbit|stop-mongo <state-dir>
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cmd=${1:?start|stop}
state=${2:?state directory}
mkdir -p "$state"

free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1]); s.close()'; }
wait_port() { # port seconds
  for _ in $(seq $(( $2 * 10 ))); do (exec 3<>/dev/tcp/127.0.0.1/$1) 2>/dev/null && return 0; sleep 0.1; done
  return 1
}

start_rabbit() {
  if [ ! -x /usr/lib/rabbitmq/bin/rabbitmq-server ]; then
    echo "installing rabbitmq-server (Debian package)" >&2
    apt-get update -qq >&2 && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends rabbitmq-server >&2
  fi
  local p=${1:-$(free_port)} d="$state/rabbitmq"
  # A fresh broker, unless this is a restart on a fixed port: then it keeps its state, as a real restart would.
  [ -n "${1:-}" ] || rm -rf "$d"
  mkdir -p "$d/log" "$d/mnesia"
  echo "[]." > "$d/enabled_plugins"
  printf "listeners.tcp.default = 127.0.0.1:%s\nloopback_users.guest = true\n" "$p" > "$d/rabbitmq.conf"
  ( export HOME=$d RABBITMQ_NODENAME=rabbit$p@localhost RABBITMQ_NODE_IP_ADDRESS=127.0.0.1 RABBITMQ_NODE_PORT=$p
    export RABBITMQ_DIST_PORT=$((p+20000 > 65000 ? p-20000 : p+20000)) ERL_EPMD_ADDRESS=127.0.0.1 ERL_EPMD_PORT=$(free_port)
    export RABBITMQ_MNESIA_BASE=$d/mnesia RABBITMQ_LOG_BASE=$d/log RABBITMQ_PID_FILE=$d/beam.pid
    export RABBITMQ_ENABLED_PLUGINS_FILE=$d/enabled_plugins RABBITMQ_CONFIG_FILE=$d/rabbitmq.conf
    export RABBITMQ_CONF_ENV_FILE=$d/none RABBITMQ_SERVER_ADDITIONAL_ERL_ARGS="-kernel inet_dist_use_interface {127,0,0,1}"
    nohup epmd -address 127.0.0.1 -port "$ERL_EPMD_PORT" > "$d/log/epmd.log" 2>&1 < /dev/null & echo $! > "$d/epmd.pid"
    nohup /usr/lib/rabbitmq/bin/rabbitmq-server > "$d/log/stdout.log" 2>&1 < /dev/null & echo $! > "$d/wrapper.pid" )
  wait_port "$p" 60 || { echo "RabbitMQ did not open port $p; log:" >&2; tail -20 "$d/log/stdout.log" >&2; exit 1; }
  echo "export PEERSERV_TEST_RABBITMQ=amqp://guest:guest@127.0.0.1:$p/"
}

start_mongo() {
  local bin="$root/tests/interop/node_modules/@jongodb/memory-server-bin-linux-x64-gnu/bin/jongodb" p=${1:-$(free_port)} d="$state/jongodb"
  [ -x "$bin" ] || { echo "jongodb missing: run npm ci in tests/interop first" >&2; exit 1; }
  rm -rf "$d"; mkdir -p "$d"
  nohup "$bin" --host=127.0.0.1 --port="$p" --replica-set-name=rs0 --topology-profile=singleNodeReplicaSet \
    > "$d/out.log" 2> "$d/err.log" < /dev/null & echo $! > "$d/pid"
  for _ in $(seq 100); do grep -q '^JONGODB_URI=' "$d/out.log" 2>/dev/null && break; sleep 0.05; done
  wait_port "$p" 10 || { echo "jongodb did not start:" >&2; cat "$d/err.log" >&2; exit 1; }
  echo "export PEERSERV_TEST_MONGO='mongodb://127.0.0.1:$p/?replicaSet=rs0&serverMonitoringMode=poll'"
}

stop_rabbit() {
  local d="$state/rabbitmq" beam
  if [ -f "$d/wrapper.pid" ]; then
    beam=$(cat "$d/beam.pid" 2>/dev/null || true)
    kill -TERM "$(cat "$d/wrapper.pid")" 2>/dev/null || true
    if [ -n "$beam" ]; then for _ in $(seq 50); do kill -0 "$beam" 2>/dev/null || break; sleep 0.1; done; kill -KILL "$beam" 2>/dev/null || true; fi
    kill -TERM "$(cat "$d/epmd.pid")" 2>/dev/null || true
    rm -f "$d/wrapper.pid"
  fi
}

stop_mongo() {
  local pid
  if [ -f "$state/jongodb/pid" ]; then
    pid=$(cat "$state/jongodb/pid")
    kill -TERM "$pid" 2>/dev/null || true
    for _ in $(seq 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
    rm -f "$state/jongodb/pid"
  fi
}

case "$cmd" in
  start) start_mongo; start_rabbit ;;
  stop) stop_rabbit; stop_mongo ;;
  start-rabbit) start_rabbit "${3:?port}" ;;
  start-mongo) start_mongo "${3:?port}" ;;
  stop-rabbit) stop_rabbit ;;
  stop-mongo) stop_mongo ;;
  *) echo "usage: $0 start|stop|start-rabbit|start-mongo|stop-rabbit|stop-mongo <state-dir> [port]" >&2; exit 2 ;;
esac
