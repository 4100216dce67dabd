# Sourced by scripts: sets JAVA_HOME to a JDK of version 21 or newer, or fails with a clear message.
# The JDK's major version from its release file (JAVA_VERSION="25.0.3", or "1.8.0_392" for 8), read
# without starting a JVM; a JDK without one is asked (one JVM start, ~0.1 s).
_java_major() {
  local v=""
  if [ -f "$1/release" ]; then
    v=$(sed -n 's/^JAVA_VERSION="\([^"]*\)".*/\1/p' "$1/release" | head -1)
    case "$v" in 1.*) v=${v#1.} ;; esac
    v=${v%%[.+_-]*}
  fi
  if [ -z "$v" ]; then
    v=$("$1/bin/java" -XshowSettings:properties -version 2>&1 | sed -n 's/^ *java.specification.version = //p' | head -1)
  fi
  printf '%s\n' "$v"
}
_ok_java() { [ -x "$1/bin/javac" ] && v=$(_java_major "$1") && [ "${v%%.*}" -ge 21 ] 2>/dev/null; }
if [ -n "${JAVA_HOME:-}" ] && _ok_java "$JAVA_HOME"; then
  :
else
  JAVA_HOME=""
  for d in /usr/lib/jvm/temurin-25-jdk-amd64 /usr/lib/jvm/temurin-21-jdk-amd64 /usr/lib/jvm/*; do
    if [ -d "$d" ] && _ok_java "$d"; then JAVA_HOME="$d"; break; fi
  done
  if [ -z "$JAVA_HOME" ] && command -v javac >/dev/null 2>&1; then
    d=$(dirname "$(dirname "$(readlink -f "$(command -v javac)")")")
    _ok_java "$d" && JAVA_HOME="$d"
  fi
  if [ -z "$JAVA_HOME" ]; then
    echo "Wirelab needs a JDK 21 or newer (set JAVA_HOME); none found under /usr/lib/jvm." >&2
    return 1 2>/dev/null || exit 1
  fi
fi
export JAVA_HOME
export PATH="$JAVA_HOME/bin:$PATH"
