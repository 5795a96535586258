// The linkage setup of the browser tests, shared by the partner portal's and
// the company console's tests: the real server with the pages, the key
// server (demo/keyserver/keyserver.json) and the linkage service
// (demo/linkage/linkage.json), each on a free port, with a temporary
// linkage store; then the company's pipeline (scripts/company-upload.mjs)
// uploads the directory through them, as `make demo` does. Builds nothing:
// it needs the server binary and pkg/ (see harness.mjs).
//
//   const h = await startLinkageHarness();     // + Chromium, + the company's upload
//   h.url, h.keyserverUrl, h.linkageUrl        // the three listeners
//   h.company.records                           // what the company uploaded (row r = CRM row r)
//   h.company.upload                            // its upload id
//   await h.open('/portal/') …                  // as startHarness
//   await h.close();
import { execFile } from 'node:child_process';
import { chmodSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { ROOT, DEMO_KEYSERVER, startHarness, startServer } from './harness.mjs';

/** The demo linkage service config (DEMO ONLY store key and credential hashes). */
export const DEMO_LINKAGE = path.join(ROOT, 'demo', 'linkage', 'linkage.json');
/** The company's pipeline and its DEMO ONLY credentials. */
export const COMPANY_UPLOAD = path.join(ROOT, 'scripts', 'company-upload.mjs');
export const COMPANY_CONFIG = path.join(ROOT, 'demo', 'linkage', 'company.json');
/** The company's raw synthetic CRM persons, in upload order. */
export const COMPANY_CRM = path.join(ROOT, 'demo', 'linkage', 'company-crm.csv');

/** The company's demo credentials: {project, keyserverApiKey, linkageApiKey, clkSecret, …}. */
export function companyCredentials() {
    return JSON.parse(readFileSync(COMPANY_CONFIG, 'utf8'));
}

/**
 * Runs the company's pipeline against the pages server at `pagesUrl` (it
 * reads the key server's and the linkage service's addresses from there).
 * Resolves to {upload, records, stdout}: `records` are the uploaded
 * encodings when `recordOut` (a file path) is given.
 */
export function runCompanyPipeline(pagesUrl, { recordOut, extraArgs = [] } = {}) {
    const args = [COMPANY_UPLOAD, '--pages', pagesUrl, ...(recordOut ? ['--record-out', recordOut] : []), ...extraArgs];
    return new Promise((resolve, reject) => {
        execFile(process.execPath, args, { cwd: ROOT, maxBuffer: 1 << 20 }, (err, stdout, stderr) => {
            if (err) {
                reject(new Error(`company-upload failed (${err.code ?? err.signal}): ${stderr.trim() || stdout.trim()}`));
                return;
            }
            const out = recordOut ? JSON.parse(readFileSync(recordOut, 'utf8')) : {};
            resolve({ upload: out.upload, records: out.records, stdout });
        });
    });
}

/**
 * A linkage config in `dir`: the demo's, with an engine for every run whose
 * interpreter never answers (a shell script that sleeps), so that a run
 * stays at the service until it is cancelled. Returns the config's path.
 */
export function sleepingEngineLinkage(dir) {
    const sleeper = path.join(dir, 'sleeping-python');
    writeFileSync(sleeper, '#!/bin/sh\nexec sleep 300\n');
    chmodSync(sleeper, 0o755);
    const config = JSON.parse(readFileSync(DEMO_LINKAGE, 'utf8'));
    config.storeKeyFile = path.resolve(path.dirname(DEMO_LINKAGE), config.storeKeyFile);
    config.python = sleeper;
    config.projects[0].engine = { kind: 'duckdb', minRecords: 0 };
    const file = path.join(dir, 'linkage.json');
    writeFileSync(file, JSON.stringify(config));
    return file;
}

/** The partner's runs and today's usage, read with its credential. */
export async function partnerRuns(linkageUrl, { project, key }) {
    const call = async (rel) => (await fetch(`${linkageUrl}/v1/projects/${project}${rel}`, { headers: { authorization: `Bearer ${key}` } })).json();
    return { runs: (await call('/runs')).runs, runsToday: (await call('')).usage.runsToday };
}

/** Waits (up to 10 s) for the server's log line of a run's end, parsed. */
export async function runEndLine(log) {
    for (let i = 0; i < 200 && !log.some((l) => l.includes('"event":"run"')); i++) await new Promise((r) => setTimeout(r, 50));
    const line = log.find((l) => l.includes('"event":"run"'));
    return line ? JSON.parse(line) : null;
}

/**
 * The server with key server and linkage service (temporary store), no
 * browser. With `pipeline` the company's directory is uploaded first.
 * Resolves to the server ({url, keyserverUrl, linkageUrl, log, stop()}) plus
 * `company` and `close()`.
 */
export async function startLinkageServer({ pipeline = true, linkage = DEMO_LINKAGE, console: staffConsole = false } = {}) {
    const dir = mkdtempSync(path.join(tmpdir(), 'pseudolink-linkage-'));
    let server;
    try {
        server = await startServer({ keyserver: DEMO_KEYSERVER, linkage, linkageDb: path.join(dir, 'linkage.sqlite'), console: staffConsole });
        const company = pipeline ? await runCompanyPipeline(server.url, { recordOut: path.join(dir, 'company-records.json') }) : null;
        return {
            ...server, company, dir,
            async close() {
                try { await server.stop(); } finally { rmSync(dir, { recursive: true, force: true }); }
            },
        };
    } catch (e) {
        await server?.stop().catch(() => {});
        rmSync(dir, { recursive: true, force: true });
        throw e;
    }
}

/**
 * startHarness (server + Chromium, requests recorded) with the key server and
 * the linkage service, and, with `pipeline`, the company's directory uploaded.
 * `h.company` = {upload, records, stdout}. `linkage`: another config file
 * than the demo's.
 */
export async function startLinkageHarness({ pipeline = true, linkage = DEMO_LINKAGE } = {}) {
    const dir = mkdtempSync(path.join(tmpdir(), 'pseudolink-linkage-'));
    let h;
    try {
        h = await startHarness({ keyserver: DEMO_KEYSERVER, linkage, linkageDb: path.join(dir, 'linkage.sqlite') });
        h.company = pipeline ? await runCompanyPipeline(h.url, { recordOut: path.join(dir, 'company-records.json') }) : null;
    } catch (e) {
        await h?.close().catch(() => {});
        rmSync(dir, { recursive: true, force: true });
        throw e;
    }
    const close = h.close;
    h.dir = dir;
    h.close = async () => {
        try { await close(); } finally { rmSync(dir, { recursive: true, force: true }); }
    };
    return h;
}
