// Checks that run inside a page, the same in Chromium (playwright-core) and
// Firefox (selenium-webdriver): each is a self-contained function, passed to
// the browser as source and called there, returning plain JSON.
//
//   unnamedControls(): every control a person can reach (inputs, selects,
//     text areas, buttons, links, anything with a tabindex or a widget role)
//     that is rendered and has no accessible name, as short descriptions
//     ("select#x", "button.y"). The name is computed the way the accessible
//     name spec orders its sources for these elements: aria-labelledby,
//     aria-label, a <label for>, a wrapping <label>, the element's own text
//     (buttons, links, rows), alt, title, a placeholder last.
//   overflow(): {scrollWidth, clientWidth, innerWidth, wide: [elements wider
//     than the viewport]} of the document, to assert no sideways scroll
//     (clientWidth is innerWidth less a classic scroll bar, as Firefox draws).

/** @returns {string[]} */
export function unnamedControls() {
    const SELECTOR = 'input:not([type="hidden"]), select, textarea, button, a[href], [tabindex]:not([tabindex="-1"]), '
        + '[role="button"], [role="link"], [role="checkbox"], [role="tab"], [role="switch"], summary';
    const text = (el) => (el?.textContent ?? '').replace(/\s+/g, ' ').trim();
    const visible = (el) => {
        if (el.closest('[hidden], [aria-hidden="true"]')) return false;
        const s = getComputedStyle(el);
        if (s.display === 'none' || s.visibility === 'hidden') return false;
        // A file input is often drawn by its label: it counts when its label is shown.
        return el.getClientRects().length > 0 || (el.type === 'file' && el.closest('label')?.getClientRects().length > 0);
    };
    const nameOf = (el) => {
        const by = el.getAttribute('aria-labelledby');
        if (by) {
            const t = by.split(/\s+/).map((id) => text(document.getElementById(id))).join(' ').trim();
            if (t) return t;
        }
        const aria = (el.getAttribute('aria-label') ?? '').trim();
        if (aria) return aria;
        if (el.id) {
            const forLabel = document.querySelector(`label[for="${CSS.escape(el.id)}"]`);
            if (text(forLabel)) return text(forLabel);
        }
        const wrap = el.closest('label');
        if (wrap && text(wrap)) return text(wrap);
        const tag = el.tagName.toLowerCase();
        if (['button', 'a', 'summary', 'tr', 'li', 'td', 'div', 'span'].includes(tag) || el.getAttribute('role')) {
            if (text(el)) return text(el);
            const img = el.querySelector('img[alt], svg[aria-label]');
            if (img) return img.getAttribute('alt') || img.getAttribute('aria-label');
        }
        if (tag === 'input' && ['button', 'submit', 'reset'].includes(el.type) && el.value.trim()) return el.value.trim();
        if ((el.getAttribute('title') ?? '').trim()) return el.getAttribute('title').trim();
        if ((el.getAttribute('placeholder') ?? '').trim()) return el.getAttribute('placeholder').trim();
        return '';
    };
    return [...document.querySelectorAll(SELECTOR)]
        .filter(visible)
        .filter((el) => !nameOf(el))
        .map((el) => `${el.tagName.toLowerCase()}${el.id ? `#${el.id}` : ''}${el.className && typeof el.className === 'string' ? `.${el.className.trim().split(/\s+/).join('.')}` : ''}`);
}

/** @returns {{scrollWidth: number, clientWidth: number, innerWidth: number, wide: string[]}} */
export function overflow() {
    const vw = document.documentElement.clientWidth;
    const wide = [];
    for (const el of document.body.querySelectorAll('*')) {
        const r = el.getBoundingClientRect();
        if (r.width > 0 && (r.right > vw + 1 || r.left < -1)) {
            // Inside a box that scrolls or clips sideways is fine.
            let p = el.parentElement;
            let clipped = false;
            while (p && p !== document.body) {
                const s = getComputedStyle(p);
                if (['auto', 'scroll', 'hidden', 'clip'].includes(s.overflowX)) { clipped = true; break; }
                p = p.parentElement;
            }
            if (!clipped) wide.push(`${el.tagName.toLowerCase()}${el.id ? `#${el.id}` : ''}${el.className && typeof el.className === 'string' ? `.${el.className.trim().split(/\s+/).join('.')}` : ''}`);
        }
    }
    return { scrollWidth: document.documentElement.scrollWidth, clientWidth: vw, innerWidth: window.innerWidth, wide: wide.slice(0, 10) };
}

/** Source of `fn` called with no argument, for `page.evaluate` / `executeScript`. */
export const callSource = (fn) => `return (${fn.toString()})();`;
