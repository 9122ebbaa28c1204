#!/usr/bin/env bash
# Regenerates rulegen/schema/grafana-dashboard.schema.json from Grafana's published
# TypeScript types. A maintainer step: it needs node, npm and the npm registry; CI only reads
# the committed schema.
#
# Usage: scripts/grafana-schema/generate.sh
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
repo="$(cd "$here/../.." && pwd)"
out="$repo/rulegen/schema/grafana-dashboard.schema.json"

# Bump these together, regenerate, and update rulegen/schema/README.md.
GRAFANA_SCHEMA=13.2.3
FOUNDATION_SDK=0.0.21
TYPESCRIPT=5.9.3
GENERATOR=2.4.0

work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
cd "$work"
npm init -y >/dev/null
npm install --no-audit --no-fund --silent \
  "@grafana/schema@$GRAFANA_SCHEMA" \
  "@grafana/grafana-foundation-sdk@$FOUNDATION_SDK" \
  "typescript@$TYPESCRIPT" \
  "ts-json-schema-generator@$GENERATOR"
cp "$here/tsconfig.json" "$here/dashboard-entry.ts" "$here/panel-entries.ts" .
mkdir gen

# `--expose none` inlines every type; with the default the generator stops on
# "DataSourceRef has multiple definitions".
generate() {
  npx ts-json-schema-generator --path "$1" --type "$2" --tsconfig tsconfig.json \
    --no-type-check --expose none --functions hide -o "gen/$2.schema.json"
}
generate dashboard-entry.ts GrafanaDashboard
for type in PrometheusQuery StatOptions GaugeOptions TimeseriesOptions TimeseriesFieldConfig \
  TableOptions TableFieldConfig; do
  generate panel-entries.ts "$type"
done

mkdir -p "$(dirname "$out")"
node "$here/compose.mjs" gen "$out.tmp"
mv "$out.tmp" "$out"
echo "wrote $out ($(wc -c <"$out") bytes)"
