#!/usr/bin/env bash
# Builds the JS package in pkg/ from the crate, with one command. First the
# cargo release builds of every entry, in two lanes at once (scalar in
# target/wasm, SIMD128 in target/wasm-simd: each build's LTO step runs on one
# core, so two lanes use this 2-core machine's both); then, for every package
# entry (ENTRIES below: an output name and the cargo features it has):
#   1. the cdylib for wasm32 from lane 1                (scripts/wasm-env.sh)
#   2. wasm-bindgen --target web  -> pkg/<name>{.js,.d.ts,_bg.wasm}; the .d.ts
#      gets `/// <reference lib="esnext.disposable" />` (for `[Symbol.dispose]`)
#   3. wasm-opt -Oz from the npm package binaryen      (skipped if not installed)
#   4. prints raw and gzip -9 sizes of the .wasm
#   5. for entries marked `simd`: the same build with
#      `-C target-feature=+simd128` from lane 2 (target/wasm-simd) ->
#      pkg/<name>_simd_bg.wasm. Its wasm-bindgen JS must equal the scalar
#      build's byte for byte (same imports and exports); the entry's JS then
#      loads the SIMD file where `WebAssembly.validate` of a tiny SIMD module
#      succeeds (pkg/simd.js), and the scalar file elsewhere. The multi-lane
#      SHA-256 (src/sha256x.rs) and the Dice popcount use SIMD there.
# pkg/package.json, node.js, oblivious*.js, README.md and .gitignore are
# hand-written and committed.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
# shellcheck source=scripts/wasm-env.sh
. scripts/wasm-env.sh

die() { echo "build-pkg: $*" >&2; exit 1; }

CRATE=pseudolink
PKG="$ROOT/pkg"
# Package entries, "<out name>:<comma-separated cargo features>[:simd][:speed]".
# Each is its own .wasm, so a page pays only for the entry it imports. The
# default entry must stay as small as it is: new features get their own entry.
# `simd`: also a SIMD128 build, chosen at load (tokens, CLKs, Dice benefit;
# the oblivious entry's hot path is curve arithmetic, which does not).
# `speed`: the crate at opt-level 3 instead of "s" (own target directories),
# for entries whose pages run bulk work (BENCHMARKS.md, "CLK encoding"); such
# an entry also takes the `perf` feature (the native token and normaliser
# paths, and the four-lane HMAC batch in its SIMD file).
ENTRIES=(
    "pseudolink::simd"
    "pseudolink_oblivious:oblivious"
    "pseudolink_link:link,perf:simd:speed"
    "pseudolink_identity:identity:simd"
)
WASM_OPT="${WASM_OPT:-$ROOT/tests/js/node_modules/.bin/wasm-opt}"

# The package version is the crate version: refuse to build a mismatched pair.
crate_version="$(sed -n 's/^version *= *"\(.*\)"/\1/p' Cargo.toml | head -n1)"
pkg_version="$(node -p 'require("./pkg/package.json").version' 2>/dev/null || true)"
[[ "$crate_version" == "$pkg_version" ]] \
    || die "pkg/package.json version '$pkg_version' != Cargo.toml version '$crate_version'; update pkg/package.json"

# wasm-bindgen's CLI must match the wasm-bindgen crate in Cargo.lock exactly.
lock_version="$(awk '/^name = "wasm-bindgen"$/ { getline; gsub(/version = |"/, ""); print; exit }' Cargo.lock)"
command -v wasm-bindgen >/dev/null || die "wasm-bindgen not found: run scripts/setup.sh"
cli_version="$(wasm-bindgen --version | awk '{print $2}')"
[[ "$cli_version" == "$lock_version" ]] \
    || die "wasm-bindgen CLI is $cli_version but Cargo.lock has $lock_version: run scripts/setup.sh"

