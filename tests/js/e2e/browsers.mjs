// One small page API over two browsers, for the page tests that run in both
// (browsers.test.mjs):
//
//  - chromium: Debian's Chromium through playwright-core (harness.mjs);
//  - firefox: Debian's Firefox ESR through geckodriver and WebDriver BiDi
//    (selenium-webdriver): BiDi events give every request the browser makes,
//    its workers' too (URL, headers and, through a BiDi data collector, its
//    body), every console error and uncaught error, failed requests and HTTP
//    error responses, so the same no-raw-PII check and the same "no error"
//    check hold in both.
//
//   const b = await launchBrowser('firefox');
//   const tab = await b.open(url);             // tab.errors: strings, as harness.open
//   await tab.eval((sel) => document.querySelector(sel).value, '#x');
//   await tab.waitFor(() => document.body.dataset.done === 'true');
//   await tab.click('#start'); await tab.fill('input[name=email]', 'x');
//   await tab.setFile('#file', 'a.csv', buffer); await tab.setViewport(390, 844);
//   await b.settle(until);                     // BiDi events and bodies are in (until(requests) holds)
//   b.requests                                 // [{url, method, headers, body}]
//   await tab.close(); await b.close();
//
// `eval` and `waitFor` take a function that runs in the page (it must not
// close over test variables; pass them as arguments, JSON-serialisable).
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { homedir, tmpdir } from 'node:os';
import path from 'node:path';
import { ARTIFACTS, assertNoRawValues, launchChromium, startHarness, startServer } from './harness.mjs';

/** Browsers the cross-browser tests run in: $E2E_BROWSERS (comma-separated), else both. */
export const BROWSERS = (process.env.E2E_BROWSERS ?? 'chromium,firefox').split(',').map((s) => s.trim()).filter(Boolean);

export const FIREFOX = process.env.FIREFOX ?? '/usr/bin/firefox-esr';
/** geckodriver: $GECKODRIVER, else the first on PATH, else cargo's bin (where scripts/setup.sh installs it). */
export const GECKODRIVER = process.env.GECKODRIVER
    ?? [...(process.env.PATH ?? '').split(path.delimiter).filter(Boolean), path.join(homedir(), '.cargo', 'bin')]
        .map((d) => path.join(d, 'geckodriver')).find((f) => existsSync(f))
    ?? path.join(homedir(), '.cargo', 'bin', 'geckodriver');

const pathOf = (url) => {
    try { return new URL(url).pathname; } catch { return url; }
};

/** Polls `check()` until it returns something truthy (a wait, not a timing assertion). */
async function poll(check, timeoutMs, what) {
    const end = Date.now() + timeoutMs;
    for (;;) {
        const v = await check();
        if (v) return v;
        if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
        await new Promise((r) => setTimeout(r, 100));
    }
}

async function launchPlaywrightChromium() {
    const b = await launchChromium();
    const requests = [];
    b.context.on('request', (r) => requests.push({ url: r.url(), method: r.method(), headers: r.headers(), body: r.postData() ?? '' }));
    return {
        name: 'chromium',
        requests,
        async open(url) {
            const page = await b.context.newPage();
            const errors = [];
            page.on('console', (m) => { if (m.type() === 'error') errors.push(`console.error: ${m.text()}`); });
            page.on('pageerror', (e) => errors.push(`pageerror: ${e.message}`));
            page.on('requestfailed', (r) => errors.push(`request failed: ${pathOf(r.url())}`));
            page.on('response', (r) => { if (r.status() >= 400) errors.push(`HTTP ${r.status()}: ${pathOf(r.url())}`); });
            await page.goto(url, { waitUntil: 'load' });
            return {
                errors,
                eval: (fn, ...args) => page.evaluate(new Function('args', `return (${fn.toString()})(...args);`), args),
                waitFor: (fn, args = [], timeoutMs = 60_000) => page.waitForFunction(
                    new Function('args', `return (${fn.toString()})(...args);`), args, { timeout: timeoutMs, polling: 100 }),
                click: (sel) => page.click(sel),
                fill: (sel, v) => page.fill(sel, v),
                select: (sel, v) => page.selectOption(sel, v),
                setFile: (sel, name, buffer) => page.setInputFiles(sel, { name, mimeType: 'text/csv', buffer }),
                setViewport: (width, height) => page.setViewportSize({ width, height }),
                screenshot: (file) => page.screenshot({ path: file, fullPage: true }),
                close: () => page.close(),
            };
        },
        close: () => b.close(),
    };
}

