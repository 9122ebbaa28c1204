import type { Dashboard } from '@grafana/schema';
export type GrafanaDashboard = Dashboard;
