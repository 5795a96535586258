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
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { homedir, tmpdir } from 'node:os';
import path from 'node:path';
import { launchChromium } from './harness.mjs';

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

async function launchSeleniumFirefox() {
    const { Builder, By } = await import('selenium-webdriver');
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
    let errors = [];
    let collector;
    const onMessage = (raw) => {
        let m;
        try { m = JSON.parse(raw.toString()); } catch { return; }
        const p = m.params;
        if (m.method === 'network.beforeRequestSent') {
            const r = p.request;
            const headers = Object.fromEntries((r.headers ?? []).map((h) => [h.name.toLowerCase(), h.value?.value ?? '']));
            const rec = { url: r.url, method: r.method, headers, body: '' };
            requests.push(rec);
            if (r.bodySize > 0) bodyOf.set(rec, { id: r.request, fetched: false });
        } else if (m.method === 'network.responseCompleted') {
            if (p.response.status >= 400) errors.push(`HTTP ${p.response.status}: ${pathOf(p.request.url)}`);
        } else if (m.method === 'network.fetchError') {
            errors.push(`request failed: ${pathOf(p.request.url)}`);
        } else if (m.method === 'log.entryAdded') {
            if (p.level === 'error') errors.push(`${p.type === 'javascript' ? 'pageerror' : 'console.error'}: ${p.text}`);
        }
    };
    bidi.socket.on('message', onMessage);
    await bidi.subscribe(['network.beforeRequestSent', 'network.responseCompleted', 'network.fetchError', 'log.entryAdded']);
    const got = await bidi.send({ method: 'network.addDataCollector', params: { dataTypes: ['request'], maxEncodedDataSize: 64 * 1024 * 1024 } });
    collector = got?.result?.collector;
    if (!collector) throw new Error('Firefox: no BiDi data collector for request bodies');
    const context = await driver.getWindowHandle();
    const files = mkdtempSync(path.join(tmpdir(), 'pseudolink-firefox-files-'));

    const run = (fn, args) => driver.executeScript(`return (${fn.toString()})(...arguments);`, ...args);
    return {
        name: 'firefox',
        requests,
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