/**
 * Firefox ESR through geckodriver with WebDriver BiDi: the driver, its BiDi
 * connection, every request the browser makes (workers' too) with its body
 * (settle() fetches bodies from a BiDi data collector), and the events of
 * `network.*` and `log.entryAdded` handed to `listeners` (each gets the
 * parsed message). Shared by the tab API below and the page API of
 * startBrowserHarness().
 */
async function firefoxSession() {
    const { Builder } = await import('selenium-webdriver');
    const firefox = (await import('selenium-webdriver/firefox.js')).default;
    const profileDir = mkdtempSync(path.join(tmpdir(), 'pseudolink-firefox-'));
    const options = new firefox.Options()
        .setBinary(FIREFOX)
        .addArguments('-headless', '-profile', profileDir)
        // No update checks, telemetry or remote settings on the closed network.
        .setPreference('app.update.enabled', false)
        .setPreference('browser.shell.checkDefaultBrowser', false)
        .setPreference('datareporting.policy.dataSubmissionEnabled', false)
        .setPreference('toolkit.telemetry.reportingpolicy.firstRun', false)
        .setPreference('network.captive-portal-service.enabled', false)
        .setPreference('network.connectivity-service.enabled', false)
        .enableBidi();
    const driver = await new Builder().forBrowser('firefox').setFirefoxOptions(options)
        .setFirefoxService(new firefox.ServiceBuilder(GECKODRIVER)).build();
    const bidi = await driver.getBidi();
    const requests = [];
    /** BiDi request id and body size of each recorded request (its body is fetched by settle()). */
    const bodyOf = new WeakMap();
    const listeners = new Set();
    let collector;
    bidi.socket.on('message', (raw) => {
        let m;
        try { m = JSON.parse(raw.toString()); } catch { return; }
        if (m.method === 'network.beforeRequestSent') {
            const r = m.params.request;
            const headers = Object.fromEntries((r.headers ?? []).map((h) => [h.name.toLowerCase(), h.value?.value ?? '']));
            const rec = { url: r.url, method: r.method, headers, body: '' };
            requests.push(rec);
            if (r.bodySize > 0) bodyOf.set(rec, { id: r.request, fetched: false });
        }
        for (const l of listeners) l(m);
    });
    await bidi.subscribe(['network.beforeRequestSent', 'network.responseCompleted', 'network.fetchError', 'log.entryAdded']);
    const got = await bidi.send({ method: 'network.addDataCollector', params: { dataTypes: ['request'], maxEncodedDataSize: 64 * 1024 * 1024 } });
    collector = got?.result?.collector;
    if (!collector) throw new Error('Firefox: no BiDi data collector for request bodies');
    const files = mkdtempSync(path.join(tmpdir(), 'pseudolink-firefox-files-'));
    return {
        driver,
        bidi,
        requests,
        listeners,
        files,
        /**
         * Waits until `until(requests)` holds (default: at once) and every
         * recorded request with a body has it: BiDi events may trail the
         * page, and a body is fetched from the data collector once its
         * request is known. Fails rather than leave a body unread, so the
         * no-raw-value check never passes on an empty body.
         */
        async settle(until = () => true, timeoutMs = 30_000) {
            const end = Date.now() + timeoutMs;
            for (;;) {
                // A round trip: events the browser sent before it are in.
                await bidi.send({ method: 'session.status', params: {} });
                for (const rec of requests) {
                    const b = bodyOf.get(rec);
                    if (!b || b.fetched) continue;
                    try {
                        const d = await bidi.send({ method: 'network.getData', params: { dataType: 'request', request: b.id, collector } });
                        const bytes = d?.result?.bytes;
                        if (bytes?.type === 'string') rec.body = bytes.value;
                        else if (bytes?.type === 'base64') rec.body = Buffer.from(bytes.value, 'base64').toString('latin1');
                        else continue;
                        b.fetched = true;
                    } catch { /* not collected yet: next round */ }
                }
                const unread = requests.filter((r) => bodyOf.get(r)?.fetched === false);
                if (until(requests) && !unread.length) return;
                if (Date.now() > end) {
                    throw new Error(`Firefox: ${unread.length} request bodies unread (${unread.slice(0, 3).map((r) => `${r.method} ${pathOf(r.url)}`).join(', ')})`);
                }
                await new Promise((r) => setTimeout(r, 100));
            }
        },
        async close() {
            try {
                await driver.quit();
            } finally {
                rmSync(profileDir, { recursive: true, force: true });
                rmSync(files, { recursive: true, force: true });
            }
        },
    };
}

