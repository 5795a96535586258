# shellcheck shell=bash
# Sourced (not executed): the one place that knows how to run cargo for wasm32 here.
#
#   . scripts/wasm-env.sh
#   wasm_cargo build --release --lib
#   wasm_cargo test --test web_smoke           # runner set by the caller
#
# Two ways to get a wasm32 standard library (see /work/shared/TOOLCHAIN.md):
#   rustup  - the toolchain has the wasm32-unknown-unknown target installed
#             (an ordinary developer laptop): plain `cargo --target wasm32...`.
#   debian  - rustup cannot download targets on these machines; Debian's
#             rustc-web 1.9x + rust-web-src build std from source with
#             `-Z build-std` (nightly flag, allowed by RUSTC_BOOTSTRAP=1).
#
# Force one with PSEUDOLINK_WASM_TOOLCHAIN=rustup|debian.
#
# Both put artefacts under target/wasm (CARGO_TARGET_DIR), so a Debian-rustc
# wasm build never invalidates the rustup native build in target/ (different
# compilers would otherwise thrash each other's fingerprints).

WASM_TARGET=wasm32-unknown-unknown
WASM_REPO_ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
WASM_TARGET_DIR="${PSEUDOLINK_WASM_TARGET_DIR:-$WASM_REPO_ROOT/target/wasm}"

wasm_toolchain() {
    if [[ -n "${PSEUDOLINK_WASM_TOOLCHAIN:-}" ]]; then
        echo "$PSEUDOLINK_WASM_TOOLCHAIN"
    elif command -v rustup >/dev/null 2>&1 \
        && rustup target list --installed 2>/dev/null | grep -qx "$WASM_TARGET"; then
        echo rustup
    else
        echo debian
    fi
}

# wasm_cargo <subcommand> [args...]: cargo for wasm32 with the right toolchain,
# target and target dir. Extra environment (runner, drivers) passes through.
wasm_cargo() {
    local sub="$1"
    shift
    case "$(wasm_toolchain)" in
        rustup)
            CARGO_TARGET_DIR="$WASM_TARGET_DIR" \
                cargo "$sub" --target "$WASM_TARGET" "$@"
            ;;
        debian)
            if [[ ! -x /usr/bin/cargo || ! -d /usr/lib/rustlib/src/rust/library ]]; then
                echo "wasm-env: no wasm32 toolchain: run scripts/setup.sh (needs cargo-web, rust-web-src)" >&2
                return 1
            fi
            # /usr/bin first so Debian's cargo runs Debian's rustc (and clippy-driver);
            # RUSTUP_TOOLCHAIN unset so no rustup proxy is consulted.
            env -u RUSTUP_TOOLCHAIN -u RUSTC -u RUSTDOC \
                PATH="/usr/bin:$PATH" RUSTC_BOOTSTRAP=1 CARGO_TARGET_DIR="$WASM_TARGET_DIR" \
                /usr/bin/cargo "$sub" --target "$WASM_TARGET" -Z build-std=std,panic_abort "$@"
            ;;
        *)
            echo "wasm-env: unknown PSEUDOLINK_WASM_TOOLCHAIN '$(wasm_toolchain)'" >&2
            return 1
            ;;
    esac
}
