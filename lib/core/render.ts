import { ApiObject } from 'cdk8s';

/**
 * Render once per synth. Several checks need an object's rendered JSON (admission on the rendered object, the
 * guardrails' footprint of a namespace, the writers, the first-sync model): inside `renderSession`, `rendered(obj)`
 * computes each object's JSON once and shares it. Outside a session it renders afresh, because a construct tree may
 * still change. The JSON is shared: read it, never change it.
 */
let cache: WeakMap<ApiObject, any> | undefined;

/** Runs `fn` with a render cache; the construct trees must not change while it runs (validation and writing). */
export function renderSession<T>(fn: () => T): T {
  if (cache) return fn();
  cache = new WeakMap();
  try {
    return fn();
  } finally {
    cache = undefined;
  }
}

/** The object's JSON, computed once per render session. */
export function rendered(obj: ApiObject): any {
  if (!cache) return obj.toJson();
  let json = cache.get(obj);
  if (json === undefined) {
    json = obj.toJson();
    cache.set(obj, json);
  }
  return json;
}
