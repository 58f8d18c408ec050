export * from './alert-rules';
export * from './prometheus-rule';
export * from './pod-monitor';
export * from './grafana-dashboard';
export * from './custom-queries';
