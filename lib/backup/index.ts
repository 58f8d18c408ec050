export * from './backup-store';
export * from './scheduled-backup';
export * from './on-demand-backup';
export * from './backup-command';
export * from './recovery';
export * from './restore-drill';
