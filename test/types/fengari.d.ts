// Minimal typings for fengari (a Lua VM in JavaScript), used by the Argo CD health-check tests.
declare module 'fengari' {
  export const lua: {
    LUA_OK: number;
    lua_pcall(L: unknown, nargs: number, nresults: number, msgh: number): number;
    lua_tostring(L: unknown, index: number): Uint8Array | null;
  };
  export const lauxlib: {
    luaL_newstate(): unknown;
    luaL_loadstring(L: unknown, code: Uint8Array): number;
  };
  export const lualib: { luaL_openlibs(L: unknown): void };
  export function to_luastring(s: string): Uint8Array;
  export function to_jsstring(s: Uint8Array | null): string;
}
