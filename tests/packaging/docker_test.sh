#!/usr/bin/env bash
# The container image and compose.yaml, for real (docs/deployment.md): a dockerd of the test's own, a
# Debian 12 base made with debootstrap (no registry is reachable), the image built from
# packaging/docker/Dockerfile, and compose.yaml started with Debian's docker-compose. Checks
# that the server's health check goes healthy, that both containers run as non-root, that the
# agent container's report lands in the server's volume and describes the host (a marker
# process of the host, its PID, its address), and that the image's server refuses to start
# without tokens. Everything it started is removed by id on the way out; the Docker data dir
# (images, build cache) and the base tarball stay in WORK_DIR for the next run.
#
# Usage: docker_test.sh SOURCE_DIR WORK_DIR. Exit 77: skipped (never in CI).
set -euo pipefail
src="$(cd "$1" && pwd)"
mkdir -p "$2"
work="$(cd "$2" && pwd)"  # dockerd and containerd want absolute paths
docker=/usr/bin/docker  # Debian's CLI: another docker on PATH may not match this dockerd
compose=/usr/bin/docker-compose

missing() {
  if [ "${CI:-}" = true ]; then
    echo "FAIL: $* (CI must have it: scripts/install-deps.sh)"
    exit 1
  fi
  echo "skipped: $*"
  exit 77
}
[ "$(id -u)" = 0 ] || missing "needs root (dockerd, debootstrap)"
for tool in /usr/sbin/dockerd "$docker" "$compose" /usr/sbin/debootstrap python3 curl; do
  command -v "$tool" >/dev/null || missing "$tool is not installed"
done

phase_start=$SECONDS
phase() {
  echo "== $1 (previous step: $((SECONDS - phase_start)) s)"
  phase_start=$SECONDS
}

run_dir="$(mktemp -d "$work/run.XXXXXX")"
sock="$run_dir/docker.sock"
export DOCKER_HOST="unix://$sock"
project="vigiatest$$"
dockerd_pid="" marker_pid="" refused_id=""

cleanup() {
  set +e
  if [ -S "$sock" ]; then
    (cd "$run_dir/compose" 2>/dev/null &&
      "$compose" -p "$project" -f compose.yaml -f test.override.yaml down -v --timeout 5 \
        >/dev/null 2>&1)
    # Whatever compose did not take away, by id: containers, then their volumes and networks.
    for id in $("$docker" ps -aq --filter "label=com.docker.compose.project=$project") \
      $refused_id; do
      "$docker" rm -f -v "$id" >/dev/null
    done
    for id in $("$docker" volume ls -q --filter "label=com.docker.compose.project=$project"); do
      "$docker" volume rm "$id" >/dev/null
    done
    for id in $("$docker" network ls -q --filter "label=com.docker.compose.project=$project"); do
      "$docker" network rm "$id" >/dev/null
    done
  fi
  [ -n "$marker_pid" ] && kill "$marker_pid" 2>/dev/null
  if [ -n "$dockerd_pid" ]; then
    kill "$dockerd_pid"
    wait "$dockerd_pid" 2>/dev/null
  fi
  # dockerd leaves its network namespace handle mounted in its exec root.
  awk -v dir="$run_dir/" 'index($2, dir) == 1 { print $2 }' /proc/mounts | sort -r |
    while read -r mount; do umount "$mount"; done
  rm -rf "$run_dir"
}
trap cleanup EXIT
# Stopped (Ctrl-C, a kill): exit, so that the cleanup runs.
trap 'exit 130' INT
trap 'exit 143' TERM

phase "base image tarball (debootstrap --variant=minbase bookworm, cached)"
base_tar="$work/bookworm-minbase.tar"
"$src/scripts/lib/bookworm_minbase.sh" "$base_tar"

phase "dockerd"
# No bridge and no iptables rules: the test's dockerd leaves the host's firewall and routes
# alone. Builds use the host's network; compose's own network still joins its containers.
/usr/sbin/dockerd --data-root "$work/docker-data" --exec-root "$run_dir/exec" \
  --pidfile "$run_dir/dockerd.pid" -H "unix://$sock" --storage-driver overlay2 \
  --iptables=false --ip-masq=false --bridge=none >"$run_dir/dockerd.log" 2>&1 &
dockerd_pid=$!
for _ in $(seq 300); do
  "$docker" version >/dev/null 2>&1 && break
  kill -0 "$dockerd_pid" 2>/dev/null || { cat "$run_dir/dockerd.log"; exit 1; }
  sleep 0.1
done
"$docker" version >/dev/null || { cat "$run_dir/dockerd.log"; exit 1; }

phase "base image (docker import)"
base="vigia-test-base:bookworm"
"$docker" image inspect "$base" >/dev/null 2>&1 || "$docker" import "$base_tar" "$base" >/dev/null

phase "image build"
image="vigia-test:latest"
# The certificates this host added to its trust (Debian's place for local CAs): where the npm
# registry is reached through a TLS-inspecting proxy, the image's npm ci needs them as this host's
# npm does; the imported base has only Debian's.
extra_ca=""
for crt in /usr/local/share/ca-certificates/*.crt /usr/local/share/ca-certificates/*/*.crt; do
  [ -f "$crt" ] && extra_ca+="$(cat "$crt")"$'\n'
done
"$docker" build --network host --build-arg "BASE_IMAGE=$base" --build-arg "EXTRA_CA_CERTS=$extra_ca" \
  -f "$src/packaging/docker/Dockerfile" -t "$image" "$src" >"$run_dir/build.log" 2>&1 ||
  { tail -50 "$run_dir/build.log"; exit 1; }
