#!/usr/bin/env bash
# Builds wirelab/postgres:local offline: Debian bookworm's postgresql-15 installed (apt-get in a chroot)
# into a copy of the cached minbase rootfs, with an entrypoint that behaves like the official postgres
# image's for what compose uses: POSTGRES_USER / POSTGRES_PASSWORD / POSTGRES_DB, data in
# /var/lib/postgresql/data (initdb on first start), listening on 5432 on all interfaces.
# Skips the build when the image exists with the same hash of these scripts.
#   infra/postgres/build-postgres.sh [--force]
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
LOG_NAME=postgres
. "$here/../lib/rootfs.sh"

IMAGE=${IMAGE:-wirelab/postgres:local}
PG_MAJOR=15
force=false
[ "${1:-}" = --force ] && force=true

hash=$(printf '%s\n%s\n' "$PG_MAJOR" "$SUITE" | build_hash "$0" "$here/../lib/rootfs.sh" "$here/docker-entrypoint.sh")
if ! $force && image_current "$IMAGE" "$hash"; then
  log "$IMAGE is current (hash $hash), skipped; --force rebuilds"
  exit 0
fi
need_tools
ensure_rootfs
dir=$(work_copy postgres)

# No cluster from the package (the entrypoint makes one in the volume); uid/gid 999 as the official image.
mkdir -p "$dir/etc/postgresql-common"
echo 'create_main_cluster = false' >"$dir/etc/postgresql-common/createcluster.conf"
in_chroot "$dir" sh -c 'groupadd -r -g 999 postgres && useradd -r -u 999 -g 999 -d /var/lib/postgresql -s /bin/bash postgres'
log "apt-get install postgresql-$PG_MAJOR"
printf '%s\n' 'path-exclude /usr/share/doc/*' 'path-exclude /usr/share/man/*' 'path-exclude /usr/share/locale/*' \
  >"$dir/etc/dpkg/dpkg.cfg.d/01-wirelab-slim"
in_chroot "$dir" sh -c "apt-get update -qq && apt-get install -y -qq --no-install-recommends postgresql-$PG_MAJOR" \
  >"$WIRELAB_CACHE/postgres-apt.log" 2>&1 || die "apt-get failed, see $WIRELAB_CACHE/postgres-apt.log"
log "installed: $(in_chroot "$dir" dpkg-query -W -f '${Version}' "postgresql-$PG_MAJOR")"
# Not needed by the server: the LLVM JIT (libLLVM, z3, bitcode; about 140 MB; PostgreSQL runs without
# JIT when llvmjit.so is absent) and perl, locales (only postgresql-common's wrappers use them; the
# entrypoint calls the binaries, and initdb uses C.UTF-8 from libc). Forced out, dpkg keeps a note.
rm -rf "$dir/usr/lib/postgresql/$PG_MAJOR/lib/llvmjit"* "$dir/usr/lib/postgresql/$PG_MAJOR/lib/bitcode"
in_chroot "$dir" sh -c 'dpkg --purge --force-depends $(dpkg-query -W -f "\${Package}\n" \
    "libllvm*" "libz3-*" perl "libperl5*" "perl-modules-*" locales 2>/dev/null)' >>"$WIRELAB_CACHE/postgres-apt.log" 2>&1
slim "$dir"
install -m 0755 "$here/docker-entrypoint.sh" "$dir/usr/local/bin/docker-entrypoint.sh"
mkdir -p "$dir/var/lib/postgresql/data" "$dir/var/run/postgresql"
chown -R 999:999 "$dir/var/lib/postgresql" "$dir/var/run/postgresql"
chmod 0700 "$dir/var/lib/postgresql/data"
chmod 2777 "$dir/var/run/postgresql"

import_image "$dir" "$IMAGE" "$hash" \
  --change "ENV PATH=/usr/lib/postgresql/$PG_MAJOR/bin:/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin" \
  --change 'ENV PGDATA=/var/lib/postgresql/data' --change 'ENV LANG=C.UTF-8' \
  --change 'LABEL org.wirelab.image=postgres' --change 'VOLUME /var/lib/postgresql/data' \
  --change 'EXPOSE 5432' \
  --change 'ENTRYPOINT ["docker-entrypoint.sh"]' --change 'CMD ["postgres"]'
log "done"
