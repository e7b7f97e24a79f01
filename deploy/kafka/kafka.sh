#!/usr/bin/env bash
# Runs a real single-node Apache Kafka broker (KRaft) from Maven Central's jars, without Docker.
#
#   kafka.sh fetch        resolve the pinned release into the cache (once)
#   kafka.sh start        fetch, format storage (first time only), start, wait until the broker is up
#   kafka.sh stop         stop the broker cleanly (SIGTERM, then wait)
#   kafka.sh status       exit 0 when the broker of this port is running
#   kafka.sh cluster start|stop|status
#                         a cluster of KAFKA_CLUSTER_SIZE (3) nodes on this machine, each a broker and a controller
#                         of one KRaft quorum, with SASL and ACLs as the single broker: clients on KAFKA_PORT and the
#                         next ports (9092, 9093, 9094), controllers on the ports after them; node N keeps its data in
#                         $KAFKA_DATA_DIR/node-N. Internal topics get replication factor 3 and min.insync.replicas 2
#                         (as many as the size allows); `kafka.sh cluster start-node N` / `stop-node N` / `kill-node
#                         N` (SIGKILL) act on one node, for fault tests
#   kafka.sh configs …            Kafka's kafka-configs tool, as admin (e.g. --describe --entity-type topics
#                                 --entity-name liandong.police.dlt; --alter … a principal's SCRAM password)
#   kafka.sh consumer-groups …    Kafka's kafka-consumer-groups tool, as admin (e.g. --describe --group
#                                 liandong.police; --reset-offsets … only while the group's consumers are stopped)
#   kafka.sh topics …             Kafka's kafka-topics tool, as admin
#   (the admin tools reach KAFKA_BOOTSTRAP, default 127.0.0.1:$KAFKA_PORT, as admin with KAFKA_ADMIN_PASSWORD)
#
# Environment (all optional):
#   KAFKA_PORT=9092  KAFKA_CONTROLLER_PORT=9093
#   LIANDONG_CACHE=~/.cache/liandong          jars live in $LIANDONG_CACHE/kafka-<version>/libs
#   KAFKA_DATA_DIR=$LIANDONG_CACHE/kafka-data-$KAFKA_PORT   log dirs, pid file and broker logs
#   KAFKA_START_TIMEOUT=90                    seconds to wait for the broker to come up
#   KAFKA_TLS_DIR                             listen over SASL_SSL with the certificate in this directory, made by
#                                             tls.sh for 127.0.0.1 and localhost on the first start (clients check it
#                                             against KAFKA_TLS_DIR/ca.crt); SASL_PLAINTEXT when unset
#   KAFKA_ADMIN_PASSWORD, KAFKA_COURT_PASSWORD, KAFKA_POLICE_PASSWORD, KAFKA_PROCURATORATE_PASSWORD
#                                             SCRAM-SHA-512 passwords of the principals, set when the storage is
#                                             formatted (first start); development defaults otherwise, the same as
#                                             liandong.messaging.kafka.development_password
#
# The broker authenticates every client (SASL SCRAM-SHA-512) and authorizes with ACLs (StandardAuthorizer); topics
# and ACLs are written by `python -m liandong kafka provision` as `admin`.
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
version=$(sed -n 's:.*<kafka.version>\(.*\)</kafka.version>.*:\1:p' "$here/pom.xml")
cache=${LIANDONG_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/liandong}
libs="$cache/kafka-$version/libs"
port=${KAFKA_PORT:-9092}
controller_port=${KAFKA_CONTROLLER_PORT:-$((port + 1))}
data=${KAFKA_DATA_DIR:-$cache/kafka-data-$port}
pidfile="$data/broker.pid"
timeout=${KAFKA_START_TIMEOUT:-90}
admin_password=${KAFKA_ADMIN_PASSWORD:-liandong-dev-kafka-admin}
sasl_marker="$data/log/.liandong-sasl"
tls_dir=${KAFKA_TLS_DIR:-}

log() { echo "kafka.sh: $*" >&2; }

fetch() {
  # the cache is complete for this pom (a dependency added later is fetched into an existing cache)
  local stamp; stamp=$(sha256sum "$here/pom.xml" | cut -c1-16)
  if [ -f "$libs/.complete" ] && [ "$(cat "$libs/.complete")" = "$stamp" ]; then return 0; fi
  command -v mvn >/dev/null || { log "Maven (mvn) is required to fetch Kafka $version"; exit 1; }
  log "fetching Apache Kafka $version from Maven Central into $libs"
  mkdir -p "$libs"
  (cd "$here" && mvn -q -B dependency:copy-dependencies -DoutputDirectory="$libs")
  echo "$stamp" > "$libs/.complete"
}

running() {
  [ -f "$pidfile" ] && kill -0 "$(cat "$pidfile")" 2>/dev/null
}

