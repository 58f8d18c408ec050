export * from './cloudflared-tunnel';
export * from './network-policies';