if [[ "$(wasm_toolchain)" == debian ]]; then
    # With build-std, std itself is built with immediate-abort panics: no panic
    # formatting machinery ships (~6 KB gzip). The crate has no panics on input.
    export RUSTFLAGS="${RUSTFLAGS:-} -Zunstable-options -Cpanic=immediate-abort"
fi

# Remove the previous generated files only (the committed ones stay).
rm -rf "$PKG/snippets"

WASM_OPT_FEATURES=(--enable-bulk-memory --enable-nontrapping-float-to-int
    --enable-sign-ext --enable-mutable-globals --enable-reference-types
    --enable-multivalue)

build_entry() {
    local out_name="$1" features="$2"
    local wasm_in="$RAW/scalar/$out_name.wasm"
    [[ -f "$wasm_in" ]] || die "expected $wasm_in after the build"

    rm -f "$PKG/$out_name.js" "$PKG/$out_name.d.ts" "$PKG/${out_name}_bg.wasm" "$PKG/${out_name}_simd_bg.wasm" \
        "$PKG/${out_name}_bg.wasm.d.ts"

    echo "build-pkg: [$out_name] wasm-bindgen --target web"
    wasm-bindgen --target web --remove-name-section --remove-producers-section \
        --out-dir "$PKG" --out-name "$out_name" "$wasm_in"

    # The classes' `[Symbol.dispose]()` members need the disposable lib
    # (TypeScript >= 5.2): the declarations ask for it themselves, so consumers
    # type-check under any `lib` (es2020+ with dom); see pkg/README.md.
    local dts="$PKG/$out_name.d.ts"
    { echo '/// <reference lib="esnext.disposable" />'; cat "$dts"; } >"$dts.tmp"
    mv "$dts.tmp" "$dts"

    local wasm_out="$PKG/${out_name}_bg.wasm"
    local raw_before raw gz
    raw_before=$(wc -c <"$wasm_out")
    if [[ -x "$WASM_OPT" ]]; then
        echo "build-pkg: [$out_name] $("$WASM_OPT" --version) -Oz"
        # wasm-bindgen's output uses these post-MVP features; tell wasm-opt so it
        # keeps them instead of refusing the module.
        "$WASM_OPT" -Oz "${WASM_OPT_FEATURES[@]}" "$wasm_out" -o "$wasm_out.opt"
        mv "$wasm_out.opt" "$wasm_out"
    else
        echo "build-pkg: wasm-opt not found at $WASM_OPT (run scripts/setup.sh); the package works, only larger" >&2
    fi

    raw=$(wc -c <"$wasm_out")
    gz=$(gzip -9 -c "$wasm_out" | wc -c)
    printf 'build-pkg: pkg/%s_bg.wasm  %d bytes raw (before wasm-opt %d), %d bytes gzip -9\n' \
        "$out_name" "$raw" "$raw_before" "$gz"
}

