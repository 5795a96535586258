// The playground page (www/index.html): a person fills the form and sees the
// normalised values, platform hashes, keyed tokens and the payload that would
// leave the device; nothing typed is ever sent.
//
//   make pkg server && (cd tests/js && node --test e2e/playground.test.mjs)
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startHarness } from './harness.mjs';

let h;
before(async () => { h = await startHarness(); });
after(async () => { await h?.close(); });

const TYPED = {
    email: 'Jon.Smith+shop@GoogleMail.com',
    phone: '(415) 555 0100',
    firstName: 'Dr. Jon',
    lastName: 'Smith',
    street: '1600 Amphitheatre Parkway',
    city: 'Mountain View',
    state: 'California',
    postalCode: '94043-1351',
    country: 'United States',
    dateOfBirth: '02/14/1985',
};

test('playground: live normalisation, tokens and a payload without raw values', async () => {
    const { page, errors } = await h.open('/');
    await page.waitForSelector('body[data-ready="true"]');
    assert.match(await page.textContent('#status'), /Module ready in \d+ ms/);
    // The page says why it may hold a key: it is the business's own single-party tool.
    assert.match(await page.textContent('#single-party'), /^Keyed in-page tokens are for single-party use/);

    for (const [field, value] of Object.entries(TYPED)) {
        await page.fill(`input[name="${field}"]`, value);
    }
    const rows = await page.$$eval('#table tbody tr', (trs) =>
        Object.fromEntries(trs.map((tr) => {
            const [name, norm, token] = [...tr.children];
            return [name.textContent, { norm: norm.textContent, token: token.title }];
        })));
    assert.equal(rows['E-mail'].norm, 'jonsmith@gmail.com');
    assert.match(rows['E-mail'].token, /^pl1\.email\.page\.[A-Za-z0-9_-]{43}$/);
    assert.equal(rows.Phone.norm, '+14155550100');
    assert.equal(rows['First name'].norm, 'jon');
    assert.equal(rows['Date of birth'].norm, '19850214');
    assert.equal(rows['State / province'].norm, 'CA');

    const payload = JSON.parse(await page.textContent('#payload'));
    assert.equal(payload.keyId, 'page');
    assert.equal(Object.keys(payload.tokens).length, Object.keys(TYPED).length);
    assert.deepEqual(Object.keys(payload.matchKeys).sort(), ['addressName', 'nameDob']);
    assert.match(payload.platforms.uid2.email_hash, /^[A-Za-z0-9+/]{43}=$/);
    assert.match(payload.platforms.meta.em, /^[0-9a-f]{64}$/);
    // Issue 15's platforms, each under its own parameter names.
    assert.match(payload.platforms.tiktok.email, /^[0-9a-f]{64}$/);
    assert.match(payload.platforms.pinterest.em, /^[0-9a-f]{64}$/);
    assert.match(payload.platforms.snap.ph, /^[0-9a-f]{64}$/);
    assert.match(payload.platforms.linkedin.SHA256_EMAIL, /^[0-9a-f]{64}$/);
    assert.match(payload.platforms.pair.phone, /^[0-9a-f]{64}$/);
    const text = JSON.stringify(payload).toLowerCase();
    for (const v of Object.values(TYPED)) {
        assert.ok(!text.includes(v.trim().toLowerCase()), 'payload carries a typed value');
    }
    assert.match(await page.textContent('#check'), /None of the 10 typed values appears/);

    // Picking one profile shows its parameters and each value as that profile normalises it.
    await page.selectOption('#profile', 'google');
    await page.waitForSelector('.platform[data-profile="google"]');
    assert.equal(await page.$$eval('.platform', (cards) => cards.length), 1);
    const google = await page.$$eval('.platform[data-profile="google"] dt', (dts) =>
        Object.fromEntries(dts.map((dt) => [dt.textContent, dt.nextElementSibling.title])));
    assert.match(google.hashed_email, /^[0-9a-f]{64}$/);
    assert.equal(google['E-mail → normalised'], 'jonsmith@googlemail.com');
    assert.equal(google['address_info.postal_code'], '94043-1351');
    await page.selectOption('#profile', 'meta');
    await page.waitForSelector('.platform[data-profile="meta"]');
    const meta = await page.$$eval('.platform[data-profile="meta"] dt', (dts) =>
        Object.fromEntries(dts.map((dt) => [dt.textContent, dt.nextElementSibling.title])));
    assert.equal(meta['State / province → normalised'], 'ca');
    assert.match(meta.st, /^[0-9a-f]{64}$/);
    await page.selectOption('#profile', 'pinterest');
    await page.waitForSelector('.platform[data-profile="pinterest"]');
    const pinterest = await page.$$eval('.platform[data-profile="pinterest"] dt', (dts) =>
        Object.fromEntries(dts.map((dt) => [dt.textContent, dt.nextElementSibling.title])));
    assert.equal(pinterest['City → normalised'], 'mountainview');
    assert.match(pinterest.ct, /^[0-9a-f]{64}$/);
    await page.selectOption('#profile', '');
    // One card per platform: uid2, google, meta, tiktok, pinterest, snap, linkedin, pair.
    assert.equal(await page.$$eval('.platform', (cards) => cards.length), 8);

    // With no day/month order, dates are read in the region's usual order.
    await page.selectOption('#dateOrder', '');
    await page.fill('input[name="dateOfBirth"]', '05/02/1984');
    const dobIn = async () => page.$$eval('#table tbody tr', (trs) =>
        trs.find((tr) => tr.children[0].textContent === 'Date of birth').children[1].textContent);
    assert.equal(await dobIn(), '19840502');
    // The record's own country is its region.
    await page.fill('input[name="country"]', 'Germany');
    assert.equal(await dobIn(), '19840205');
    await page.fill('input[name="country"]', TYPED.country);
    await page.selectOption('#dateOrder', 'mdy');
    await page.fill('input[name="dateOfBirth"]', TYPED.dateOfBirth);

    // An invalid value gets an inline message from its error code.
    await page.fill('input[name="phone"]', '555 01');
    await page.waitForFunction(() => document.querySelector('.error[data-for="phone"]').textContent !== '');
    assert.equal(await page.textContent('.error[data-for="phone"]'), 'Phone is too short');
    assert.ok(await page.$eval('input[name="phone"]', (el) => el.classList.contains('invalid')));
    await page.fill('input[name="phone"]', TYPED.phone);

    await page.click('#example');
    await h.screenshot(page, 'playground');
    await page.close();
    assert.deepEqual(errors, []);
    // Nothing typed left the tab: the page made no request carrying a value.
    h.assertNoRawValues(Object.values(TYPED).flatMap((v) => [v, v.toLowerCase(), v.trim()]));
});
