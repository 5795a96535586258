/** True where WebAssembly SIMD128 is available (checked once, at import). The
 * entries load their SIMD build (`*_simd_bg.wasm`) then, the scalar one otherwise. */
export declare const simd: boolean;
