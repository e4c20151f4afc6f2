# Sourced by scripts/ and bench/: waiting for a vigia-server started with --listen …:0.
#
# wait_for_server LOG [SECONDS]: prints the base URL the server wrote to LOG ("listening on
# http://127.0.0.1:41234", or https://…), waiting up to SECONDS (default 10). If it never
# comes, prints LOG to stderr and returns 1.
wait_for_server() {
  local log="$1" tries=$((${2:-10} * 10)) url=""
  for _ in $(seq "$tries"); do
    url=$(grep -o -m1 'listening on https\?://[^ ]*' "$log" | sed 's/^listening on //' || true)
    if [ -n "$url" ]; then
      echo "$url"
      return 0
    fi
    sleep 0.1
  done
  echo "vigia-server did not start:" >&2
  cat "$log" >&2
  return 1
}
