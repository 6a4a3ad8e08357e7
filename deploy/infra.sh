#!/usr/bin/env bash
# Brings up (or down) what Alertline needs on a machine without Docker:
# PostgreSQL, Redis, a single-node Kafka and its topics.
#
#   bash deploy/infra.sh up     # idempotent: reuses whatever already runs
#   bash deploy/infra.sh down   # stops Kafka; PostgreSQL/Redis only if we started them
#
# Environment (DATABASE_URL/REDIS_URL are deliberately not parsed: the app reads them,
# this script only needs to know where the local services live):
#   PGHOST (127.0.0.1), PGPORT (5432), PGUSER (postgres)
#   REDIS_HOST (127.0.0.1), REDIS_PORT (6379)
#   KAFKA_BROKERS (127.0.0.1:9092)  a non-local first broker is only checked, not started
#   ALERTLINE_CACHE (~/.cache/alertline)
set -euo pipefail

SCRIPT_DIR=$(cd -- "$(dirname -- "${BASH_SOURCE[0]}")" && pwd)
readonly SCRIPT_DIR
CACHE=${ALERTLINE_CACHE:-$HOME/.cache/alertline}
readonly CACHE
# Records which services this script itself started, tagged with the boot id, so
# `down` never stops a PostgreSQL/Redis that the machine (or a person) started.
readonly STATE_FILE=$CACHE/infra-started

export PGHOST=${PGHOST:-127.0.0.1}
export PGPORT=${PGPORT:-5432}
export PGUSER=${PGUSER:-postgres}
readonly REDIS_HOST=${REDIS_HOST:-127.0.0.1}
readonly REDIS_PORT=${REDIS_PORT:-6379}
export KAFKA_BROKERS=${KAFKA_BROKERS:-127.0.0.1:9092}
readonly DATABASES=(alertline alertline_test)

die() {
  printf '%s\n' "$*" >&2
  exit 1
}

boot_id() {
  cat /proc/sys/kernel/random/boot_id 2>/dev/null || echo unknown-boot
}

mark_started() {
  mkdir -p "$CACHE"
  printf '%s %s\n' "$1" "$(boot_id)" >>"$STATE_FILE"
}

started_by_us() {
  [[ -f $STATE_FILE ]] && grep -qxF "$1 $(boot_id)" "$STATE_FILE"
}

forget_started() {
  [[ -f $STATE_FILE ]] || return 0
  grep -vE "^$1 " "$STATE_FILE" >"$STATE_FILE.tmp" || true
  mv -f -- "$STATE_FILE.tmp" "$STATE_FILE"
}

is_local_host() {
  [[ $1 == 127.0.0.1 || $1 == localhost || $1 == ::1 ]]
}

# Polls "$@" for up to $1 seconds.
wait_for() {
  local secs=$1 i
  shift
  for ((i = 0; i < secs * 5; i++)); do
    "$@" >/dev/null 2>&1 && return 0
    sleep 0.2
  done
  return 1
}

pg_ready() { pg_isready -q -h "$PGHOST" -p "$PGPORT"; }

# The local cluster serving $PGPORT, as "version name" (pg_lsclusters knows the port;
# falls back to the single version under /etc/postgresql).
pg_cluster() {
  local line
  if command -v pg_lsclusters >/dev/null 2>&1; then
    line=$(pg_lsclusters -h 2>/dev/null | awk -v p="$PGPORT" '$3 == p { print $1, $2; exit }')
    [[ -n $line ]] || return 1
    printf '%s\n' "$line"
    return 0
  fi
  local versions
  versions=$(ls /etc/postgresql 2>/dev/null) || return 1
  [[ -n $versions && $(wc -w <<<"$versions") -eq 1 ]] || return 1
  printf '%s main\n' "$versions"
}

