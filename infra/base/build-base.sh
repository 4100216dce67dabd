#!/usr/bin/env bash
# Builds wirelab/base:local offline: Debian bookworm minbase (debootstrap, cached in
# ~/.cache/wirelab/rootfs-bookworm), slimmed, plus a jlink Java runtime at /opt/java/openjdk and the
# user wirelab (uid/gid 10001); a stand-in for eclipse-temurin:21-jre where no registry is reachable.
# Skips the build when the image exists with the same hash of (these scripts, modules, JDK).
#   infra/base/build-base.sh [--force]      # env: WIRELAB_JDK (jlink's JDK), WIRELAB_CACHE, IMAGE
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
LOG_NAME=base
. "$here/../lib/rootfs.sh"

IMAGE=${IMAGE:-wirelab/base:local}
JDK=${WIRELAB_JDK:-/usr/lib/jvm/temurin-25-jdk-amd64}
force=false
[ "${1:-}" = --force ] && force=true

# Enough for the node services (jdk.httpserver, Jackson, java.logging) and the Spring Boot WebFlux
# control API (java.sql for JDBC, java.management for actuator/Hikari, java.naming, jdk.unsupported
# for Netty, java.sql.rowset for spring-jdbc; checked with jdeps on its dependency jars, infra/README.md).
MODULES=java.base,java.compiler,java.desktop,java.instrument,java.logging,java.management,java.naming,\
java.net.http,java.prefs,java.rmi,java.scripting,java.security.jgss,java.security.sasl,java.sql,\
java.sql.rowset,java.transaction.xa,java.xml,jdk.crypto.ec,jdk.httpserver,jdk.jfr,jdk.management,jdk.naming.dns,\
jdk.unsupported,jdk.zipfs,jdk.net
JAVA_PATH=/opt/java/openjdk/bin:/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin

[ -x "$JDK/bin/jlink" ] || die "no jlink in $JDK (set WIRELAB_JDK)"
hash=$(printf '%s\n%s\n%s\n' "$MODULES" "$SUITE" "$(cat "$JDK/release")" | build_hash "$0" "$here/../lib/rootfs.sh")
if ! $force && image_current "$IMAGE" "$hash"; then
  log "$IMAGE is current (hash $hash), skipped; --force rebuilds"
  exit 0
fi
need_tools
ensure_rootfs
dir=$(work_copy base)
slim "$dir"

log "jlink ($JDK, $(sed -n 's/^JAVA_RUNTIME_VERSION=//p' "$JDK/release" | tr -d '"'))"
# --compress=zip-6 is the JDK 21+ spelling; the default CDS archive makes every JVM start faster
# (the one for uncompressed oops, heaps over 32 GB, is dropped); native symbol tables go when strip exists.
"$JDK/bin/jlink" --add-modules "$MODULES" --strip-debug --no-man-pages --no-header-files \
  --compress=zip-6 --generate-cds-archive --output "$dir/opt/java/openjdk" >/dev/null
rm -f "$dir/opt/java/openjdk/lib/server/classes_nocoops.jsa"
if command -v strip >/dev/null; then
  find "$dir/opt/java/openjdk" -name '*.so' -exec strip --strip-unneeded {} +
  strip --strip-unneeded "$dir"/opt/java/openjdk/bin/*
fi
log "java runtime: $(du -sh "$dir/opt/java/openjdk" | cut -f1)"

chroot "$dir" groupadd --gid 10001 wirelab
chroot "$dir" useradd --uid 10001 --gid 10001 --create-home --home-dir /home/wirelab --shell /bin/bash wirelab
in_chroot "$dir" /opt/java/openjdk/bin/java -Xshare:on -version 2>&1 | sed 's/^/    /' >&2

import_image "$dir" "$IMAGE" "$hash" \
  --change "ENV PATH=$JAVA_PATH" --change 'ENV JAVA_HOME=/opt/java/openjdk' --change 'ENV LANG=C.UTF-8' \
  --change 'LABEL org.wirelab.image=base' --change 'USER 10001' --change 'WORKDIR /home/wirelab' \
  --change 'CMD ["/bin/bash"]'
log "done"
