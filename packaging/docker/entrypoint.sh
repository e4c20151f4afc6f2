#!/bin/sh
# The image's entry point (docs/deployment.md). With no command, or only flags, it starts vigia-server as
# the image promises: listening on every address at 8080, data in the volume /var/lib/vigia,
# /etc/vigia/server.toml when one is mounted, and token files from Docker or Compose secrets
# when they are there. With neither tokens nor a configuration that has some, vigia-server
# itself refuses to listen beyond loopback (exit 2). Any other command (vigia-agent run ...,
# sqlite3 ...) runs as given.
set -eu

case "${1:-}" in
  "" | -*) ;;
  *) exec "$@" ;;
esac

set -- --listen 0.0.0.0:8080 --data-dir /var/lib/vigia "$@"
if [ -f /etc/vigia/server.toml ]; then set -- --config /etc/vigia/server.toml "$@"; fi
for kind in ingest read; do
  secret="/run/secrets/vigia_${kind}_tokens"
  if [ -e "$secret" ]; then set -- "$@" "--${kind}-token-file" "$secret"; fi
done
exec vigia-server "$@"
