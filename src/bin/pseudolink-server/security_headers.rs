//! Security headers.
//!
//! Every response: `X-Content-Type-Options: nosniff`, `Referrer-Policy:
//! no-referrer`. HTML responses also get a strict Content-Security-Policy:
//! scripts only from this origin, plus `'wasm-unsafe-eval'` so the page may
//! compile WebAssembly; no inline script, no `eval`, no plugins, no framing.
//!
//! Two kinds of inline element are allowed by hash, computed from the file being
//! served (equivalent to a build-time hash, since the files are static):
//! `<script type="importmap">` (import maps cannot be external files) and
//! `<style>` blocks. Any other inline `<script>` is blocked and shows up as a
//! console error in the page tests: put it in a `.js` file.

use std::sync::Arc;

use axum::{
    body::{to_bytes, Body},
    extract::{Request, State},
    http::{header, HeaderValue},
    middleware::Next,
    response::Response,
};
use sha2::{Digest, Sha256};

/// Pages larger than this are not scanned for inline hashes (they are served
/// with the base policy).
const MAX_HTML_BYTES: usize = 2 * 1024 * 1024;

/// `connect` lists extra origins pages may `fetch` (the key server's).
pub async fn apply(State(connect): State<Arc<Vec<String>>>, req: Request, next: Next) -> Response {
    let res = next.run(req).await;
    let (mut parts, body) = res.into_parts();
    let h = &mut parts.headers;
    h.insert(
        header::X_CONTENT_TYPE_OPTIONS,
        HeaderValue::from_static("nosniff"),
    );
    h.insert(
        header::REFERRER_POLICY,
        HeaderValue::from_static("no-referrer"),
    );
    let is_html = h
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.starts_with("text/html"));
    if !is_html {
        return Response::from_parts(parts, body);
    }
    let (body, inline) = match to_bytes(body, MAX_HTML_BYTES).await {
        Ok(bytes) => {
            let inline = InlineHashes::of(&bytes);
            (Body::from(bytes), inline)
        }
        Err(_) => (Body::empty(), InlineHashes::default()),
    };
    if let Ok(v) = HeaderValue::from_str(&csp(&inline, &connect)) {
        parts.headers.insert(header::CONTENT_SECURITY_POLICY, v);
    }
    parts
        .headers
        .insert(header::X_FRAME_OPTIONS, HeaderValue::from_static("DENY"));
    // The body length may have changed only if reading failed; let hyper recompute.
    parts.headers.remove(header::CONTENT_LENGTH);
    Response::from_parts(parts, body)
}

/// The policy for an HTML page.
fn csp(inline: &InlineHashes, connect: &[String]) -> String {
    let mut script = String::from("'self' 'wasm-unsafe-eval'");
    for h in &inline.scripts {
        script.push_str(&format!(" 'sha256-{h}'"));
    }
    let mut style = String::from("'self'");
    for h in &inline.styles {
        style.push_str(&format!(" 'sha256-{h}'"));
    }
    let mut connect_src = String::from("'self'");
    for origin in connect {
        connect_src.push(' ');
        connect_src.push_str(origin);
    }
    format!(
        "default-src 'none'; script-src {script}; style-src {style}; \
         img-src 'self' data:; font-src 'self'; connect-src {connect_src}; manifest-src 'self'; \
         base-uri 'none'; form-action 'self'; frame-ancestors 'none'; object-src 'none'"
    )
}

/// Base64 SHA-256 of the allowed inline elements of a page.
#[derive(Debug, Default, PartialEq, Eq)]
struct InlineHashes {
    scripts: Vec<String>,
    styles: Vec<String>,
}

impl InlineHashes {
    fn of(html: &[u8]) -> Self {
        let mut out = InlineHashes::default();
        let Ok(text) = std::str::from_utf8(html) else {
            return out;
        };
        for (attrs, content) in elements(text, "script") {
            let a = attrs.to_ascii_lowercase();
            let importmap = a.contains("type=\"importmap\"")
                || a.contains("type='importmap'")
                || a.contains("type=importmap");
            if importmap && !a.contains("src=") {
                out.scripts.push(sha256_base64(content.as_bytes()));
            }
        }
        for (_, content) in elements(text, "style") {
            out.styles.push(sha256_base64(content.as_bytes()));
        }
        out
    }
}

/// `(attributes, raw content)` of every `<tag ...>...</tag>` element. A plain
/// scan, enough for our own static pages (script and style contents are raw
/// text in HTML, ending at the first `</tag`).
fn elements<'a>(html: &'a str, tag: &str) -> Vec<(&'a str, &'a str)> {
    let lower = html.to_ascii_lowercase();
    let open = format!("<{tag}");
    let close = format!("</{tag}");
    let mut out = Vec::new();
    let mut pos = 0;
    while let Some(start) = lower[pos..].find(&open).map(|i| i + pos) {
        let after_name = start + open.len();
        // `<scripts>` or `<style-x>` are other tags.
        let next = lower.as_bytes().get(after_name).copied();
        if !matches!(next, Some(b'>' | b' ' | b'\t' | b'\n' | b'\r' | b'/')) {
            pos = after_name;
            continue;
        }
        let Some(gt) = lower[after_name..].find('>').map(|i| i + after_name) else {
            break;
        };
        let Some(end) = lower[gt + 1..].find(&close).map(|i| i + gt + 1) else {
            break;
        };
        out.push((&html[after_name..gt], &html[gt + 1..end]));
        pos = end + close.len();
    }
    out
}

fn sha256_base64(data: &[u8]) -> String {
    // CSP hash sources are standard, padded base64 (RFC 4648 §4).
    pseudolink::base64_std(Sha256::digest(data).as_slice())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn inline_hashes_importmap_and_style_only() {
        let html = "<html><head><style>body{}</style>\
            <script type=\"importmap\">{\"imports\":{}}</script>\
            <script type=\"module\" src=\"main.js\"></script>\
            <script>alert(1)</script></head></html>";
        let h = InlineHashes::of(html.as_bytes());
        assert_eq!(h.scripts, vec![sha256_base64(b"{\"imports\":{}}")]);
        assert_eq!(h.styles, vec![sha256_base64(b"body{}")]);
    }

    #[test]
    fn csp_base_policy_is_strict() {
        let p = csp(&InlineHashes::default(), &[]);
        assert!(p.contains("script-src 'self' 'wasm-unsafe-eval';"));
        assert!(p.contains("default-src 'none'"));
        assert!(!p.contains("unsafe-inline"));
        assert!(!p.contains("'unsafe-eval'"));
    }
}
