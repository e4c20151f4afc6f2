#!/bin/sh
# The image's HEALTHCHECK: vigia-server answers /healthz (no token needed) on its port, over
# plain HTTP, or over HTTPS when a mounted configuration turned TLS on. -k: the probe sends
# nothing secret and only asks whether this very process serves, so the certificate's name
# does not matter here.
curl -fsS -o /dev/null --max-time 2 http://127.0.0.1:8080/healthz ||
  curl -kfsS -o /dev/null --max-time 2 https://127.0.0.1:8080/healthz
