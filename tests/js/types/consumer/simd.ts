// The `pseudolink/simd` entry, as a bundler user writes it: the flag picks the
// .wasm handed to init() (the entries' own default URL picks the same way).
// Type-checked only (tests/js/types/check.mjs).
import { simd } from 'pseudolink/simd';
import init from 'pseudolink';

const useSimd: boolean = simd;
await init({
  module_or_path: new URL(useSimd ? 'pseudolink/pseudolink_simd_bg.wasm' : 'pseudolink/pseudolink_bg.wasm', import.meta.url),
});
