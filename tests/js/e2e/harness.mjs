// Shared helpers for the browser tests. Builds nothing: it needs the server
// binary (`make server`, or `cargo build --features server`) and the package
// (`make pkg`) to exist already.
//
//   const h = await startHarness();                 // server + Chromium
//   const p = await h.open('/checkout/', 'checkout'); // page, errors, requests
//   ...; await h.screenshot(p.page, 'checkout');
//   h.assertNoRawValues(['jane@example.com']);       // no request carried them
//   await h.close();
//
// Chromium is Debian's (/usr/bin/chromium) driven by playwright-core, with the
// flags from TOOLCHAIN.md and a fresh user-data dir per harness.
import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { createInterface } from 'node:readline';
import { existsSync, mkdirSync, mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import assert from 'node:assert/strict';
import { chromium } from 'playwright-core';

export const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..', '..');
export const ARTIFACTS = path.join(ROOT, 'tests', 'e2e-artifacts');

export const CHROMIUM = process.env.CHROMIUM ?? '/usr/bin/chromium';
export const CHROMIUM_ARGS = [
    '--no-sandbox',
    '--disable-gpu',
    '--disable-quic',
    '--no-first-run',
    // Without these Chromium floods the (closed) network with background requests.
    '--disable-background-networking',
    '--disable-component-update',
    '--disable-sync',
];

/** The server binary: $PSEUDOLINK_SERVER, else the newer of release/debug. */
export function serverBinary() {
    if (process.env.PSEUDOLINK_SERVER) return process.env.PSEUDOLINK_SERVER;
    const candidates = ['release', 'debug']
        .map((p) => path.join(ROOT, 'target', p, 'pseudolink-server'))
        .filter((p) => existsSync(p))
        .sort((a, b) => statSync(b).mtimeMs - statSync(a).mtimeMs);
    if (!candidates.length) {
        throw new Error('pseudolink-server not built: run `make server` (or cargo build --features server)');
    }
    return candidates[0];
}

/** The demo key server config (demo/keyserver/, demo-only seeds and API key). */
export const DEMO_KEYSERVER = path.join(ROOT, 'demo', 'keyserver', 'keyserver.json');
/** The demo checkout page's publishable key-server credential. */
export const DEMO_API_KEY = 'pk_demo_checkout_not_secret';
/** The demo back office's key for GET /api/orders (the Makefile's ORDERS_KEY_SHA256 is its SHA-256; no page holds it). */
export const DEMO_ORDERS_KEY = 'demo_back_office_orders_not_secret';

/**
 * Starts the real server on a free port. Resolves to {url, keyserverUrl,
 * linkageUrl, stop(), log}, where `log` collects the server's stderr lines
 * (its request log). With `keyserver` (a config path) the OPRF key server
 * runs too, and with `linkage` (a config path) the linkage service, each on
 * its own free port; `linkageDb` is the linkage store (default: the server's,
 * in memory). With `console: true` the staff console gets its own listener
 * too (`consoleUrl`; the pages' listener answers 404 under /console/).
 */
export async function startServer({ www = path.join(ROOT, 'www'), pkg = path.join(ROOT, 'pkg'), keyserver, linkage, linkageDb, console: staffConsole = false } = {}) {
    const bin = serverBinary();
    const args = ['--port', '0', '--www', www, '--pkg', pkg,
        '--orders-key-sha256', createHash('sha256').update(DEMO_ORDERS_KEY).digest('hex')];
    if (keyserver) args.push('--keyserver', keyserver, '--keyserver-port', '0');
    if (linkage) args.push('--linkage', linkage, '--linkage-port', '0');
    if (linkage && linkageDb) args.push('--linkage-db', linkageDb);
    if (staffConsole) args.push('--console-port', '0');
    const child = spawn(bin, args, {
        stdio: ['ignore', 'pipe', 'pipe'],
    });
    const log = [];
    createInterface({ input: child.stderr }).on('line', (l) => log.push(l));
    const exited = new Promise((resolve) => child.once('exit', (code, signal) => resolve({ code, signal })));

    // stdout: `listening on URL`, then `keyserver listening on URL`, `linkage listening on URL`, `console listening on URL`.
    const roles = ['', ...(keyserver ? ['keyserver '] : []), ...(linkage ? ['linkage '] : []), ...(staffConsole ? ['console '] : [])];
    const got = await new Promise((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`${bin}: no address within 15 s`)), 15000);
        const lines = createInterface({ input: child.stdout });
        const out = [];
        lines.on('line', (line) => {
            if (out.length >= roles.length) return;
            const m = /^((?:keyserver |linkage |console )?)listening on (http:\/\/127\.0\.0\.1:\d+)$/.exec(line.trim());
            if (!m || m[1] !== roles[out.length]) {
                clearTimeout(timer);
                reject(new Error(`${bin}: unexpected line ${out.length + 1}`));
                return;
            }
            out.push(m[2]);
            if (out.length === roles.length) {
                clearTimeout(timer);
                resolve(out);
            }
        });
        exited.then(({ code }) => {
            clearTimeout(timer);
            reject(new Error(`${bin} exited (${code}) before listening: ${log.join('\n')}`));
        });
    });
    const url = got[0];
    const keyserverUrl = keyserver ? got[1] : undefined;
    const at = (role) => (roles.includes(role) ? got[roles.indexOf(role)] : undefined);
    const linkageUrl = at('linkage ');
    const consoleUrl = at('console ');

    async function stop() {
        if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
        const res = await Promise.race([exited, new Promise((r) => setTimeout(() => r(null), 5000))]);
        if (res === null) {
            child.kill('SIGKILL');
            await exited;
            throw new Error('server did not stop within 5 s of SIGTERM');
        }
        return res;
    }
    return { url, keyserverUrl, linkageUrl, consoleUrl, stop, log };
}

