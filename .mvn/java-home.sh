# shellcheck shell=sh
# Finds a JDK 25 or newer and exports JAVA_HOME (and PATH) for ./mvnw and ./hshm.
# Order: $JAVA_HOME if it is >= 25; else the newest JDK >= 25 under the usual install folders;
# else `java` on PATH if it is >= 25. Stops with a clear message when there is none.
# POSIX sh: sourced by ./mvnw (sh, set -euf) and by ./hshm (bash).

hshm_java_major() { # $1 = a JDK home; prints its feature version, or nothing
  if [ -r "$1/release" ]; then
    sed -n 's/^JAVA_VERSION="\{0,1\}\([0-9][0-9]*\).*/\1/p' "$1/release" | head -n 1
  elif [ -x "$1/bin/java" ]; then
    "$1/bin/java" -XshowSettings:properties -version 2>&1 \
      | sed -n 's/^ *java\.specification\.version = \([0-9][0-9]*\).*/\1/p' | head -n 1
  fi
}

hshm_find_jdk() {
  if [ -n "${JAVA_HOME-}" ] && [ -x "$JAVA_HOME/bin/javac" ]; then
    v=$(hshm_java_major "$JAVA_HOME")
    if [ -n "$v" ] && [ "$v" -ge 25 ]; then printf '%s\n' "$JAVA_HOME"; return 0; fi
  fi
  best=; best_v=0
  case $- in *f*) hshm_noglob=1; set +f ;; *) hshm_noglob= ;; esac
  for d in /usr/lib/jvm/* /usr/java/* /opt/java/* /opt/jdk* "$HOME"/.sdkman/candidates/java/* \
           /Library/Java/JavaVirtualMachines/*/Contents/Home; do
    [ -x "$d/bin/javac" ] || continue
    v=$(hshm_java_major "$d")
    [ -n "$v" ] || continue
    if [ "$v" -ge 25 ] && [ "$v" -gt "$best_v" ]; then best=$d; best_v=$v; fi
  done
  [ -z "$hshm_noglob" ] || set -f
  if [ -n "$best" ]; then printf '%s\n' "$best"; return 0; fi
  if command -v javac >/dev/null 2>&1; then
    d=$(cd "$(dirname "$(readlink -f "$(command -v javac)")")/.." && pwd)
    v=$(hshm_java_major "$d")
    if [ -n "$v" ] && [ "$v" -ge 25 ]; then printf '%s\n' "$d"; return 0; fi
  fi
  return 1
}

if hshm_jdk=$(hshm_find_jdk); then
  JAVA_HOME=$hshm_jdk
  PATH="$JAVA_HOME/bin:$PATH"
  export JAVA_HOME PATH
else
  echo "hshm-java needs a JDK 25 or newer, and none was found." >&2
  echo "  Looked at: \$JAVA_HOME (${JAVA_HOME:-unset}), /usr/lib/jvm/*, /usr/java/*, /opt/java/*, /opt/jdk*," >&2
  echo "  ~/.sdkman/candidates/java/*, /Library/Java/JavaVirtualMachines/*, and javac on PATH." >&2
  echo "  Install one (e.g. Temurin 25: https://adoptium.net) and/or set JAVA_HOME to it." >&2
  exit 1
fi

# Maven 3.9's Guice calls sun.misc.Unsafe, which JDK 24+ warns about on every run; the JDK found above
# is >= 25, so the flag that allows it quietly is known to it.
case " ${MAVEN_OPTS-} " in
  *sun-misc-unsafe-memory-access*) ;;
  *) MAVEN_OPTS="--sun-misc-unsafe-memory-access=allow ${MAVEN_OPTS-}"; export MAVEN_OPTS ;;
esac