"$docker" image inspect -f 'image size: {{.Size}} bytes' "$image"

phase "the image's server refuses to start without tokens"
refused_id="$("$docker" create --network none "$image")"
set +e
"$docker" start -a "$refused_id" >"$run_dir/refused.log" 2>&1
refused_rc=$?
set -e
if [ "$refused_rc" != 2 ] || ! grep -qi "token" "$run_dir/refused.log"; then
  echo "a server without tokens should exit 2 naming the missing tokens; it exited $refused_rc:"
  cat "$run_dir/refused.log"
  exit 1
fi

phase "compose up"
# A process of the host's that no container has: the agent's report must list it.
marker="vigia-docker-marker-$$"
bash -c "exec -a $marker sleep 600" &
marker_pid=$!
mkdir -p "$run_dir/compose/secrets"
cp "$src/compose.yaml" "$run_dir/compose/compose.yaml"
ingest="$(openssl rand -hex 32)" read_token="$(openssl rand -hex 32)"
printf '# the compose agent\n%s\n' "$ingest" >"$run_dir/compose/secrets/ingest_tokens"
printf '%s\n' "$ingest" >"$run_dir/compose/secrets/agent_token"
printf '%s\n' "$read_token" >"$run_dir/compose/secrets/read_tokens"
# As docs/deployment.md says: readable by the image's user only.
chown 10001 "$run_dir"/compose/secrets/*
chmod 0400 "$run_dir"/compose/secrets/*
cat >"$run_dir/compose/test.override.yaml" <<EOF
services:
  server:
    image: $image
  agent:
    image: $image
EOF
port="$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')"
cd "$run_dir/compose"
VIGIA_PORT="$port" VIGIA_INTERVAL=2 "$compose" -p "$project" -f compose.yaml \
  -f test.override.yaml up -d --no-build >"$run_dir/compose.log" 2>&1 ||
  { cat "$run_dir/compose.log"; exit 1; }
server_id="$("$compose" -p "$project" -f compose.yaml -f test.override.yaml ps -q server)"
agent_id="$("$compose" -p "$project" -f compose.yaml -f test.override.yaml ps -q agent)"
logs() {
  "$docker" logs "$server_id" 2>&1 | tail -20
  "$docker" logs "$agent_id" 2>&1 | tail -20
}

phase "health check"
health=""
for _ in $(seq 90); do
  health="$("$docker" inspect -f '{{.State.Health.Status}}' "$server_id")"
  [ "$health" = healthy ] && break
  sleep 1
done
[ "$health" = healthy ] || { echo "server health: $health"; logs; exit 1; }

phase "non-root"
for id in "$server_id" "$agent_id"; do
  user="$("$docker" inspect -f '{{.Config.User}}' "$id")"
  uid="$("$docker" exec "$id" id -u)"
  if [ "$uid" = 0 ] || [ "$user" != 10001:10001 ]; then
    echo "container $id runs as uid $uid (image user \"$user\"); expected 10001"
    exit 1
  fi
done

phase "the agent's report in the server's volume"
found=""
for _ in $(seq 60); do
  if "$docker" exec "$server_id" sh -c 'cat /var/lib/vigia/json/*.jsonl' \
    >"$run_dir/reports.jsonl" 2>/dev/null &&
    grep -q "$marker" "$run_dir/reports.jsonl"; then
    found=yes
    break
  fi
  sleep 1
done
[ -n "$found" ] || { echo "no report listing $marker reached the server's volume"; logs; exit 1; }
"$docker" exec "$server_id" ls /var/lib/vigia/json >"$run_dir/files"
host_name="$(sed -n '/^[^#]/{p;q}' /etc/hostname 2>/dev/null || true)"
[ -n "$host_name" ] || host_name="$(uname -n)"
python3 - "$run_dir/reports.jsonl" "$run_dir/files" "$marker" "$marker_pid" "$host_name" <<'EOF'
import ipaddress, json, pathlib, sys
reports_file, files_file, marker, marker_pid, host_name = sys.argv[1:]
reports = [json.loads(line) for line in open(reports_file) if line.strip()]
r = next(r for r in reports if any(marker in (p.get("command") or "") for p in r["processes"]))
proc = next(p for p in r["processes"] if marker in (p.get("command") or ""))
# The host's PID, not a container's: the agent read the host's /proc in the host's namespace.
assert proc["pid"] == int(marker_pid), (proc, marker_pid)
ip = ipaddress.ip_address(r["host"]["ip"])
assert not ip.is_loopback, "host.ip is loopback: %s" % ip
files = open(files_file).read().split()
assert any(f.startswith(str(ip) + "_") for f in files), (ip, files)
assert not any(f.startswith("127.") for f in files), files
assert r["host"]["hostname"] == host_name, (r["host"]["hostname"], host_name)
machine_id = pathlib.Path("/etc/machine-id")
if machine_id.exists() and machine_id.read_text().strip():
    assert r["host"].get("machine_id") == machine_id.read_text().strip(), r["host"]
print("report %s: host %s (%s), %d processes, marker pid %s, files %s"
      % (r["report_id"], r["host"]["hostname"], ip, len(r["processes"]), marker_pid, files))
EOF
# The read API serves it too, through the published port, with the read secret.
curl -fsS -H "Authorization: Bearer $read_token" "http://127.0.0.1:$port/api/v1/servers" |
  python3 -c 'import json, sys; items = json.load(sys.stdin)["items"]; assert items, items'
phase "done"
echo "docker test passed in $SECONDS s"