/**
 * Fails if any of `requests` ({url, method, headers, body}) carries one of
 * `values` (raw identifiers typed into a page) in its URL, headers or body,
 * verbatim or URL-encoded. The failure message names the request, never the
 * value. Shared by every page suite, in every browser.
 *
 * A value shorter than `WHOLE_TOKEN_BELOW` characters counts only as a whole
 * token, not flanked by a base64 or base64url character: three letters such
 * as "Doe" turn up by chance inside the random base64 of a blinded element
 * about once in 700 evaluate requests, and a page that leaked the value
 * would send it delimited (a JSON string, a query parameter).
 */
export function assertNoRawValues(requests, values) {
    assert.ok(requests.length > 0, 'requests were recorded');
    for (const v of values) {
        const forms = new Set([v, encodeURIComponent(v), encodeURIComponent(v).replace(/%20/g, '+')]);
        for (const r of requests) {
            const hay = [r.url, JSON.stringify(r.headers), r.body].join('\n');
            for (const f of forms) {
                assert.ok(!carries(hay, f), `${r.method} ${new URL(r.url).pathname} carries a raw value typed into the page`);
            }
        }
    }
}

export const WHOLE_TOKEN_BELOW = 6;
const BASE64_CHAR = /[A-Za-z0-9+/_-]/;

/** Whether `hay` holds `f`: anywhere, or for a short `f` as a whole token. */
export function carries(hay, f) {
    if (f.length >= WHOLE_TOKEN_BELOW) return hay.includes(f);
    for (let i = hay.indexOf(f); i !== -1; i = hay.indexOf(f, i + 1)) {
        const before = i > 0 ? hay[i - 1] : '';
        const after = hay[i + f.length] ?? '';
        if (!BASE64_CHAR.test(before) && !BASE64_CHAR.test(after)) return true;
    }
    return false;
}

/** Headless Chromium with a fresh user-data dir; resolves to {context, close()}. */
export async function launchChromium() {
    const userDataDir = mkdtempSync(path.join(tmpdir(), 'pseudolink-chromium-'));
    const context = await chromium.launchPersistentContext(userDataDir, {
        executablePath: CHROMIUM,
        headless: true,
        args: CHROMIUM_ARGS,
    });
    return {
        context,
        async close() {
            await context.close();
            rmSync(userDataDir, { recursive: true, force: true });
        },
    };
}

/**
 * Server + browser. Every request any page makes is recorded (URL, method,
 * headers, body) in `requests`, for no-raw-PII checks.
 */
export async function startHarness(serverOptions) {
    const server = await startServer(serverOptions);
    let browser;
    try {
        browser = await launchChromium();
    } catch (e) {
        await server.stop();
        throw e;
    }
    const requests = [];
    browser.context.on('request', (r) => {
        requests.push({ url: r.url(), method: r.method(), headers: r.headers(), body: r.postData() ?? '' });
    });

    return {
        url: server.url,
        keyserverUrl: server.keyserverUrl,
        linkageUrl: server.linkageUrl,
        consoleUrl: server.consoleUrl,
        serverLog: server.log,
        requests,
        context: browser.context,

        /**
         * Opens `rel` (a path on the pages' server, or a full URL such as
         * `${h.consoleUrl}/console/`), waits for the network to settle, and
         * resolves to {page, errors}: console errors, uncaught page errors, failed
         * requests and HTTP error responses, as strings.
         */
        async open(rel, { waitUntil = 'networkidle' } = {}) {
            const page = await browser.context.newPage();
            const errors = [];
            page.on('console', (m) => {
                if (m.type() !== 'error') return;
                const where = m.location()?.url ? new URL(m.location().url).pathname : '';
                // Chromium asks for /favicon.ico on its own; a page without one is fine.
                if (where === '/favicon.ico') return;
                errors.push(`console.error: ${m.text()}${where ? ` (${where})` : ''}`);
            });
            page.on('pageerror', (e) => errors.push(`pageerror: ${e.message}`));
            page.on('requestfailed', (r) => errors.push(`request failed: ${new URL(r.url()).pathname} ${r.failure()?.errorText ?? ''}`));
            page.on('response', (r) => {
                if (r.status() >= 400) errors.push(`HTTP ${r.status()}: ${new URL(r.url()).pathname}`);
            });
            const res = await page.goto(new URL(rel, server.url).href, { waitUntil });
            if (!res || !res.ok()) errors.push(`HTTP ${res?.status()}: ${rel}`);
            return { page, errors };
        },

        /** Saves a full-page screenshot to tests/e2e-artifacts/<name>.png. */
        async screenshot(page, name) {
            mkdirSync(ARTIFACTS, { recursive: true });
            const file = path.join(ARTIFACTS, `${name.replace(/[^A-Za-z0-9._-]+/g, '_')}.png`);
            await page.screenshot({ path: file, fullPage: true });
            return file;
        },

        /** assertNoRawValues() below, over every request any page of this harness made. */
        assertNoRawValues(values) {
            assertNoRawValues(requests, values);
        },

        async close() {
            const errors = [];
            await browser.close().catch((e) => errors.push(e));
            const res = await server.stop().catch((e) => errors.push(e));
            if (errors.length) throw errors[0];
            return res;
        },
    };
}
