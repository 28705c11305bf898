#!/usr/bin/env bash
# A real Docker engine for the tests, on a machine with no container registry:
#   eval "$(eng/containers.sh start <state-dir>)"   installs Debian's docker.io, docker-compose and debootstrap when
#                                                    missing, starts dockerd on a private socket (pid in the state
#                                                    dir) and prints the export lines the tests and compose need
#   eng/containers.sh base-images                    builds the local base images (needs DOCKER_HOST from start)
#   eng/containers.sh stop <state-dir>               stops that dockerd by pid
#
# Base images (rebuilt only when what goes into them changed; all machine-local, never pushed or committed):
#   local/debian:bookworm      debootstrap --variant=minbase from the machine's Debian mirror
#   local/dotnet-aspnet:10.0   + the machine's .NET runtimes          (stands in for mcr.microsoft.com/dotnet/aspnet:10.0)
#   local/dotnet-sdk:10.0      + the machine's SDK and root CAs       (stands in for mcr.microsoft.com/dotnet/sdk:10.0)
#   local/node:20              + the machine's node and npm           (stands in for node:20-bookworm-slim)
#   local/rabbitmq:3.10        Debian's rabbitmq-server               (stands in for rabbitmq:3.13-management)
#   local/jongodb:0.1.6        npm's MongoDB-wire test server         (stands in for mongo:7.0)
#
# The engine's data (image layers, build cache) and the debootstrap tree persist between runs in
# $PEERSERV_CONTAINER_CACHE (default /var/cache/peerserv-containers), so a second run on one machine rebuilds little.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cache=${PEERSERV_CONTAINER_CACHE:-/var/cache/peerserv-containers}
log() { echo "== $(date +%T) $*" >&2; }

install_packages() {
  local need="" p
  # iproute2 and util-linux (ip, unshare, nsenter): the listener tests run each deployable in a network namespace of its own.
  for p in docker.io docker-compose debootstrap iproute2 util-linux; do dpkg -s "$p" > /dev/null 2>&1 || need="$need $p"; done
  [ -z "$need" ] && return 0
  log "installing$need (Debian packages)"
  { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends $need; } > "$cache/apt.log" 2>&1 \
    || { tail -20 "$cache/apt.log" >&2; echo "could not install$need with apt-get (root and Debian's registry are needed)" >&2; exit 1; }
}

stop_pid_file() { # pidfile
  local pid
  pid=$(cat "$1" 2> /dev/null || true)
  [ -n "$pid" ] || return 0
  if kill -0 "$pid" 2> /dev/null; then
    kill -TERM "$pid" 2> /dev/null || true
    for _ in $(seq 150); do kill -0 "$pid" 2> /dev/null || break; sleep 0.2; done
    kill -KILL "$pid" 2> /dev/null || true
  fi
  rm -f "$1"
}