port_open() {
  (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null
}

start() {
  launch && wait_up
}

# One node's configuration and process (no wait: the nodes of a cluster wait for each other's quorum). Overlays
# (`overlays`, later keys win) and their substitutions come from the caller: the cluster's node id, voters and
# replication factors.
overlays=()
substitutions=()
launch() {
  fetch
  if running; then log "broker already running on 127.0.0.1:$port (pid $(cat "$pidfile"))"; launched=0; return 0; fi
  launched=1
  if port_open "$port"; then log "port $port is taken by another process"; exit 1; fi
  local secret
  for secret in "$admin_password" "${KAFKA_COURT_PASSWORD:-}" "${KAFKA_POLICE_PASSWORD:-}" \
    "${KAFKA_PROCURATORATE_PASSWORD:-}"; do
    case "$secret" in *[\"\\:,\]]*) log "Kafka passwords may not hold quotes, backslashes, colons, commas or ]"; exit 2 ;; esac
  done
  if [ -f "$data/log/meta.properties" ] && [ ! -f "$sasl_marker" ]; then
    # storage formatted by an earlier version, without the principals: keep it aside, start afresh
    local aside
    aside="$data/log.before-sasl-$(date +%Y%m%d%H%M%S)"
    log "storage in $data/log has no SCRAM principals; moving it to $aside"
    mv "$data/log" "$aside"
  fi
  mkdir -p "$data/log" "$data/logs"
  local templates=("$here/server.properties.in" "${overlays[@]}") tls_password=""
  if [ -n "$tls_dir" ]; then
    sh "$here/tls.sh" "$tls_dir" 127.0.0.1 localhost
    tls_password=$(cat "$tls_dir/broker.password")
    templates+=("$here/tls.properties.in")
  fi
  (umask 077 && cat "${templates[@]}" | sed -e "s:@HOST@:127.0.0.1:g" -e "s:@ADVERTISED_HOST@:127.0.0.1:g" \
    -e "s:@PORT@:$port:g" -e "s:@CONTROLLER_PORT@:$controller_port:g" -e "s:@DATA_DIR@:$data:g" \
    -e "s:@ADMIN_PASSWORD@:$admin_password:g" -e "s:@TLS_DIR@:$tls_dir:g" -e "s:@TLS_PASSWORD@:$tls_password:g" \
    "${substitutions[@]}" > "$data/server.properties")
  local java_opts=(-Xms128m -Xmx512m -XX:+UseG1GC -Djava.awt.headless=true
    "-Dkafka.logs.dir=$data/logs" "-Dlog4j2.configurationFile=$here/log4j2.properties")
  if [ ! -f "$data/log/meta.properties" ]; then
    local cluster_id
    cluster_id=${KAFKA_CLUSTER_ID:-$(java -cp "$libs/*" "${java_opts[@]}" kafka.tools.StorageTool random-uuid 2>/dev/null | tail -n 1)}
    local scram=(--add-scram "SCRAM-SHA-512=[name=admin,password=$admin_password]")
    local principal variable
    for principal in court police procuratorate; do
      variable="KAFKA_${principal^^}_PASSWORD"
      scram+=(--add-scram "SCRAM-SHA-512=[name=$principal,password=${!variable:-liandong-dev-kafka-$principal}]")
    done
    java -cp "$libs/*" "${java_opts[@]}" kafka.tools.StorageTool format --ignore-formatted \
      -t "$cluster_id" -c "$data/server.properties" "${scram[@]}" >"$data/logs/format.out" 2>&1 \
      || { cat "$data/logs/format.out" >&2; exit 1; }
    touch "$sasl_marker"
  fi
  : > "$data/logs/server.out"
  nohup java -cp "$libs/*" "${java_opts[@]}" kafka.Kafka "$data/server.properties" \
    >"$data/logs/server.out" 2>&1 < /dev/null &
  echo $! > "$pidfile"
}

wait_up() {
  [ "${launched:-1}" = 1 ] || return 0
  local deadline=$((SECONDS + timeout))
  until port_open "$port" && grep -q "Kafka Server started" "$data/logs/server.log" 2>/dev/null; do
    if ! running; then log "broker exited during start-up:"; tail -n 30 "$data/logs/server.out" >&2; exit 1; fi
    if [ $SECONDS -ge $deadline ]; then log "broker not up after ${timeout}s"; exit 1; fi
    sleep 0.5
  done
  log "Apache Kafka $version up on 127.0.0.1:$port (pid $(cat "$pidfile"), data $data)"
}

stop() {
  if ! running; then rm -f "$pidfile"; log "no broker running on port $port"; return 0; fi
  local pid; pid=$(cat "$pidfile")
  kill -TERM "$pid"
  local deadline=$((SECONDS + 60))
  while kill -0 "$pid" 2>/dev/null; do
    if [ $SECONDS -ge $deadline ]; then log "broker did not stop in 60s; killing"; kill -KILL "$pid"; fi
    sleep 0.2
  done
  rm -f "$pidfile"
  log "broker on port $port stopped"
}

# Kafka's own admin tools from the same jars (the jar-only broker has no bin/*.sh), signed in as admin
admin_tool() {
  local class=$1; shift
  fetch
  local config logs protocol=SASL_PLAINTEXT; config=$(mktemp); logs=$(mktemp -d); chmod 600 "$config"
  if [ -n "$tls_dir" ]; then protocol=SASL_SSL; fi
  trap 'rm -rf "$config" "$logs"' RETURN
  cat > "$config" <<PROPERTIES
security.protocol=$protocol
sasl.mechanism=SCRAM-SHA-512
sasl.jaas.config=org.apache.kafka.common.security.scram.ScramLoginModule required username="admin" password="$admin_password";
PROPERTIES
  if [ -n "$tls_dir" ]; then
    printf 'ssl.truststore.type=PEM\nssl.truststore.location=%s/ca.crt\n' "$tls_dir" >> "$config"
  fi
  java -cp "$libs/*" "-Dlog4j2.configurationFile=$here/log4j2.properties" "-Dkafka.logs.dir=$logs" "$class" \
    --bootstrap-server "${KAFKA_BOOTSTRAP:-127.0.0.1:$port}" --command-config "$config" "$@"
}

# The cluster: the same storage, templates and principals per node, in node-N directories of the data directory
cluster_size=${KAFKA_CLUSTER_SIZE:-3}
base_port=$port
base_data=$data

node() {  # point the single-node variables at node $1
  local id=$1
  port=$((base_port + id - 1))
  controller_port=$((base_port + cluster_size + id - 1))
  data="$base_data/node-$id"
  pidfile="$data/broker.pid"
  sasl_marker="$data/log/.liandong-sasl"
  local voters="" n
  for n in $(seq 1 "$cluster_size"); do voters+="${voters:+,}$n@127.0.0.1:$((base_port + cluster_size + n - 1))"; done
  local replicas=$((cluster_size < 3 ? cluster_size : 3))
  local isr=$((replicas > 1 ? 2 : 1))
  overlays=("$here/cluster.properties.in")
  substitutions=(-e "s:@NODE_ID@:$id:g" -e "s|@VOTERS@|$voters|g" -e "s:@REPLICAS@:$replicas:g" -e "s:@MIN_ISR@:$isr:g")
}

cluster() {
  local action=${1:-} id
  case "$action" in
    start)
      mkdir -p "$base_data"
      if [ ! -f "$base_data/cluster.id" ]; then
        fetch
        java -cp "$libs/*" kafka.tools.StorageTool random-uuid 2>/dev/null | tail -n 1 > "$base_data/cluster.id"
      fi
      KAFKA_CLUSTER_ID=$(cat "$base_data/cluster.id")
      local ready=()
      for id in $(seq 1 "$cluster_size"); do node "$id"; launch; ready+=("$launched"); done
      for id in $(seq 1 "$cluster_size"); do node "$id"; launched=${ready[$((id - 1))]}; wait_up; done
      local bootstrap="" n
      for n in $(seq 1 "$cluster_size"); do bootstrap+="${bootstrap:+,}127.0.0.1:$((base_port + n - 1))"; done
      log "cluster of $cluster_size up: bootstrap $bootstrap"
      ;;
    stop)  # every node at once: a node stopped after the quorum has gone would wait for it in vain
      local pids=() pid
      for id in $(seq 1 "$cluster_size"); do
        node "$id"
        if running; then pids+=("$(cat "$pidfile")"); kill -TERM "$(cat "$pidfile")"; fi
        rm -f "$pidfile"
      done
      local deadline=$((SECONDS + 30))
      for pid in "${pids[@]}"; do
        while kill -0 "$pid" 2>/dev/null; do
          if [ $SECONDS -ge $deadline ]; then kill -KILL "$pid" 2>/dev/null || true; fi
          sleep 0.2
        done
      done
      log "cluster stopped"
      ;;
    status) for id in $(seq 1 "$cluster_size"); do node "$id"; running || exit 1; done ;;
    start-node) node "${2:?node id}"; KAFKA_CLUSTER_ID=$(cat "$base_data/cluster.id"); launch; wait_up ;;
    stop-node) node "${2:?node id}"; stop ;;
    kill-node) node "${2:?node id}"; if running; then kill -KILL "$(cat "$pidfile")"; rm -f "$pidfile"; fi ;;
    *) echo "usage: $0 cluster start|stop|status|start-node N|stop-node N|kill-node N" >&2; exit 2 ;;
  esac
}

case "${1:-}" in
  fetch) fetch ;;
  start) start ;;
  stop) stop ;;
  status) running ;;
  cluster) shift; cluster "$@" ;;
  configs) shift; admin_tool kafka.admin.ConfigCommand "$@" ;;
  consumer-groups) shift; admin_tool org.apache.kafka.tools.consumer.group.ConsumerGroupCommand "$@" ;;
  topics) shift; admin_tool org.apache.kafka.tools.TopicCommand "$@" ;;
  *) echo "usage: $0 fetch|start|stop|status|cluster …|configs …|consumer-groups …|topics …" >&2; exit 2 ;;
esac
