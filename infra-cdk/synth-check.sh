#!/usr/bin/env bash
# Synthesizes the stack from the reactor's function jars with the aws-cdk CLI (installed from npm into target/, not
# globally) and lints the template with cfn-lint. Run by `mvn verify` (integration-test phase of infra-cdk).
set -euo pipefail
cd "$(dirname "$0")"
cli_version=2.1148.0
cli="target/cdk-cli"
for package in ../poller-function/target/poller-function.zip ../orchestrator-function/target/orchestrator-function.zip \
    ../analyzer-function/target/analyzer-function.zip; do
  [ -f "$package" ] || { echo "synth-check: $package is missing: build the reactor first (mvn -B verify)" >&2; exit 1; }
done
command -v cfn-lint >/dev/null || { echo "synth-check: cfn-lint is missing (.ci/run installs it)" >&2; exit 1; }
if [ ! -x "$cli/node_modules/.bin/cdk" ]; then
  npm install --prefix "$cli" --no-audit --no-fund --loglevel=error "aws-cdk@$cli_version"
fi
rm -rf cdk.out
"$cli/node_modules/.bin/cdk" synth --quiet > target/cdk-synth.log 2>&1 \
  || { cat target/cdk-synth.log >&2; echo "synth-check: cdk synth failed" >&2; exit 1; }
status=0
cfn-lint cdk.out/*.template.json || status=$?
# cfn-lint's exit status is a bit set: 2 errors, 4 warnings, 8 informational; only errors fail the build
if (( status & 2 )); then
  echo "synth-check: cfn-lint found errors" >&2
  exit 1
fi
echo "synth-check: cdk synth OK ($(ls cdk.out/*.template.json)), cfn-lint: no errors (status $status)"
