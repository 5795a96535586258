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
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
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
 * The server with key server and linkage service (temporary store), no
 * browser. With `pipeline` the company's directory is uploaded first.
 * Resolves to the server ({url, keyserverUrl, linkageUrl, log, stop()}) plus
 * `company` and `close()`.
 */
export async function startLinkageServer({ pipeline = true } = {}) {
    const dir = mkdtempSync(path.join(tmpdir(), 'pseudolink-linkage-'));
    let server;
    try {
        server = await startServer({ keyserver: DEMO_KEYSERVER, linkage: DEMO_LINKAGE, linkageDb: path.join(dir, 'linkage.sqlite') });
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
 * `h.company` = {upload, records, stdout}.
 */
export async function startLinkageHarness({ pipeline = true } = {}) {
    const dir = mkdtempSync(path.join(tmpdir(), 'pseudolink-linkage-'));
    let h;
    try {
        h = await startHarness({ keyserver: DEMO_KEYSERVER, linkage: DEMO_LINKAGE, linkageDb: path.join(dir, 'linkage.sqlite') });
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