/** A BiDi event's error line for the page errors list, or null. */
function errorOf(m) {
    const p = m.params;
    if (m.method === 'network.responseCompleted' && p.response.status >= 400) return `HTTP ${p.response.status}: ${pathOf(p.request.url)}`;
    if (m.method === 'network.fetchError') return `request failed: ${pathOf(p.request.url)}`;
    if (m.method === 'log.entryAdded' && p.level === 'error') return `${p.type === 'javascript' ? 'pageerror' : 'console.error'}: ${p.text}`;
    return null;
}

async function launchSeleniumFirefox() {
    const { By } = await import('selenium-webdriver');
    const fx = await firefoxSession();
    const { driver, bidi, files } = fx;
    let errors = [];
    fx.listeners.add((m) => {
        const e = errorOf(m);
        if (e) errors.push(e);
    });
    const context = await driver.getWindowHandle();
    const run = (fn, args) => driver.executeScript(`return (${fn.toString()})(...arguments);`, ...args);
    return {
        name: 'firefox',
        requests: fx.requests,
        settle: fx.settle,
        async open(url) {
            errors = [];
            const tab = { errors };
            await driver.get(url);
            return Object.assign(tab, {
                eval: (fn, ...args) => run(fn, args),
                waitFor: (fn, args = [], timeoutMs = 60_000) => poll(() => run(fn, args), timeoutMs, fn.toString().slice(0, 80)),
                click: async (sel) => (await driver.findElement(By.css(sel))).click(),
                fill: async (sel, v) => {
                    const el = await driver.findElement(By.css(sel));
                    await el.clear();
                    await el.sendKeys(v);
                },
                select: (sel, v) => run((s, value) => {
                    const el = document.querySelector(s);
                    el.value = value;
                    el.dispatchEvent(new Event('change', { bubbles: true }));
                }, [sel, v]),
                setFile: async (sel, name, buffer) => {
                    const file = path.join(mkdtempSync(path.join(files, 'f-')), name);
                    writeFileSync(file, buffer);
                    await (await driver.findElement(By.css(sel))).sendKeys(file);
                },
                setViewport: (width, height) => bidi.send({ method: 'browsingContext.setViewport', params: { context, viewport: { width, height } } }),
                screenshot: async (file) => writeFileSync(file, Buffer.from(await driver.takeScreenshot(), 'base64')),
                close: async () => { await driver.get('about:blank'); },
            });
        },
        close: () => fx.close(),
    };
}

/** Launches `name` ('chromium' or 'firefox'). */
export async function launchBrowser(name) {
    if (name === 'chromium') {
        const b = await launchPlaywrightChromium();
        // Playwright records a request (with its body) before it is sent: only `until` may need a wait.
        return { ...b, settle: (until = () => true, timeoutMs = 30_000) => poll(() => until(b.requests), timeoutMs, 'the requests') };
    }
    if (name === 'firefox') return launchSeleniumFirefox();
    throw new Error(`unknown browser ${name}`);
}

/** Playwright's glob for URLs (`*`: within a path segment, `**`: anything) as a RegExp. */
function globRegExp(glob) {
    let re = '';
    for (let i = 0; i < glob.length; i++) {
        const c = glob[i];
        if (c === '*' && glob[i + 1] === '*') { re += '.*'; i++; } else if (c === '*') re += '[^/]*';
        else re += c.replace(/[.+?^${}()|[\]\\]/g, '\\$&');
    }
    return new RegExp(`^${re}$`);
}

/** How the page side marks `undefined` in its JSON (Playwright keeps such properties; JSON would drop them). */
const UNDEFINED = '\u0000undefined';

/** Puts `undefined` back where the page marked it. */
function revive(v) {
    if (v === UNDEFINED) return undefined;
    if (Array.isArray(v)) return v.map(revive);
    if (v && typeof v === 'object') {
        for (const k of Object.keys(v)) v[k] = revive(v[k]);
    }
    return v;
}

