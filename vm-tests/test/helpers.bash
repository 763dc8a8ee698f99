# Shared setup of the vm-tests bats files: moto_server S3 and an IMDSv2 stub on loopback, a bucket, and helpers that
# build payloads and boot the client (reboots simulated: exit 194 → new boot id → run the client again).

VMT_DIR="$(cd "$(dirname "${BATS_TEST_FILENAME}")/.." && pwd)"
CLIENT="$VMT_DIR/test-vm-client.sh"
export BUCKET=pullab-vmtests

free_port() {
  python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1]); s.close()'
}

wait_for_http() {
  local url="$1" i
  for i in $(seq 1 100); do
    curl -s -o /dev/null "$url" && return 0
    sleep 0.2
  done
  echo "no answer from $url" >&2
  return 1
}

start_moto() {
  local port="$1" log="$2"
  command -v moto_server >/dev/null || { echo "moto_server missing: .ci/run installs it" >&2; return 1; }
  moto_server -H 127.0.0.1 -p "$port" > "$log" 2>&1 &
  echo $!
}

# start_late_forwarder PORT TARGET_PORT DELAY: after DELAY seconds, accepts connections on PORT and forwards each to
# TARGET_PORT (an S3 that is already complete); until then nothing listens on PORT. Prints the forwarder's pid.
start_late_forwarder() {
  python3 - "$1" "$2" "$3" <<'PY' > /dev/null 2>&1 &
import socket, sys, threading, time
port, target, delay = int(sys.argv[1]), int(sys.argv[2]), float(sys.argv[3])
time.sleep(delay)
server = socket.socket()
server.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
server.bind(("127.0.0.1", port))
server.listen(16)
def pipe(src, dst):
    try:
        while True:
            data = src.recv(65536)
            if not data:
                break
            dst.sendall(data)
    except OSError:
        pass
    finally:
        for s in (src, dst):
            try:
                s.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass
while True:
    client, _ = server.accept()
    upstream = socket.create_connection(("127.0.0.1", target))
    threading.Thread(target=pipe, args=(client, upstream), daemon=True).start()
    threading.Thread(target=pipe, args=(upstream, client), daemon=True).start()
PY
  echo $!
}

start_services() {
  export AWS_ACCESS_KEY_ID=test AWS_SECRET_ACCESS_KEY=test AWS_REGION=us-east-1 AWS_DEFAULT_REGION=us-east-1
  unset AWS_ENDPOINT_URL AWS_PROFILE
  MOTO_PORT="$(free_port)"
  MOTO_PID="$(start_moto "$MOTO_PORT" "$BATS_FILE_TMPDIR/moto.log")"
  IMDS_PORT="$(free_port)"
  python3 "$VMT_DIR/test/imds_stub.py" "$IMDS_PORT" i-0123456789abcdef0 m5.large us-east-1 x86_64 \
    > "$BATS_FILE_TMPDIR/imds.log" 2>&1 &
  IMDS_PID=$!
  export MOTO_PORT MOTO_PID IMDS_PORT IMDS_PID
  export S3_ENDPOINT_URL="http://127.0.0.1:$MOTO_PORT" IMDS_ENDPOINT="http://127.0.0.1:$IMDS_PORT"
  wait_for_http "$S3_ENDPOINT_URL"
  wait_for_http "$IMDS_ENDPOINT/latest/api/token"
  aws --endpoint-url "$S3_ENDPOINT_URL" s3 mb "s3://$BUCKET" >/dev/null
}

stop_services() {
  kill "${MOTO_PID:-}" "${IMDS_PID:-}" 2>/dev/null || true
}

# A fresh HOME, run prefix, boot id and client configuration for one test.
new_run() {
  export HOME="$BATS_TEST_TMPDIR/home"
  mkdir -p "$HOME"
  export RUN_PREFIX="run_t${BATS_TEST_NUMBER}_$RANDOM"
  export TEST_NAME="${1:-demo}"
  export BOOT_ID_FILE="$BATS_TEST_TMPDIR/boot_id" BOOTS=1
  echo "boot-1" > "$BOOT_ID_FILE"
  export REBOOT_CMD="touch $BATS_TEST_TMPDIR/rebooted" POWEROFF_CMD="touch $BATS_TEST_TMPDIR/powered-off"
  export SAFETY_TIMER=none S3_ATTEMPTS=3 S3_BACKOFF_MAX=1 PULLAB_SIMULATE=1
  # the heartbeat goes to a file, never to the kernel log of the machine running the tests
  export KMSG="$BATS_TEST_TMPDIR/kmsg"
  export PULLAB_CLIENT_CONFIG="$BATS_TEST_TMPDIR/client.env"
  printf 'RESULTS_BUCKET=%s\nRUN_PREFIX=%s\nTEST_NAME=%s\nS3_ENDPOINT_URL=%s\n' \
    "$BUCKET" "$RUN_PREFIX" "$TEST_NAME" "$S3_ENDPOINT_URL" > "$PULLAB_CLIENT_CONFIG"
  export TEST_SRC="$BATS_TEST_TMPDIR/src"
  mkdir -p "$TEST_SRC"
  echo '{"kernel-rpms/src": false, "kernel-rpms/binary": false}' > "$TEST_SRC/external_requirements.json"
}

# stage FILE BODY: adds an executable stage script to the test being built.
stage() {
  printf '#!/usr/bin/env bash\nset -euo pipefail\n%s\n' "$2" > "$TEST_SRC/$1"
  chmod +x "$TEST_SRC/$1"
}

upload_payload() {
  (cd "$TEST_SRC" && zip -q -r "$BATS_TEST_TMPDIR/payload.zip" .)
  aws --endpoint-url "$S3_ENDPOINT_URL" s3 cp --only-show-errors "$BATS_TEST_TMPDIR/payload.zip" \
    "s3://$BUCKET/$RUN_PREFIX/test_$TEST_NAME/input/${TEST_NAME}_test_payload.zip"
}

# boot: one boot of the VM (the client run once); sets $status/$output through bats' run.
boot() {
  run --separate-stderr "$CLIENT" run
}

# reboot_vm: a new boot id, as after a real reboot.
reboot_vm() {
  BOOTS=$((BOOTS + 1))
  echo "boot-$BOOTS" > "$BOOT_ID_FILE"
}

# boot_until_done [MAX]: boots, rebooting after each exit 194, until the client stops asking (MAX boots at most).
boot_until_done() {
  local max="${1:-10}" i
  for ((i = 1; i <= max; i++)); do
    boot
    [ "$status" = 194 ] || return 0
    reboot_vm
  done
}

s3_cat() {
  aws --endpoint-url "$S3_ENDPOINT_URL" s3 cp --only-show-errors "s3://$BUCKET/$RUN_PREFIX/test_$TEST_NAME/$1" -
}

s3_exists() {
  aws --endpoint-url "$S3_ENDPOINT_URL" s3api head-object --bucket "$BUCKET" \
    --key "$RUN_PREFIX/test_$TEST_NAME/$1" >/dev/null 2>&1
}

output_of() {
  s3_cat "output/i-0123456789abcdef0/$1"
}