# The SIMD128 build of an entry, after its scalar build: pkg/<name>_simd_bg.wasm,
# and the entry's JS taught to pick it.
build_simd() {
    local out_name="$1" features="$2"
    local tmp="$ROOT/target/pkg-simd"
    echo "build-pkg: [$out_name] SIMD128 build (target/wasm-simd)"
    local wasm_in="$RAW/simd/$out_name.wasm"
    [[ -f "$wasm_in" ]] || die "expected $wasm_in after the SIMD build"
    rm -rf "$tmp" && mkdir -p "$tmp"
    wasm-bindgen --target web --remove-name-section --remove-producers-section \
        --out-dir "$tmp" --out-name "$out_name" "$wasm_in"
    # One JS glue for both files: it must not depend on which was built.
    cmp -s "$tmp/$out_name.js" "$PKG/$out_name.js" \
        || die "[$out_name] the SIMD build's wasm-bindgen JS differs from the scalar build's"
    local wasm_out="$PKG/${out_name}_simd_bg.wasm"
    mv "$tmp/${out_name}_bg.wasm" "$wasm_out"
    rm -rf "$tmp"
    local raw_before raw gz
    raw_before=$(wc -c <"$wasm_out")
    if [[ -x "$WASM_OPT" ]]; then
        "$WASM_OPT" -Oz "${WASM_OPT_FEATURES[@]}" --enable-simd "$wasm_out" -o "$wasm_out.opt"
        mv "$wasm_out.opt" "$wasm_out"
    fi
    raw=$(wc -c <"$wasm_out")
    gz=$(gzip -9 -c "$wasm_out" | wc -c)
    printf 'build-pkg: pkg/%s_simd_bg.wasm  %d bytes raw (before wasm-opt %d), %d bytes gzip -9\n' \
        "$out_name" "$raw" "$raw_before" "$gz"

    # The glue's default module URL: the SIMD file where the engine has SIMD128
    # (pkg/simd.js). Two literal `new URL(..., import.meta.url)` so bundlers that
    # follow that pattern (webpack, Vite, Parcel) emit both files.
    local js="$PKG/$out_name.js"
    local from="module_or_path = new URL('${out_name}_bg.wasm', import.meta.url);"
    local to="module_or_path = simd ? new URL('${out_name}_simd_bg.wasm', import.meta.url) : new URL('${out_name}_bg.wasm', import.meta.url);"
    grep -qF "$from" "$js" || die "[$out_name] no default module URL to patch in $js"
    { echo "import { simd } from './simd.js';"; sed "s|$from|$to|" "$js"; } >"$js.tmp"
    mv "$js.tmp" "$js"
    grep -qF "$to" "$js" || die "[$out_name] patching the default module URL failed"
}

# Lane `scalar` or `simd`: the cargo build of every entry the lane has, each
# .wasm copied to $RAW/<lane>/<name>.wasm before the next build overwrites it.
# Returns non-zero at the first failed build (callers run it where `set -e`
# does not apply).
compile_lane() {
    local lane="$1" name features simd speed
    for entry in "${ENTRIES[@]}"; do
        IFS=: read -r name features simd speed <<<"$entry"
        [[ "$lane" == scalar || "$simd" == simd ]] || continue
        echo "build-pkg: [$name] cargo build --release --features '$features' ($lane lane, wasm32, $(wasm_toolchain) toolchain${speed:+, opt-level 3})"
        (
            if [[ "$lane" == simd ]]; then
                export RUSTFLAGS="${RUSTFLAGS:-} -C target-feature=+simd128"
                WASM_TARGET_DIR="$ROOT/target/wasm-simd"
            fi
            if [[ "$speed" == speed ]]; then
                export CARGO_PROFILE_RELEASE_OPT_LEVEL=3
                WASM_TARGET_DIR="$WASM_TARGET_DIR-speed"
            fi
            wasm_cargo build --release --lib --locked --no-default-features --features "$features" \
                && cp "$WASM_TARGET_DIR/$WASM_TARGET/release/$CRATE.wasm" "$RAW/$lane/$name.wasm"
        ) || return 1
    done
}

RAW="$ROOT/target/pkg-raw"
rm -rf "$RAW" && mkdir -p "$RAW/scalar" "$RAW/simd"
# Both lanes at once, each line prefixed with its lane; each lane's status in a file.
for lane in scalar simd; do
    { compile_lane "$lane"; echo $? >"$RAW/$lane.rc"; } 2>&1 | sed -u "s/^/[$lane] /" &
done
wait
for lane in scalar simd; do
    [[ "$(cat "$RAW/$lane.rc" 2>/dev/null)" == 0 ]] || die "the $lane lane's cargo build failed (see [$lane] lines above)"
done

for entry in "${ENTRIES[@]}"; do
    IFS=: read -r name features simd _ <<<"$entry"
    build_entry "$name" "$features"
    if [[ "$simd" == simd ]]; then
        build_simd "$name" "$features"
    fi
done