/** A BiDi script.evaluate result: the page side returns the value as JSON text. */
function evalResult(res, what) {
    const r = res?.result;
    if (r?.type === 'exception') throw new Error(`${what}: ${r.exceptionDetails?.text ?? 'exception in the page'}`);
    if (r?.type !== 'success' || r.result?.type !== 'string') throw new Error(`${what}: no result`);
    return revive(JSON.parse(r.result.value)).v;
}

/** A JS literal for a JSON-able argument (`undefined` stays undefined). */
const lit = (a) => (a === undefined ? 'undefined' : JSON.stringify(a));

/** Playwright's default `waitForSelector` state is "visible": attached, with a box, not visibility:hidden. */
const SELECTOR_STATE = (sel, state) => {
    const el = document.querySelector(sel);
    const visible = !!el && el.getClientRects().length > 0 && getComputedStyle(el).visibility !== 'hidden';
    if (state === 'attached') return !!el;
    if (state === 'detached') return !el;
    if (state === 'hidden') return !visible;
    return visible;
};

/**
 * The part of Playwright's Page API the detailed page suites use, on a
 * Firefox tab (a BiDi browsing context): evaluate, $eval, $$eval,
 * waitForSelector, waitForFunction, textContent, click, fill, reload,
 * screenshot, close. Functions run in the page's realm through BiDi
 * `script.evaluate` (like Playwright's evaluation, not subject to the page's
 * CSP); their arguments and results must be JSON. Clicks are real mouse
 * clicks through BiDi input actions.
 */
function firefoxPage(fx, context) {
    const { bidi } = fx;
    const evaluate = async (fn, ...args) => {
        const body = typeof fn === 'string'
            ? `(async () => ({ v: await (${fn}) }))()`
            : `(async () => ({ v: await (${fn.toString()})(${args.map(lit).join(', ')}) }))()`;
        const res = await bidi.send({
            method: 'script.evaluate',
            params: {
                expression: `${body}.then((r) => JSON.stringify(r, (k, x) => (x === undefined ? ${JSON.stringify(UNDEFINED)} : x)))`,
                target: { context },
                awaitPromise: true,
            },
        });
        return evalResult(res, 'evaluate');
    };
    const $eval = (sel, fn, arg) => evaluate(`(() => {
        const el = document.querySelector(${JSON.stringify(sel)});
        if (!el) throw new Error(${JSON.stringify(`no element matches ${sel}`)});
        return (${fn.toString()})(el, ${lit(arg)});
    })()`);
    const $$eval = (sel, fn, arg) => evaluate(`(${fn.toString()})([...document.querySelectorAll(${JSON.stringify(sel)})], ${lit(arg)})`);
    const waitForFunction = (fn, arg, { timeout = 30_000 } = {}) => poll(
        () => evaluate(typeof fn === 'string' ? fn : `(${fn.toString()})(${lit(arg)})`),
        timeout, `function ${fn.toString().slice(0, 60)}`);
    const waitForSelector = (sel, { timeout = 30_000, state = 'visible' } = {}) => poll(
        () => evaluate(SELECTOR_STATE, sel, state), timeout, `selector ${sel} (${state})`);
    return {
        evaluate,
        $eval,
        $$eval,
        waitForFunction,
        waitForSelector,
        textContent: (sel) => $eval(sel, (e) => e.textContent),
        /**
         * As Playwright's click: once the element is visible, scrolled into
         * view, its box stable over two animation frames and it is what a
         * pointer at its centre hits (a page may still be laying out after
         * a fill), a real mouse click there (BiDi input).
         */
        async click(sel) {
            await waitForSelector(sel);
            const { x, y } = await poll(() => evaluate(async (s) => {
                const el = document.querySelector(s);
                if (!el) return null;
                el.scrollIntoView({ block: 'center', inline: 'center' });
                const frame = () => new Promise((r) => requestAnimationFrame(() => r()));
                await frame();
                const a = el.getBoundingClientRect();
                await frame();
                const b = el.getBoundingClientRect();
                if (a.x !== b.x || a.y !== b.y || a.width !== b.width || a.height !== b.height || !b.width || !b.height) return null;
                const x = Math.round(b.left + b.width / 2);
                const y = Math.round(b.top + b.height / 2);
                const hit = document.elementFromPoint(x, y);
                return hit && (hit === el || el.contains(hit)) ? { x, y } : null;
            }, sel), 30_000, `${sel} to be clickable`);
            await bidi.send({
                method: 'input.performActions',
                params: {
                    context,
                    actions: [{
                        type: 'pointer', id: 'mouse', parameters: { pointerType: 'mouse' },
                        actions: [
                            { type: 'pointerMove', x, y, origin: 'viewport' },
                            { type: 'pointerDown', button: 0 },
                            { type: 'pointerUp', button: 0 },
                        ],
                    }],
                },
            });
        },
        /** As Playwright's fill: the value replaced at once, with an input event (and change, as a user leaving the field). */
        async fill(sel, value) {
            await waitForSelector(sel);
            await evaluate((s, v) => {
                const el = document.querySelector(s);
                el.focus();
                const proto = el instanceof HTMLTextAreaElement ? HTMLTextAreaElement.prototype : HTMLInputElement.prototype;
                Object.getOwnPropertyDescriptor(proto, 'value').set.call(el, v);
                el.dispatchEvent(new Event('input', { bubbles: true }));
                el.dispatchEvent(new Event('change', { bubbles: true }));
            }, sel, value);
        },
        async reload() {
            await bidi.send({ method: 'browsingContext.reload', params: { context, wait: 'complete' } });
            await fx.idle(context);
        },
        async screenshot({ path: file }) {
            const res = await bidi.send({ method: 'browsingContext.captureScreenshot', params: { context, origin: 'document' } });
            writeFileSync(file, Buffer.from(res.result.data, 'base64'));
        },
        async close() {
            fx.pages.delete(context);
            await bidi.send({ method: 'browsingContext.close', params: { context } });
        },
    };
}

