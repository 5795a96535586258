#!/usr/bin/env bash
# Installs everything pseudolink's builds and tests need, idempotently:
# what is already present is skipped, and a second run prints nothing.
#
#   scripts/setup.sh            # install what is missing
#   scripts/setup.sh --check    # only report what is missing (exit 1 if anything is)
#
# Expects a Debian bookworm machine with rustup's stable Rust (+ clippy, rustfmt),
# Node >= 20 with npm, and Python 3. Installs:
#   - Debian packages: Debian's Rust 1.9x with std sources + wasm linker (used to
#     build the wasm32 std where rustup lacks the target; see scripts/wasm-env.sh),
#     Chromium + chromedriver, Firefox ESR, binaryen, wrk;
#   - wasm-bindgen-cli at exactly the wasm-bindgen version in Cargo.lock, and
#     geckodriver (cargo install, into ~/.cargo/bin);
#   - cargo-fuzz at a pinned version (cargo install --locked), for the fuzz
#     targets in fuzz/ (scripts/fuzz.sh, `make fuzz-smoke`);
#   - the JS test tooling in tests/js (npm ci: playwright-core, selenium-webdriver, esbuild, binaryen,
#     typescript, papaparse: the portal's CSV parser, vendored from there into www/vendor/);
#   - the Python package's venv (target/python-venv, scripts/python/venv.sh: maturin, pyarrow,
#     duckdb, numpy, splink, pytest, pinned).
# Background: /work/shared/TOOLCHAIN.md.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"

CHECK_ONLY=0
[[ "${1:-}" == "--check" ]] && CHECK_ONLY=1

GECKODRIVER_VERSION="${GECKODRIVER_VERSION:-0.37.1}"
CARGO_FUZZ_VERSION="${CARGO_FUZZ_VERSION:-0.13.1}"
CARGO_BIN="${CARGO_HOME:-$HOME/.cargo}/bin"
export PATH="$CARGO_BIN:$PATH"

missing=()
say() { echo "setup: $*"; }
die() { echo "setup: ERROR: $*" >&2; exit 1; }

# Runs a command as root: directly, or through sudo.
as_root() {
    if [[ $(id -u) -eq 0 ]]; then
        "$@"
    elif command -v sudo >/dev/null 2>&1; then
        sudo "$@"
    else
        die "need root (or sudo) to run: $*"
    fi
}

# ---------------------------------------------------------------- prerequisites
# Things this script does not install: fail with a clear message.
command -v cargo >/dev/null 2>&1 || die "cargo not found: install Rust with rustup (https://rustup.rs)"
cargo clippy --version >/dev/null 2>&1 || die "cargo clippy missing: rustup component add clippy"
cargo fmt --version >/dev/null 2>&1 || die "cargo fmt missing: rustup component add rustfmt"
command -v node >/dev/null 2>&1 || die "node not found: install Node.js >= 20"
command -v npm >/dev/null 2>&1 || die "npm not found: install Node.js >= 20 with npm"
node_major="$(node -p 'process.versions.node.split(".")[0]')"
(( node_major >= 20 )) || die "Node.js >= 20 needed, found $(node --version)"
command -v python3 >/dev/null 2>&1 || die "python3 not found"

# -------------------------------------------------------------- Debian packages
# Debian's Rust toolchain for the wasm32 std (rustup cannot download targets on
# these machines), the browsers and their drivers, size and load tools, and a C
# compiler (rusqlite's bundled SQLite).
APT_PACKAGES=(
    rustc-web cargo-web rust-web-src rust-web-llvm lld-22 rust-web-clippy
    chromium chromium-driver firefox-esr
    binaryen wrk
    build-essential gzip
    python3-venv  # scripts/clk/venv.sh: throw-away venv with clkhash, the CLK oracle
    openjdk-17-jre-headless  # Spark local mode in the python stage (python/tests/test_spark.py)
)
apt_missing=()
for p in "${APT_PACKAGES[@]}"; do
    if [[ "$(dpkg-query -W -f='${Status}' "$p" 2>/dev/null || true)" != "install ok installed" ]]; then
        apt_missing+=("$p")
    fi
