#!/bin/sh
# The broker of deploy/docker-compose.yml, in the apache/kafka image: the configuration of the development broker
# (server.properties.in: SASL SCRAM-SHA-512 on every listener, the StandardAuthorizer, no anonymous access), listening
# on all interfaces and advertised as `kafka`, over TLS (tls.properties.in) with the certificate the kafka-tls
# service made in /var/lib/kafka/tls (deploy/kafka/tls.sh). The first start formats the storage with the SCRAM credentials of the
# principals (admin, court, police, procuratorate) from the environment; topics and ACLs are then written by the
# `kafka-provision` service (python -m liandong kafka provision).
set -eu
: "${CLUSTER_ID:?}" "${KAFKA_ADMIN_PASSWORD:?}" "${KAFKA_COURT_PASSWORD:?}" "${KAFKA_POLICE_PASSWORD:?}" \
  "${KAFKA_PROCURATORATE_PASSWORD:?}"
for password in "$KAFKA_ADMIN_PASSWORD" "$KAFKA_COURT_PASSWORD" "$KAFKA_POLICE_PASSWORD" \
  "$KAFKA_PROCURATORATE_PASSWORD"; do
  case "$password" in *[\"\\:,\]]*) echo "Kafka passwords may not hold quotes, backslashes, colons, commas or ]" >&2; exit 2 ;; esac
done
data=/var/lib/kafka/data
tls=/var/lib/kafka/tls
config=/tmp/liandong-broker
[ -f "$tls/broker.password" ] || { echo "no TLS material in $tls (the kafka-tls service makes it)" >&2; exit 1; }
mkdir -p "$config"
umask 077
cat /opt/liandong/server.properties.in /opt/liandong/tls.properties.in | sed -e "s:@HOST@:0.0.0.0:g" \
  -e "s:@ADVERTISED_HOST@:kafka:g" -e "s:@PORT@:9092:g" -e "s:@CONTROLLER_PORT@:9093:g" -e "s:@DATA_DIR@:$data:g" \
  -e "s:@ADMIN_PASSWORD@:$KAFKA_ADMIN_PASSWORD:g" -e "s:@TLS_DIR@:$tls:g" -e "s:@TLS_PASSWORD@:$(cat "$tls/broker.password"):g" \
  > "$config/server.properties"
# the health check's client configuration (the admin principal, over TLS)
cat > "$config/admin.properties" <<PROPERTIES
security.protocol=SASL_SSL
sasl.mechanism=SCRAM-SHA-512
sasl.jaas.config=org.apache.kafka.common.security.scram.ScramLoginModule required username="admin" password="$KAFKA_ADMIN_PASSWORD";
ssl.truststore.type=PEM
ssl.truststore.location=$tls/ca.crt
PROPERTIES
if [ ! -f "$data/log/meta.properties" ]; then
  /opt/kafka/bin/kafka-storage.sh format --ignore-formatted -t "$CLUSTER_ID" -c "$config/server.properties" \
    --add-scram "SCRAM-SHA-512=[name=admin,password=$KAFKA_ADMIN_PASSWORD]" \
    --add-scram "SCRAM-SHA-512=[name=court,password=$KAFKA_COURT_PASSWORD]" \
    --add-scram "SCRAM-SHA-512=[name=police,password=$KAFKA_POLICE_PASSWORD]" \
    --add-scram "SCRAM-SHA-512=[name=procuratorate,password=$KAFKA_PROCURATORATE_PASSWORD]"
fi
exec /opt/kafka/bin/kafka-server-start.sh "$config/server.properties"