start() {
  local state=$1 sock
  mkdir -p "$cache" "$state"
  install_packages
  # One engine per data root: a dockerd left over from an interrupted run of ours goes first (its pid file says so).
  stop_pid_file "$cache/dockerd.pid"
  sock="$state/docker.sock"
  log "starting dockerd (data root $cache/docker, socket $sock)"
  nohup nice -n 5 dockerd --data-root "$cache/docker" --exec-root "$state/exec" --pidfile "$cache/dockerd.pid" \
    -H "unix://$sock" > "$state/dockerd.log" 2>&1 < /dev/null &
  echo $! > "$state/dockerd.pid"
  for _ in $(seq 150); do DOCKER_HOST="unix://$sock" docker version > /dev/null 2>&1 && break; sleep 0.2; done
  DOCKER_HOST="unix://$sock" docker version > /dev/null 2>&1 \
    || { tail -20 "$state/dockerd.log" >&2; echo "dockerd did not answer on $sock" >&2; exit 1; }
  # Containers of an interrupted run would come back with their restart policies: this engine is the tests' own.
  local left
  left=$(DOCKER_HOST="unix://$sock" docker ps -aq)
  [ -z "$left" ] || DOCKER_HOST="unix://$sock" docker rm -f $left > /dev/null
  # DOCKER_API_VERSION: Debian's dockerd 20.10 speaks API 1.41, older than what Testcontainers and the 28.x CLI ask for.
  # Testcontainers: no Ryuk (its image is not reachable; fixtures remove their containers), and the host's loopback
  # for published ports (/.dockerenv exists on these machines, which would make it use the bridge gateway).
  cat << EOF
export DOCKER_HOST=unix://$sock DOCKER_API_VERSION=1.41 DOCKER_BUILDKIT=0 COMPOSE_DOCKER_CLI_BUILD=0
export TESTCONTAINERS_RYUK_DISABLED=true TESTCONTAINERS_HOST_OVERRIDE=127.0.0.1
export PEERSERV_SDK_IMAGE=local/dotnet-sdk:10.0 PEERSERV_RUNTIME_IMAGE=local/dotnet-aspnet:10.0 PEERSERV_NODE_IMAGE=local/node:20
export PEERSERV_RABBITMQ_IMAGE=local/rabbitmq:3.10 PEERSERV_MONGO_WIRE_IMAGE=local/jongodb:0.1.6
EOF
}

stop() {
  local state=$1
  [ -f "$state/dockerd.pid" ] || return 0
  log "stopping dockerd"
  stop_pid_file "$state/dockerd.pid"
  rm -f "$cache/dockerd.pid"
  ip link del docker0 2> /dev/null || true
}

# build IMAGE CONTEXT INPUTS: builds unless the image carries the same inputs label (a hash of what went in).
build() {
  local image=$1 context=$2 inputs have
  inputs=$(printf '%s' "$3" | sha256sum | cut -c1-32)
  have=$(docker image inspect -f '{{ index .Config.Labels "peerserv.inputs" }}' "$image" 2> /dev/null || true)
  if [ "$have" = "$inputs" ]; then
    log "$image is up to date"
    return 0
  fi
  log "building $image"
  docker build -q --label "peerserv.inputs=$inputs" -t "$image" "$context" > /dev/null
}

hash_files() { cat "$@" 2> /dev/null | sha256sum | cut -c1-32; }

