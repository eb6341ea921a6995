/**
 * A WebAssembly kernel from its base64 bytes (the generated kernel/*-wasm.ts modules): compiled
 * once per module, instantiated per caller, its memory grown to `bytes`.
 */

// The compile target's lib has no WebAssembly types; Node provides the global.
interface WasmApi {
  Module: new (bytes: Uint8Array) => object;
  Instance: new (module: object) => { exports: unknown };
}
const wasm = (globalThis as unknown as { WebAssembly: WasmApi }).WebAssembly;
const compiled = new Map<string, object>();

/** WebAssembly's page. */
export const WASM_PAGE = 65536;

export function instantiateKernel<T extends { memory: { buffer: ArrayBuffer; grow(pages: number): number } }>(base64: string, bytes: number): T {
  let mod = compiled.get(base64);
  if (!mod) compiled.set(base64, (mod = new wasm.Module(Buffer.from(base64, 'base64'))));
  const k = new wasm.Instance(mod).exports as T;
  const pages = Math.ceil(bytes / WASM_PAGE);
  if (pages > 1) k.memory.grow(pages - 1);
  return k;
}
