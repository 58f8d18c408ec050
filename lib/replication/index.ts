export * from './publication';
export * from './subscription';