done
if (( ${#apt_missing[@]} )); then
    missing+=("apt: ${apt_missing[*]}")
    if (( ! CHECK_ONLY )); then
        command -v apt-get >/dev/null 2>&1 || die "apt-get not found: this script supports Debian (bookworm)"
        say "apt-get install ${apt_missing[*]}"
        as_root apt-get update -qq || die "apt-get update failed"
        as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends \
            "${apt_missing[@]}" >/dev/null \
            || die "apt-get install ${apt_missing[*]} failed"
    fi
fi

# -------------------------------------------------------------- wasm32 std
# Either rustup has the target (plain cargo), or Debian's rustc builds std from
# source; scripts/wasm-env.sh makes the same choice at build time.
if ! rustup target list --installed 2>/dev/null | grep -qx wasm32-unknown-unknown; then
    if (( ! CHECK_ONLY )); then
        [[ -x /usr/bin/rustc && -x /usr/bin/cargo ]] \
            || die "no wasm32 toolchain: rustup lacks wasm32-unknown-unknown and Debian's rustc-web/cargo-web are missing"
        [[ -d /usr/lib/rustlib/src/rust/library ]] \
            || die "Debian's std sources are missing (/usr/lib/rustlib/src/rust/library): apt-get install rust-web-src"
        command -v rust-lld >/dev/null 2>&1 || [[ -e /usr/bin/rust-lld ]] \
            || die "rust-lld missing (wasm linker): apt-get install lld-22 rust-web-llvm"
    fi
fi

# -------------------------------------------------------------- cargo-installed tools
# wasm-bindgen's CLI must be exactly the version of the crate in Cargo.lock.
# No --locked: the CLI's own lock file names a crate version the registry here
# does not serve.
lock_wb="$(awk '/^name = "wasm-bindgen"$/ { getline; gsub(/version = |"/, ""); print; exit }' Cargo.lock)"
[[ -n "$lock_wb" ]] || die "no wasm-bindgen entry in Cargo.lock"
have_wb="$(wasm-bindgen --version 2>/dev/null | awk '{print $2}' || true)"
have_runner="$(command -v wasm-bindgen-test-runner || true)"
if [[ "$have_wb" != "$lock_wb" || -z "$have_runner" ]]; then
    missing+=("wasm-bindgen-cli $lock_wb (have: ${have_wb:-none})")
    if (( ! CHECK_ONLY )); then
        say "cargo install wasm-bindgen-cli --version $lock_wb (about 2 minutes)"
        cargo install --quiet --force wasm-bindgen-cli --version "$lock_wb" \
            || die "cargo install wasm-bindgen-cli $lock_wb failed"
    fi
fi

if ! command -v geckodriver >/dev/null 2>&1; then
    missing+=("geckodriver")
    if (( ! CHECK_ONLY )); then
        say "cargo install geckodriver --version $GECKODRIVER_VERSION (about 2 minutes)"
        cargo install --quiet geckodriver --version "$GECKODRIVER_VERSION" \
            || die "cargo install geckodriver failed"
    fi
fi

# cargo-fuzz (fuzz/, scripts/fuzz.sh): runs on the stable toolchain with
# RUSTC_BOOTSTRAP=1, see fuzz/README.md. Its lock file resolves here (--locked).
have_fuzz="$(cargo fuzz --version 2>/dev/null | awk '{print $2}' || true)"
if [[ "$have_fuzz" != "$CARGO_FUZZ_VERSION" ]]; then
    missing+=("cargo-fuzz $CARGO_FUZZ_VERSION (have: ${have_fuzz:-none})")
    if (( ! CHECK_ONLY )); then
        say "cargo install --locked cargo-fuzz --version $CARGO_FUZZ_VERSION (about 1 minute)"
        cargo install --quiet --locked --force cargo-fuzz --version "$CARGO_FUZZ_VERSION" \
            || die "cargo install cargo-fuzz $CARGO_FUZZ_VERSION failed"
    fi
fi

# -------------------------------------------------------------- JS test tooling
# tests/js: playwright-core (drives Debian's Chromium), esbuild (bundler test),
# binaryen (a current wasm-opt for scripts/build-pkg.sh), typescript (tsc for
# the types stage, a native binary from an optional dependency). `npm ci` installs
# exactly package-lock.json; it is rerun only when the lock file changed since
# the last install (npm keeps a copy in node_modules/.package-lock.json).
JS="$ROOT/tests/js"
if [[ ! -f "$JS/node_modules/.package-lock.json" || "$JS/package-lock.json" -nt "$JS/node_modules/.package-lock.json" ]]; then
    missing+=("npm: tests/js")
    if (( ! CHECK_ONLY )); then
        say "npm ci in tests/js"
        (cd "$JS" && npm ci --no-audit --no-fund --loglevel=error >/dev/null) \
            || die "npm ci in tests/js failed"
    fi
fi

# -------------------------------------------------------------- Python package venv
# The `python` stage's build and test environment (maturin, pyarrow, duckdb,
# numpy, splink, pytest; pinned in scripts/python/requirements.txt) under
# target/python-venv; recreated only when the pins change.
if ! cmp -s "$ROOT/scripts/python/requirements.txt" "$ROOT/target/python-venv/.requirements" 2>/dev/null; then
    missing+=("venv: target/python-venv")
    if (( ! CHECK_ONLY )); then
        say "python venv (scripts/python/venv.sh)"
        "$ROOT/scripts/python/venv.sh" >/dev/null || die "scripts/python/venv.sh failed"
    fi
fi

if (( CHECK_ONLY )); then
    if (( ${#missing[@]} )); then
        printf 'setup: missing: %s\n' "${missing[@]}"
        exit 1
    fi
    exit 0
fi

# -------------------------------------------------------------- final check
# Everything the Makefile relies on must now resolve.
for tool in wasm-bindgen wasm-bindgen-test-runner geckodriver cargo-fuzz chromium chromedriver firefox; do
    command -v "$tool" >/dev/null 2>&1 || die "$tool still not on PATH after setup (PATH=$PATH)"
done
[[ -x "$JS/node_modules/.bin/wasm-opt" ]] || die "tests/js/node_modules/.bin/wasm-opt missing after npm ci"
"$JS/node_modules/.bin/tsc" --version >/dev/null 2>&1 || die "tests/js/node_modules/.bin/tsc does not run after npm ci"
if (( ${#missing[@]} )); then
    say "done"
fi
