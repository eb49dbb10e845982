# Sourced by ./mvnw and the module launchers: makes JAVA_HOME point at a JDK >= 25.
# Keeps JAVA_HOME when it already is one; otherwise takes the newest JDK >= 25 under /usr/lib/jvm
# (or $PEFT4J_JVM_DIR). Fails with a clear message when there is none.
peft4j_java_major() {
  "$1/bin/java" -XshowSettings:properties -version 2>&1 \
    | sed -n 's/^ *java.specification.version = \([0-9][0-9]*\).*/\1/p' | head -n 1
}
peft4j_find_jdk() {
  local required=25 candidate major best="" best_major=0
  if [ -n "${JAVA_HOME:-}" ] && [ -x "$JAVA_HOME/bin/javac" ]; then
    major=$(peft4j_java_major "$JAVA_HOME")
    if [ "${major:-0}" -ge "$required" ]; then return 0; fi
  fi
  for candidate in "${PEFT4J_JVM_DIR:-/usr/lib/jvm}"/*; do
    [ -x "$candidate/bin/javac" ] || continue
    major=$(peft4j_java_major "$candidate")
    if [ "${major:-0}" -ge "$required" ] && [ "$major" -gt "$best_major" ]; then
      best="$candidate"; best_major="$major"
    fi
  done
  if [ -z "$best" ]; then
    echo "peft4j needs a JDK >= $required: JAVA_HOME (${JAVA_HOME:-unset}) is not one and none was found under ${PEFT4J_JVM_DIR:-/usr/lib/jvm}." >&2
    echo "Install one (e.g. Temurin 25) and set JAVA_HOME to it." >&2
    return 1
  fi
  export JAVA_HOME="$best"
}
peft4j_find_jdk || exit 1