postgres_up() {
  command -v pg_isready >/dev/null 2>&1 || die "postgres: pg_isready not found (install postgresql-client)"
  local how=reused cluster
  if ! pg_ready; then
    is_local_host "$PGHOST" || die "postgres: not reachable at $PGHOST:$PGPORT (remote host, not starting it)"
    command -v pg_ctlcluster >/dev/null 2>&1 ||
      die "postgres: not running on $PGHOST:$PGPORT and pg_ctlcluster is not installed"
    cluster=$(pg_cluster) || die "postgres: no local cluster found for port $PGPORT"
    # shellcheck disable=SC2086 # "version name" splits into two arguments on purpose
    pg_ctlcluster --skip-systemctl-redirect $cluster start ||
      die "postgres: pg_ctlcluster $cluster start failed"
    wait_for 30 pg_ready || die "postgres: started cluster $cluster but $PGHOST:$PGPORT not ready after 30 s"
    mark_started "postgres $cluster"
    how=started
  fi

  local db made=()
  for db in "${DATABASES[@]}"; do
    if [[ -z $(psql -X -q -At -d postgres -c "SELECT 1 FROM pg_database WHERE datname = '$db'") ]]; then
      # Another clone may create it between the check and here; only a still-missing
      # database afterwards is an error.
      psql -X -q -d postgres -c "CREATE DATABASE \"$db\"" >/dev/null 2>&1 || true
      [[ -n $(psql -X -q -At -d postgres -c "SELECT 1 FROM pg_database WHERE datname = '$db'") ]] ||
        die "postgres: could not create database $db on $PGHOST:$PGPORT as $PGUSER"
      made+=("$db")
    fi
  done
  if ((${#made[@]})); then
    echo "postgres: $how ($PGHOST:$PGPORT; created database ${made[*]})"
  else
    echo "postgres: $how ($PGHOST:$PGPORT)"
  fi
}

redis_ready() { [[ $(redis-cli -h "$REDIS_HOST" -p "$REDIS_PORT" ping 2>/dev/null) == PONG ]]; }

redis_up() {
  command -v redis-cli >/dev/null 2>&1 || die "redis: redis-cli not found (install redis-tools)"
  if redis_ready; then
    echo "redis: reused ($REDIS_HOST:$REDIS_PORT)"
    return 0
  fi
  is_local_host "$REDIS_HOST" || die "redis: not reachable at $REDIS_HOST:$REDIS_PORT (remote host, not starting it)"
  command -v redis-server >/dev/null 2>&1 || die "redis: not running on port $REDIS_PORT and redis-server is not installed"
  # The system paths when we may write there (root, as on CI), else the cache, so a
  # non-root developer can still start one.
  local dir=/var/lib/redis logfile=/var/log/redis/ci.log
  if ! { mkdir -p "$dir" "${logfile%/*}" && [[ -w $dir && -w ${logfile%/*} ]]; } 2>/dev/null; then
    dir=$CACHE/redis
    logfile=$CACHE/redis/redis.log
    mkdir -p "$dir"
  fi
  # No persistence: the queue contents are disposable in dev/CI.
  redis-server --daemonize yes --bind 127.0.0.1 -::1 --port "$REDIS_PORT" \
    --save "" --appendonly no --dir "$dir" --logfile "$logfile" >/dev/null ||
    die "redis: redis-server failed to start (log: $logfile)"
  wait_for 15 redis_ready || {
    tail -n 20 "$logfile" >&2 2>/dev/null || true
    die "redis: started but not answering PING on port $REDIS_PORT after 15 s (log: $logfile)"
  }
  mark_started redis
  echo "redis: started ($REDIS_HOST:$REDIS_PORT)"
}

# Sets KAFKA_HOST/KAFKA_LOCAL_PORT from the first entry of KAFKA_BROKERS.
parse_kafka_brokers() {
  local first=${KAFKA_BROKERS%%,*}
  KAFKA_HOST=${first%:*}
  KAFKA_LOCAL_PORT=${first##*:}
  [[ $KAFKA_LOCAL_PORT =~ ^[0-9]+$ ]] || die "kafka: cannot read a port from KAFKA_BROKERS=$KAFKA_BROKERS"
}

kafka_up() {
  local host port
  parse_kafka_brokers
  host=$KAFKA_HOST
  port=$KAFKA_LOCAL_PORT
  if is_local_host "$host"; then
    # kafka.sh prints its own "kafka: started/reused" line.
    KAFKA_PORT=$port bash "$SCRIPT_DIR/kafka.sh" start || die "kafka: could not start the local broker on port $port"
  else
    node "$SCRIPT_DIR/kafka-ready.js" 30 "$KAFKA_BROKERS" ||
      die "kafka: external brokers $KAFKA_BROKERS did not answer within 30 s"
    echo "kafka: reused (external $KAFKA_BROKERS)"
  fi
}

topics_up() {
  node "$SCRIPT_DIR/topics.js" || die "topics: creation failed on $KAFKA_BROKERS"
}

check_node() {
  command -v node >/dev/null 2>&1 || die "kafka: node not found (needed for the readiness probe and topics)"
  # Resolve from deploy/ the same way the scripts will.
  (cd "$SCRIPT_DIR" && node -e "require.resolve('kafkajs')") >/dev/null 2>&1 ||
    die "kafka: kafkajs is not installed; run npm ci in $(dirname "$SCRIPT_DIR") first"
}

cmd_up() {
  local t0=$EPOCHREALTIME
  check_node
  postgres_up
  redis_up
  kafka_up
  topics_up
  awk -v a="$t0" -v b="$EPOCHREALTIME" 'BEGIN { printf "infra: up in %.1f s\n", b - a }'
}

cmd_down() {
  local cluster
  parse_kafka_brokers
  if is_local_host "$KAFKA_HOST"; then
    KAFKA_PORT=$KAFKA_LOCAL_PORT bash "$SCRIPT_DIR/kafka.sh" stop
  else
    echo "kafka: left alone (external $KAFKA_BROKERS)"
  fi
  if started_by_us redis; then
    redis-cli -h "$REDIS_HOST" -p "$REDIS_PORT" shutdown nosave >/dev/null 2>&1 || true
    echo "redis: stopped (started by infra.sh)"
  else
    echo "redis: left alone (not started by infra.sh)"
  fi
  forget_started redis
  cluster=$(grep -E "^postgres .* $(boot_id)\$" "$STATE_FILE" 2>/dev/null | tail -n 1 | awk '{ print $2, $3 }') || true
  if [[ -n $cluster ]]; then
    # shellcheck disable=SC2086 # "version name" splits into two arguments on purpose
    pg_ctlcluster --skip-systemctl-redirect $cluster stop || die "postgres: pg_ctlcluster $cluster stop failed"
    echo "postgres: stopped (cluster $cluster, started by infra.sh)"
  else
    echo "postgres: left alone (not started by infra.sh)"
  fi
  forget_started postgres
}

case ${1:-} in
  up) cmd_up ;;
  down) cmd_down ;;
  *)
    echo "usage: $0 up|down" >&2
    exit 2
    ;;
esac