/**
 * The detailed page suites' harness (harness.mjs's startHarness: server +
 * browser, `open(rel)` → {page, errors}, `requests`, `assertNoRawValues`,
 * `screenshot`, `close`) in `name`: 'chromium' (playwright-core, exactly
 * startHarness) or 'firefox' (Firefox ESR through geckodriver and WebDriver
 * BiDi, with the Playwright page API above; `route(glob, handler)` and
 * `unrouteAll()` answer requests through BiDi network interception, with
 * Playwright's route.request() / route.fulfill() / route.continue()).
 * In Firefox `assertNoRawValues` first settles the BiDi events and bodies;
 * `settle()` does so alone (before reading `requests`; a no-op in Chromium).
 * `browser` names the browser; `context` is Playwright's (Chromium only).
 */
export async function startBrowserHarness(name, serverOptions) {
    if (name === 'chromium') {
        const h = await startHarness(serverOptions);
        return { ...h, browser: 'chromium', settle: async () => {}, route: (glob, handler) => h.context.route(glob, handler), unrouteAll: () => h.context.unrouteAll({ behavior: 'wait' }) };
    }
    if (name !== 'firefox') throw new Error(`unknown browser ${name}`);
    const server = await startServer(serverOptions);
    let fx;
    try {
        fx = await firefoxSession();
    } catch (e) {
        await server.stop();
        throw e;
    }
    const { bidi } = fx;
    /** Open pages: context id → {errors, inflight}. Events without a known context go to every open page. */
    fx.pages = new Map();
    const routes = [];
    /** Origin → BiDi intercept id. */
    const intercepts = new Map();
    fx.listeners.add((m) => {
        const p = m.params ?? {};
        const pages = fx.pages.has(p.context) ? [fx.pages.get(p.context)] : [...fx.pages.values()];
        const e = errorOf(m);
        // Firefox asks for /favicon.ico on its own; a page without one is fine.
        if (e && !e.endsWith(': /favicon.ico')) for (const pg of pages) pg.errors.push(e);
        if (m.method === 'network.beforeRequestSent') {
            for (const pg of pages) { pg.inflight.add(p.request.request); pg.lastNetwork = Date.now(); }
            if (p.isBlocked) onBlocked(p).catch(() => {});
        } else if (m.method === 'network.responseCompleted' || m.method === 'network.fetchError') {
            for (const pg of pages) { pg.inflight.delete(p.request.request); pg.lastNetwork = Date.now(); }
        }
    });
    async function onBlocked(p) {
        const r = p.request;
        const route = routes.find((x) => x.re.test(r.url));
        if (!route) {
            await bidi.send({ method: 'network.continueRequest', params: { request: r.request } });
            return;
        }
        const headers = Object.fromEntries((r.headers ?? []).map((x) => [x.name.toLowerCase(), x.value?.value ?? '']));
        let body = '';
        if (r.bodySize > 0) {
            const d = await bidi.send({ method: 'network.getData', params: { dataType: 'request', request: r.request } }).catch(() => null);
            const bytes = d?.result?.bytes;
            body = bytes?.type === 'base64' ? Buffer.from(bytes.value, 'base64').toString('utf8') : bytes?.value ?? '';
        }
        await route.handler({
            request: () => ({ url: () => r.url, method: () => r.method, headers: () => headers, postData: () => body }),
            fulfill: ({ status = 200, contentType = 'text/plain', body: out = '' }) => bidi.send({
                method: 'network.provideResponse',
                params: {
                    request: r.request,
                    statusCode: status,
                    reasonPhrase: status < 400 ? 'OK' : 'Error',
                    headers: [{ name: 'content-type', value: { type: 'string', value: contentType } }],
                    body: { type: 'string', value: out },
                },
            }),
            continue: () => bidi.send({ method: 'network.continueRequest', params: { request: r.request } }),
        });
    }
    /** Waits until the tab's network has been quiet for 500 ms (Playwright's "networkidle"). */
    fx.idle = (context) => poll(() => {
        const pg = fx.pages.get(context);
        return !pg || (pg.inflight.size === 0 && Date.now() - pg.lastNetwork >= 500);
    }, 30_000, 'network idle');

    return {
        browser: 'firefox',
        url: server.url,
        keyserverUrl: server.keyserverUrl,
        linkageUrl: server.linkageUrl,
        consoleUrl: server.consoleUrl,
        serverLog: server.log,
        requests: fx.requests,
        settle: fx.settle,

        /** As startHarness's open: a new tab at `rel`, once loaded and its network idle. */
        async open(rel, { waitUntil = 'networkidle' } = {}) {
            const created = await bidi.send({ method: 'browsingContext.create', params: { type: 'tab' } });
            const context = created.result.context;
            const pg = { errors: [], inflight: new Set(), lastNetwork: Date.now() };
            fx.pages.set(context, pg);
            const url = new URL(rel, server.url).href;
            await bidi.send({ method: 'browsingContext.navigate', params: { context, url, wait: 'complete' } });
            if (waitUntil === 'networkidle') await fx.idle(context);
            return { page: firefoxPage(fx, context), errors: pg.errors };
        },

        /** Answers requests whose URL matches `glob` with `handler(route)` until unrouteAll(). */
        async route(glob, handler) {
            routes.push({ re: globRegExp(glob), handler });
            // One interception per origin (every request for a glob without
            // one); a request no route matches is continued.
            let origin = '*';
            let urlPatterns;
            try {
                const u = new URL(glob.replace(/\*+/g, 'x'));
                origin = u.origin;
                urlPatterns = [{ type: 'pattern', protocol: u.protocol.replace(':', ''), hostname: u.hostname, port: u.port }];
            } catch { /* no origin in the glob */ }
            if (!intercepts.has(origin)) {
                const res = await bidi.send({ method: 'network.addIntercept', params: { phases: ['beforeRequestSent'], ...(urlPatterns ? { urlPatterns } : {}) } });
                intercepts.set(origin, res.result.intercept);
            }
        },
        async unrouteAll() {
            routes.length = 0;
            for (const intercept of intercepts.values()) await bidi.send({ method: 'network.removeIntercept', params: { intercept } });
            intercepts.clear();
        },

        async screenshot(page, name) {
            mkdirSync(ARTIFACTS, { recursive: true });
            const file = path.join(ARTIFACTS, `firefox-${name.replace(/[^A-Za-z0-9._-]+/g, '_')}.png`);
            await page.screenshot({ path: file, fullPage: true });
            return file;
        },

        /** harness.mjs's check, after the BiDi events and request bodies are in. */
        async assertNoRawValues(values) {
            await fx.settle();
            assertNoRawValues(fx.requests, values);
        },

        async close() {
            const errors = [];
            await fx.close().catch((e) => errors.push(e));
            const res = await server.stop().catch((e) => errors.push(e));
            if (errors.length) throw errors[0];
            return res;
        },
    };
}
