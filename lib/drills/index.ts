export * from './marker-job';
