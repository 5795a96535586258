// Whether this engine runs WebAssembly SIMD128: validates a tiny module
// (`i8x16.splat` + `i8x16.popcnt` returning a v128, as wasm-feature-detect
// does). The entries' JS loads pkg/<entry>_simd_bg.wasm when true and the
// scalar pkg/<entry>_bg.wasm otherwise; both give byte-identical results.
// Bundler users who pass the module URL to `init` themselves can use it too:
//   import { simd } from 'pseudolink/simd';
const SIMD_PROBE = new Uint8Array([
    0, 97, 115, 109, 1, 0, 0, 0, 1, 5, 1, 96, 0, 1, 123, 3, 2, 1, 0, 10, 10, 1, 8, 0, 65, 0, 253, 15, 253, 98, 11,
]);

function detect() {
    try {
        return typeof WebAssembly === 'object' && WebAssembly.validate(SIMD_PROBE);
    } catch {
        return false;
    }
}

/** True where WebAssembly SIMD128 is available (checked once, at import). */
export const simd = detect();