base_images() {
  : "${DOCKER_HOST:?run: eval \"\$(eng/containers.sh start <state-dir>)\" first}"
  local rootfs="$cache/rootfs" ctx="$cache/contexts" images="$root/eng/images" mirror ca
  mkdir -p "$ctx"
  if [ ! -f "$rootfs/.peerserv-complete" ]; then
    mirror=$(awk '/^URIs:/ {print $2; exit}' /etc/apt/sources.list.d/debian.sources 2> /dev/null || true)
    log "debootstrap bookworm (minbase) from ${mirror:-the default mirror}"
    rm -rf "$rootfs"
    debootstrap --variant=minbase bookworm "$rootfs" ${mirror:+"$mirror"} > "$cache/debootstrap.log" 2>&1 \
      || { tail -20 "$cache/debootstrap.log" >&2; exit 1; }
    rm -rf "$rootfs"/var/cache/apt/archives/*.deb "$rootfs"/var/lib/apt/lists/*
    if [ -f /etc/apt/sources.list.d/debian.sources ]; then
      rm -f "$rootfs/etc/apt/sources.list"
      cp /etc/apt/sources.list.d/debian.sources "$rootfs/etc/apt/sources.list.d/"
    fi
    date -u +%FT%TZ > "$rootfs/.peerserv-complete"
  fi
  local debian_inputs
  debian_inputs="debian $(cat "$rootfs/.peerserv-complete")"
  if [ "$(docker image inspect -f '{{ index .Config.Labels "peerserv.inputs" }}' local/debian:bookworm 2> /dev/null || true)" \
       != "$(printf '%s' "$debian_inputs" | sha256sum | cut -c1-32)" ]; then
    log "importing local/debian:bookworm"
    tar -C "$rootfs" --exclude=./.peerserv-complete -c . \
      | docker import -c 'CMD ["/bin/bash"]' -c "LABEL peerserv.inputs=$(printf '%s' "$debian_inputs" | sha256sum | cut -c1-32)" - local/debian:bookworm > /dev/null
  fi

  ca=$(mktemp -d)
  cp /usr/local/share/ca-certificates/*.crt "$ca/" 2> /dev/null || true
  local ca_hash dotnet=/usr/share/dotnet
  ca_hash=$(hash_files "$ca"/*.crt)
  [ -x "$dotnet/dotnet" ] || dotnet=$(dirname "$(readlink -f "$(command -v dotnet)")")

  # Hard links where the cache shares the file system with the sources (no copy of 600 MB), copies elsewhere.
  link_tree() { rm -rf "$2"; mkdir -p "$(dirname "$2")"; cp -al "$1" "$2" 2> /dev/null || cp -a "$1" "$2"; }

  mkdir -p "$ctx/aspnet/dotnet"
  cp "$images/dotnet-aspnet/Dockerfile" "$ctx/aspnet/"
  link_tree "$dotnet/host" "$ctx/aspnet/dotnet/host"
  link_tree "$dotnet/shared" "$ctx/aspnet/dotnet/shared"
  cp -f "$dotnet/dotnet" "$ctx/aspnet/dotnet/dotnet"
  build local/dotnet-aspnet:10.0 "$ctx/aspnet" "$debian_inputs $(hash_files "$images/dotnet-aspnet/Dockerfile") $(ls "$dotnet/shared"/*)"

  mkdir -p "$ctx/sdk"
  cp "$images/dotnet-sdk/Dockerfile" "$ctx/sdk/"
  link_tree "$ca" "$ctx/sdk/ca"
  link_tree "$dotnet" "$ctx/sdk/dotnet"
  build local/dotnet-sdk:10.0 "$ctx/sdk" "$(docker image inspect -f '{{.Id}}' local/dotnet-aspnet:10.0) $(hash_files "$images/dotnet-sdk/Dockerfile") $ca_hash $(ls "$dotnet/sdk")"

  local node npm_dir
  node=$(readlink -f "$(command -v node)")
  npm_dir=$(dirname "$(dirname "$(readlink -f "$(command -v npm)")")")
  mkdir -p "$ctx/node"
  cp "$images/node/Dockerfile" "$ctx/node/"
  cp -f "$node" "$ctx/node/node"
  link_tree "$ca" "$ctx/node/ca"
  link_tree "$npm_dir" "$ctx/node/npm"
  build local/node:20 "$ctx/node" "$debian_inputs $(hash_files "$images/node/Dockerfile") $ca_hash $(node --version) $(npm --version)"

  mkdir -p "$ctx/rabbitmq"
  cp "$images/rabbitmq/Dockerfile" "$images/rabbitmq/entrypoint.sh" "$ctx/rabbitmq/"
  build local/rabbitmq:3.10 "$ctx/rabbitmq" "$debian_inputs $(hash_files "$images/rabbitmq/Dockerfile" "$images/rabbitmq/entrypoint.sh")"

  local jongodb="$root/tests/interop/node_modules/@jongodb/memory-server-bin-linux-x64-gnu/bin/jongodb"
  [ -x "$jongodb" ] || { echo "jongodb is missing: run npm ci in tests/interop first" >&2; exit 1; }
  mkdir -p "$ctx/jongodb"
  cp "$images/jongodb/Dockerfile" "$ctx/jongodb/"
  cp -f "$jongodb" "$ctx/jongodb/jongodb"
  build local/jongodb:0.1.6 "$ctx/jongodb" "$debian_inputs $(hash_files "$images/jongodb/Dockerfile" "$jongodb")"
  rm -rf "$ca"
}

case "${1:-}" in
  start) start "${2:?state directory}" ;;
  stop) stop "${2:?state directory}" ;;
  base-images) base_images ;;
  *) echo "usage: $0 start|stop <state-dir> | base-images" >&2; exit 2 ;;
esac
