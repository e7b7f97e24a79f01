#!/bin/sh
# The broker's TLS material, made once:  tls.sh DIR HOSTNAME|IP...
#
#   DIR/ca.crt            the certificate authority clients check the broker against (PEM; the services'
#                         *_KAFKA_SSL_CAFILE, the admin tools' truststore)
#   DIR/broker.p12        the broker's key and certificate (PKCS12), signed by that authority for every name given
#   DIR/broker.password   the keystore's password (random)
#
# A DIR that already holds the three files is left alone: that is how an operator brings certificates of their own
# (put them there before the broker's first start). The authority's own key is not kept — to renew, remove the three
# files and restart the broker and then the services. POSIX sh and Java's keytool only, so the same script serves the
# apache/kafka image (docker compose) and the jar-only broker of deploy/kafka/kafka.sh.
set -eu
[ $# -ge 2 ] || { echo "usage: tls.sh DIR HOSTNAME|IP..." >&2; exit 2; }
dir=$1
shift
if [ -f "$dir/ca.crt" ] && [ -f "$dir/broker.p12" ] && [ -f "$dir/broker.password" ]; then
  exit 0
fi
mkdir -p "$dir"
umask 077
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
password=$(od -An -N24 -tx1 /dev/urandom | tr -d ' \n')
names=""
for name in "$@"; do
  case "$name" in
    *[!0-9.]*) entry="dns:$name" ;;
    *) entry="ip:$name" ;;
  esac
  names="${names:+$names,}$entry"
done
keytool=$(command -v keytool || echo "${JAVA_HOME:-/usr}/bin/keytool")
store() { "$keytool" -storetype PKCS12 -storepass "$password" "$@"; }
store -genkeypair -keystore "$work/ca.p12" -alias ca -dname "CN=Liandong Kafka CA" -ext bc:c -keyalg RSA \
  -keysize 3072 -validity 3650 >/dev/null 2>&1
store -exportcert -keystore "$work/ca.p12" -alias ca -rfc -file "$work/ca.crt" >/dev/null 2>&1
store -genkeypair -keystore "$work/broker.p12" -alias broker -dname "CN=$1" -keyalg RSA -keysize 3072 \
  -validity 825 >/dev/null 2>&1
store -certreq -keystore "$work/broker.p12" -alias broker -file "$work/broker.csr" >/dev/null 2>&1
store -gencert -keystore "$work/ca.p12" -alias ca -infile "$work/broker.csr" -outfile "$work/broker.crt" -rfc \
  -validity 825 -ext "san=$names" -ext ku:c=digitalSignature,keyEncipherment -ext eku=serverAuth >/dev/null 2>&1
store -importcert -noprompt -keystore "$work/broker.p12" -alias ca -file "$work/ca.crt" >/dev/null 2>&1
store -importcert -noprompt -keystore "$work/broker.p12" -alias broker -file "$work/broker.crt" >/dev/null 2>&1
printf '%s' "$password" > "$work/broker.password"
chmod 644 "$work/ca.crt"
# the authority's certificate last: a DIR is complete only when all three are there
mv "$work/broker.p12" "$work/broker.password" "$dir/"
mv "$work/ca.crt" "$dir/"
echo "tls.sh: certificate authority and broker certificate for $names in $dir" >&2
