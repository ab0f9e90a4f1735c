export * from './add-monitoring';
export { GRAFANA_DASHBOARD_LABEL } from './dashboard';
export { METRICS_SERVICE_LABEL } from './monitors';
