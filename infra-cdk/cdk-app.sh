#!/usr/bin/env bash
# cdk.json's "app": runs PullabApp from the classes and the runtime classpath that the last reactor build of this
# checkout wrote (`mvn -B -DskipTests package` at the top), never from installed dev.pullab snapshots. PullabApp then
# refuses to synthesize when a function jar is missing or older than its sources (BuildCheck).
set -euo pipefail
cd "$(dirname "$0")"
classpath=target/cdk-app.classpath
if [ ! -f "$classpath" ] || [ ! -d target/classes ]; then
  echo "pullab: infra-cdk is not built ($PWD/$classpath is missing): run \`mvn -B -DskipTests package\` in $(cd .. && pwd) first" >&2
  exit 1
fi
exec java -cp "target/classes:$(cat "$classpath")" dev.pullab.infra.PullabApp
