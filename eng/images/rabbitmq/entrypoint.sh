#!/bin/sh
# Writes rabbitmq.conf from the official image's variables, then runs the broker in the foreground as PID 1.
set -eu
mkdir -p /etc/rabbitmq "$RABBITMQ_MNESIA_BASE"
{
  echo "listeners.tcp.default = 5672"
  echo "loopback_users = none"
  if [ -n "${RABBITMQ_DEFAULT_USER:-}" ]; then echo "default_user = $RABBITMQ_DEFAULT_USER"; fi
  if [ -n "${RABBITMQ_DEFAULT_PASS:-}" ]; then echo "default_pass = $RABBITMQ_DEFAULT_PASS"; fi
} > /etc/rabbitmq/rabbitmq.conf
echo "[${RABBITMQ_PLUGINS:-}]." > /etc/rabbitmq/enabled_plugins
exec rabbitmq-server
