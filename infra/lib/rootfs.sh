# Sourced by infra/base/build-base.sh and infra/postgres/build-postgres.sh: offline local images from a
# cached Debian rootfs (debootstrap once, then copies), skipped when an image with the same build hash
# exists. Needs root (debootstrap, chroot), docker, debootstrap.
set -euo pipefail

WIRELAB_CACHE=${WIRELAB_CACHE:-$HOME/.cache/wirelab}
SUITE=${WIRELAB_DEBIAN_SUITE:-bookworm}
MIRROR=${WIRELAB_DEBIAN_MIRROR:-http://deb.debian.org/debian}
ROOTFS="$WIRELAB_CACHE/rootfs-$SUITE"
HASH_LABEL=org.wirelab.build-hash

_t0=$EPOCHREALTIME
since() { awk -v a="$1" -v b="$EPOCHREALTIME" 'BEGIN { printf "%.1f", b - a }'; }
log() { printf '[%s %5ss] %s\n' "${LOG_NAME:-infra}" "$(since "$_t0")" "$*" >&2; }
die() { log "ERROR: $*"; exit 1; }

need_tools() {
  [ "$(id -u)" -eq 0 ] || die "needs root (debootstrap and chroot)"
  command -v docker >/dev/null || die "docker not found"
  docker info >/dev/null 2>&1 || die "docker daemon not reachable (start it: nohup dockerd >/tmp/dockerd.log 2>&1 &)"
  command -v debootstrap >/dev/null || die "debootstrap not found (apt-get install -y debootstrap)"
}

# build_hash FILE... : a short hash of the given files' contents plus whatever is on stdin
build_hash() { { cat "$@"; cat; } | sha256sum | cut -c1-16; }

# image_current IMAGE HASH : true when IMAGE exists with that build hash label
image_current() {
  [ "$(docker image inspect -f "{{ index .Config.Labels \"$HASH_LABEL\" }}" "$1" 2>/dev/null)" = "$2" ]
}

# ensure_rootfs : the pristine minbase rootfs in the cache (about 1 minute the first time)
ensure_rootfs() {
  if [ -f "$ROOTFS/.wirelab-complete" ]; then
    log "rootfs cached: $ROOTFS"
    return
  fi
  log "debootstrap --variant=minbase $SUITE into $ROOTFS (first time only)"
  rm -rf "$ROOTFS.tmp"
  mkdir -p "$WIRELAB_CACHE"
  debootstrap --variant=minbase "$SUITE" "$ROOTFS.tmp" "$MIRROR" >"$WIRELAB_CACHE/debootstrap.log" 2>&1 \
    || die "debootstrap failed, see $WIRELAB_CACHE/debootstrap.log"
  touch "$ROOTFS.tmp/.wirelab-complete"
  rm -rf "$ROOTFS"
  mv "$ROOTFS.tmp" "$ROOTFS"
  log "rootfs ready"
}

# work_copy NAME : prints a fresh copy of the pristine rootfs to customise (the cache stays pristine)
work_copy() {
  local dir="$WIRELAB_CACHE/work-$1"
  rm -rf "$dir"
  cp -a "$ROOTFS" "$dir"
  rm -f "$dir/.wirelab-complete"
  echo "$dir"
}

# in_chroot DIR CMD... : runs CMD in DIR with /proc, /dev and the host's resolv.conf (for apt-get)
in_chroot() {
  local dir=$1; shift
  cp /etc/resolv.conf "$dir/etc/resolv.conf"
  mount -t proc proc "$dir/proc"
  mount --bind /dev "$dir/dev"
  printf '#!/bin/sh\nexit 101\n' >"$dir/usr/sbin/policy-rc.d"; chmod +x "$dir/usr/sbin/policy-rc.d"
  local rc=0
  chroot "$dir" /usr/bin/env -i PATH=/usr/sbin:/usr/bin:/sbin:/bin DEBIAN_FRONTEND=noninteractive LANG=C.UTF-8 "$@" || rc=$?
  umount "$dir/dev" "$dir/proc"
  rm -f "$dir/usr/sbin/policy-rc.d"
  return $rc
}

# slim DIR : drops what a container does not need (apt lists and caches, docs, man pages, translations)
# and tells dpkg to skip docs in later installs
slim() {
  local d=$1
  rm -rf "$d"/var/lib/apt/lists/* "$d"/var/cache/apt/* "$d"/var/cache/debconf/*-old "$d"/var/log/* \
         "$d"/usr/share/doc/* "$d"/usr/share/man/* "$d"/usr/share/info/* "$d"/usr/share/locale/* \
         "$d"/usr/share/lintian "$d"/usr/share/linda "$d"/usr/share/bash-completion "$d"/tmp/* "$d"/root/.cache \
         "$d"/var/lib/dpkg/*-old
  mkdir -p "$d/etc/dpkg/dpkg.cfg.d"
  printf '%s\n' 'path-exclude /usr/share/doc/*' 'path-exclude /usr/share/man/*' 'path-exclude /usr/share/info/*' \
    'path-exclude /usr/share/locale/*' >"$d/etc/dpkg/dpkg.cfg.d/01-wirelab-slim"
  : >"$d/etc/resolv.conf"
  echo wirelab >"$d/etc/hostname"
}

# import DIR IMAGE HASH [--change INSTR]... : the directory as a single-layer image, labelled with HASH
import_image() {
  local dir=$1 image=$2 hash=$3; shift 3
  local old
  old=$(docker image inspect -f '{{.Id}}' "$image" 2>/dev/null || true)
  log "docker import $image"
  tar --numeric-owner -C "$dir" -c . | docker import --change "LABEL $HASH_LABEL=$hash" "$@" - "$image" >/dev/null
  rm -rf "$dir"
  # The previous build, now untagged; kept while containers or images still use it.
  [ -z "$old" ] || docker image rm "$old" >/dev/null 2>&1 || true
  log "$image: $(docker image inspect -f '{{.Size}}' "$image" | awk '{printf "%.1f MB", $1/1e6}')"
}
