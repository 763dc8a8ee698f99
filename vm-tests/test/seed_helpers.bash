# Shared by seed-tests.bats and seed-client.bats: the kvm-unit-tests source tarball the tests download.
# shellcheck shell=bash

# The pinned kvm-unit-tests revision (KVMUT_DEFAULT_REF of lib/kvm_unit_tests.sh).
SEED_KVMUT_REF=1da1819e49fc4938985edca67df669099b4c87a7

# kvm_unit_tests_tarball TMP: TMP/www/kvm-unit-tests-<ref>.tar.gz laid out as GitLab's archive (one top-level
# directory) with the run_tests.sh and outcomes of test/fixtures/seed, a configure and a Makefile that only mark
# their step done.
kvm_unit_tests_tarball() {
  local tmp="$1" src
  mkdir -p "$tmp/www"
  src="$tmp/kvm-unit-tests-$SEED_KVMUT_REF"
  mkdir -p "$src"
  cp "$BATS_TEST_DIRNAME/fixtures/seed/run_tests.sh" "$BATS_TEST_DIRNAME/fixtures/seed/outcomes.txt" "$src/"
  printf '#!/bin/sh\necho "configured" > .configured\n' > "$src/configure"
  printf 'all:\n\ttest -f .configured\n\ttouch built\n' > "$src/Makefile"
  chmod +x "$src/configure"
  tar -C "$tmp" -czf "$tmp/www/kvm-unit-tests-$SEED_KVMUT_REF.tar.gz" "kvm-unit-tests-$SEED_KVMUT_REF"
}
