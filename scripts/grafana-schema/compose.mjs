// Turns the schemas ts-json-schema-generator derived from Grafana's published TypeScript types
// into the one relaxed schema meshward validates its dashboards against.
//
// Usage: node compose.mjs <dir with *.schema.json> <output file>
//
// Relaxations, and why:
// - `required` keeps only the keys Grafana cannot default (panel `type` and `title`, `gridPos`
//   h/w/x/y, target `refId`/`expr`, threshold `color`). The TS types mark many keys required
//   that the frontend fills in on load; a dashboard need not spell them out.
// - Panel-or-row is an if/then/else on `type == "row"` instead of an anyOf, so a typo in a
//   panel is reported against the panel schema instead of as "matches no alternative".
// - Template variables may carry `definition` (the query text Grafana shows; not in the types).
// - `additionalProperties: false` stays everywhere the types have it: that is what catches
//   misspelt keys.
// Tightenings, from the foundation SDK's per-plugin types:
// - panel `targets` items are Prometheus queries;
// - `options` and `fieldConfig.defaults.custom` follow the plugin's own schema for the panel
//   types meshward emits (stat, gauge, timeseries, table).
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

const [dir, output] = process.argv.slice(2);
if (!dir || !output) {
  console.error('usage: node compose.mjs <schema dir> <output>');
  process.exit(2);
}

const load = (name) => {
  const doc = JSON.parse(readFileSync(join(dir, `${name}.schema.json`), 'utf8'));
  return doc.definitions[name];
};

const KEEP_REQUIRED = new Set(['refId', 'expr', 'h', 'w', 'x', 'y', 'color', 'type', 'title']);

// Drops `required` entries Grafana defaults, everywhere in a schema tree.
function relaxRequired(node) {
  if (Array.isArray(node)) {
    node.forEach(relaxRequired);
    return;
  }
  if (node === null || typeof node !== 'object') return;
  if (Array.isArray(node.required)) {
    node.required = node.required.filter((key) => KEEP_REQUIRED.has(key));
    if (node.required.length === 0) delete node.required;
  }
  for (const value of Object.values(node)) relaxRequired(value);
}

const dashboard = load('GrafanaDashboard');
const panels = dashboard.properties.panels.items.anyOf;
const panel = panels.find((alt) => alt.properties.type && !alt.properties.collapsed);
const row = panels.find((alt) => alt.properties.collapsed);
if (!panel || !row) throw new Error('panel/row alternatives not found: the types changed shape');

const prometheusQuery = load('PrometheusQuery');
panel.properties.targets.items = prometheusQuery;

const perType = {
  stat: { options: load('StatOptions') },
  gauge: { options: load('GaugeOptions') },
  timeseries: { options: load('TimeseriesOptions'), custom: load('TimeseriesFieldConfig') },
  table: { options: load('TableOptions'), custom: load('TableFieldConfig') },
};
panel.allOf = Object.entries(perType).map(([type, { options, custom }]) => {
  const then = { properties: { options } };
  if (custom) {
    then.properties.fieldConfig = {
      properties: { defaults: { properties: { custom } } },
    };
  }
  return { if: { properties: { type: { const: type } }, required: ['type'] }, then };
});

// Rows nest their collapsed panels; those are panels, not rows.
row.properties.panels.items = panel;
dashboard.properties.panels.items = {
  if: { properties: { type: { const: 'row' } }, required: ['type'] },
  then: row,
  else: panel,
};

dashboard.properties.templating.properties.list.items.properties.definition = {
  description: 'The query text Grafana shows for a query variable.',
  type: 'string',
};

relaxRequired(dashboard);

// Key order is sorted so that regenerating with the same inputs is byte-identical.
function sorted(node) {
  if (Array.isArray(node)) return node.map(sorted);
  if (node === null || typeof node !== 'object') return node;
  return Object.fromEntries(
    Object.keys(node)
      .sort()
      .map((key) => [key, sorted(node[key])]),
  );
}

const schema = {
  $schema: 'http://json-schema.org/draft-07/schema#',
  $comment:
    'Derived from the TypeScript types of @grafana/schema and @grafana/grafana-foundation-sdk ' +
    '(Apache-2.0) by scripts/grafana-schema/generate.sh; see README.md beside this file.',
  title: 'Grafana classic dashboard (relaxed)',
  ...dashboard,
};
writeFileSync(output, `${JSON.stringify(sorted(schema), null, 2)}\n`);
