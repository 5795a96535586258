//! Byte-to-text encodings the platforms and token format use. Small enough to
//! own: a dependency would cost more wasm than these few lines.

const B64_STD: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
pub(crate) const B64_URL: &[u8; 64] =
    b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
const HEX: &[u8; 16] = b"0123456789abcdef";

/// Lowercase hex (Google, Meta).
pub fn hex_lower(bytes: &[u8]) -> String {
    let mut s = String::with_capacity(bytes.len() * 2);
    for b in bytes {
        s.push(char::from(HEX[usize::from(b >> 4)]));
        s.push(char::from(HEX[usize::from(b & 15)]));
    }
    s
}

/// Standard, padded base64 (RFC 4648 §4), as UID2 requires.
pub fn base64_std(bytes: &[u8]) -> String {
    let mut s = String::with_capacity(bytes.len().div_ceil(3) * 4);
    encode_b64(bytes, B64_STD, true, &mut s);
    s
}

/// URL-safe base64 without padding (RFC 4648 §5), used inside tokens.
pub fn base64_url(bytes: &[u8]) -> String {
    let mut s = String::with_capacity((bytes.len() * 4).div_ceil(3));
    encode_b64(bytes, B64_URL, false, &mut s);
    s
}

/// Appends the unpadded URL-safe base64 of a 32-byte tag (43 symbols) to
/// `out`: [`encode_b64`] unrolled for the one length every token has.
pub(crate) fn push_b64_url_32(tag: &[u8; 32], out: &mut String) {
    let sym = |i: u32| B64_URL[(i & 63) as usize];
    let mut buf = [0u8; 43];
    for (o, c) in buf.chunks_exact_mut(4).zip(tag.chunks_exact(3)) {
        let n = u32::from(c[0]) << 16 | u32::from(c[1]) << 8 | u32::from(c[2]);
        o.copy_from_slice(&[sym(n >> 18), sym(n >> 12), sym(n >> 6), sym(n)]);
    }
    let n = u32::from(tag[30]) << 16 | u32::from(tag[31]) << 8;
    buf[40..].copy_from_slice(&[sym(n >> 18), sym(n >> 12), sym(n >> 6)]);
    // Every byte is from the ASCII alphabet, so this cannot fail.
    out.push_str(core::str::from_utf8(&buf).unwrap_or_default());
}

/// Appends the base64 of `bytes` to `out`. Symbols are staged as bytes and
/// appended with one `push_str` per chunk: pushing `char`s one by one costs a
/// capacity check and a UTF-8 encode each, which shows in token throughput.
pub(crate) fn encode_b64(bytes: &[u8], alphabet: &[u8; 64], pad: bool, out: &mut String) {
    let sym = |i: u32| alphabet[(i & 63) as usize];
    let mut buf = [0u8; 64];
    for chunk in bytes.chunks(48) {
        let mut n_out = 0;
        let mut triples = chunk.chunks_exact(3);
        for c in &mut triples {
            let n = u32::from(c[0]) << 16 | u32::from(c[1]) << 8 | u32::from(c[2]);
            buf[n_out..n_out + 4].copy_from_slice(&[
                sym(n >> 18),
                sym(n >> 12),
                sym(n >> 6),
                sym(n),
            ]);
            n_out += 4;
        }
        match *triples.remainder() {
            [a] => {
                let n = u32::from(a) << 16;
                buf[n_out..n_out + 2].copy_from_slice(&[sym(n >> 18), sym(n >> 12)]);
                n_out += 2;
                if pad {
                    buf[n_out..n_out + 2].copy_from_slice(b"==");
                    n_out += 2;
                }
            }
            [a, b] => {
                let n = u32::from(a) << 16 | u32::from(b) << 8;
                buf[n_out..n_out + 3].copy_from_slice(&[sym(n >> 18), sym(n >> 12), sym(n >> 6)]);
                n_out += 3;
                if pad {
                    buf[n_out] = b'=';
                    n_out += 1;
                }
            }
            _ => {}
        }
        // Every byte written is from the ASCII alphabet (or `=`), so this
        // conversion cannot fail.
        out.push_str(core::str::from_utf8(&buf[..n_out]).unwrap_or_default());
    }
}

/// Decodes URL-safe base64 without padding; `None` on any invalid symbol or length.
pub fn base64_url_decode(s: &str) -> Option<Vec<u8>> {
    let mut out = Vec::with_capacity(s.len() / 4 * 3 + 2);
    decode_unpadded_into(s.as_bytes(), &URL_TABLE, &mut out)?;
    Some(out)
}

#[cfg(feature = "fuzzy")]
/// Decodes standard, padded base64 (RFC 4648 §4), as clkhash writes CLKs;
/// `None` on any invalid symbol, missing padding or non-canonical tail bits.
pub(crate) fn base64_std_decode(s: &str) -> Option<Vec<u8>> {
    let mut out = Vec::with_capacity(s.len() / 4 * 3);
    base64_std_decode_into(s, &mut out)?;
    Some(out)
}

#[cfg(feature = "fuzzy")]
/// [`base64_std_decode`] appending to `out` (a batch writer's buffer); on
/// `None`, `out` is as it was.
pub(crate) fn base64_std_decode_into(s: &str, out: &mut Vec<u8>) -> Option<()> {
    let b = s.as_bytes();
    if !b.len().is_multiple_of(4) {
        return None;
    }
    let body = s.trim_end_matches('=').as_bytes();
    // Exactly the padding the encoder writes for the body's tail.
    let pad = b.len() - body.len();
    if pad != (4 - body.len() % 4) % 4 {
        return None;
    }
    decode_unpadded_into(body, &STD_TABLE, out)
}

#[cfg(feature = "fuzzy")]
/// [`base64_url_decode`] appending to `out`; on `None`, `out` is as it was.
pub(crate) fn base64_url_decode_into(s: &str, out: &mut Vec<u8>) -> Option<()> {
    decode_unpadded_into(s.as_bytes(), &URL_TABLE, out)
}

/// The shared decoder of both alphabets (they differ in symbols 62 and 63):
/// unpadded input, canonical form only (the bits a short tail drops must be
/// zero), so every byte string has one spelling. Whole groups of four
/// symbols become three bytes at once (a batch of encoded records decodes
/// a 43-symbol tag per token and a CLK per field). Appends to `out`, which
/// a failure leaves as it was.
fn decode_unpadded_into(s: &[u8], table: &[u8; 256], out: &mut Vec<u8>) -> Option<()> {
    let start = out.len();
    let done = decode_unpadded_append(s, table, out);
    if done.is_none() {
        out.truncate(start);
    }
    done
}

/// A base64 alphabet's decoding table: each symbol's six bits, `INVALID`
/// for every other byte (one lookup a symbol instead of a chain of ranges).
const fn decode_table(s62: u8, s63: u8) -> [u8; 256] {
    let mut t = [INVALID; 256];
    let mut i = 0;
    while i < 26 {
        t[(b'A' + i) as usize] = i;
        t[(b'a' + i) as usize] = i + 26;
        if i < 10 {
            t[(b'0' + i) as usize] = i + 52;
        }
        i += 1;
    }
    t[s62 as usize] = 62;
    t[s63 as usize] = 63;
    t
}

const INVALID: u8 = 0x80;
static URL_TABLE: [u8; 256] = decode_table(b'-', b'_');
#[cfg(feature = "fuzzy")]
static STD_TABLE: [u8; 256] = decode_table(b'+', b'/');

fn decode_unpadded_append(s: &[u8], table: &[u8; 256], out: &mut Vec<u8>) -> Option<()> {
    let group = |g: &[u8]| -> Option<u32> {
        let [a, b, c, d] = *g else { return None };
        // Four separate lookups (an array of them would be stored and
        // reloaded as one word: a store-forwarding stall per group).
        let (a, b, c, d) = (
            table[a as usize],
            table[b as usize],
            table[c as usize],
            table[d as usize],
        );
        if (a | b | c | d) & INVALID != 0 {
            return None;
        }
        Some(u32::from(a) << 18 | u32::from(b) << 12 | u32::from(c) << 6 | u32::from(d))
    };
    let groups = s.chunks_exact(4);
    let tail = groups.remainder();
    let at = out.len();
    out.resize(at + groups.len() * 3, 0);
    let dst = out.get_mut(at..)?;
    for (g, d) in groups.zip(dst.chunks_exact_mut(3)) {
        let n = group(g)?;
        d.copy_from_slice(&n.to_be_bytes()[1..]);
    }
    // A tail of two symbols carries one byte, of three two bytes: padded with
    // `A` (zero), and the bits it drops must be zero.
    if !tail.is_empty() {
        let (bytes, dropped) = match tail.len() {
            2 => (1, 0xFFFF),
            3 => (2, 0xFF),
            _ => return None,
        };
        let mut g = [b'A'; 4];
        g.get_mut(..tail.len())?.copy_from_slice(tail);
        let n = group(&g)?;
        if n & dropped != 0 {
            return None;
        }
        out.extend_from_slice(n.to_be_bytes().get(1..=bytes)?);
    }
    Some(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_tag_encoder_matches_the_general_one() {
        let mut x = 0x9e37_79b9_7f4a_7c15u64;
        for round in 0..2000 {
            let tag: [u8; 32] = core::array::from_fn(|i| {
                x ^= x << 13;
                x ^= x >> 7;
                x ^= x << 17;
                match round {
                    0 => 0,
                    1 => 0xff,
                    _ => (x >> (i % 8)) as u8,
                }
            });
            let (mut fast, mut general) = (String::from("pl1."), String::from("pl1."));
            push_b64_url_32(&tag, &mut fast);
            encode_b64(&tag, B64_URL, false, &mut general);
            assert_eq!(fast, general);
            assert_eq!(fast.len(), 4 + 43);
        }
    }

    #[test]
    fn decoders_accept_only_the_canonical_spelling() {
        for bad in ["Zh", "Zm9", "Zg==", "Z", "Zm+v", "Zm/v"] {
            assert_eq!(base64_url_decode(bad), None, "{bad}");
        }
        assert_eq!(base64_url_decode("Zm8").unwrap(), b"fo");
    }

    // RFC 4648 §10 test vectors.
    #[test]
    fn base64_rfc4648_vectors() {
        let cases = [
            ("", ""),
            ("f", "Zg=="),
            ("fo", "Zm8="),
            ("foo", "Zm9v"),
            ("foob", "Zm9vYg=="),
            ("fooba", "Zm9vYmE="),
            ("foobar", "Zm9vYmFy"),
        ];
        for (raw, enc) in cases {
            assert_eq!(base64_std(raw.as_bytes()), enc);
            let url = enc.trim_end_matches('=');
            assert_eq!(base64_url(raw.as_bytes()), url);
            assert_eq!(base64_url_decode(url).unwrap(), raw.as_bytes());
        }
    }

    #[test]
    fn base64_url_alphabet_and_rejects() {
        assert_eq!(base64_url(&[0xfb, 0xff]), "-_8");
        assert_eq!(base64_url_decode("-_8").unwrap(), vec![0xfb, 0xff]);
        assert!(base64_url_decode("-_9").is_none()); // non-canonical low bits
        assert!(base64_url_decode("a").is_none());
        assert!(base64_url_decode("ab+c").is_none());
    }

    // The standard-alphabet decoder exists for CLKs, so only with `fuzzy`.
    #[cfg(feature = "fuzzy")]
    #[test]
    fn base64_std_decoder_is_canonical() {
        for (raw, enc) in [
            ("", ""),
            ("f", "Zg=="),
            ("fo", "Zm8="),
            ("foobar", "Zm9vYmFy"),
        ] {
            assert_eq!(base64_std_decode(enc).unwrap(), raw.as_bytes());
        }
        for bad in [
            "Zh==", "Zg=", "Zg", "Zm9=", "Zg==Zg==", "Zg===", "Z===", "Zm-v", "Zm_v", "ab-c",
            "Zm9v\n",
        ] {
            assert_eq!(base64_std_decode(bad), None, "{bad}");
        }
    }

    /// The decoder before whole-group decoding (one symbol at a time), kept
    /// as the reference the faster one must agree with on every input.
    fn reference_decode(s: &[u8], s62: u8, s63: u8) -> Option<Vec<u8>> {
        let val = |c: u8| -> Option<u32> {
            let alphabet = [&B64_URL[..62], &[s62, s63]].concat();
            alphabet.iter().position(|&x| x == c).map(|p| p as u32)
        };
        if s.len() % 4 == 1 {
            return None;
        }
        let mut out = Vec::new();
        for chunk in s.chunks(4) {
            let mut n = 0u32;
            for (i, &c) in chunk.iter().enumerate() {
                n |= val(c)? << (18 - 6 * i as u32);
            }
            let dropped = match chunk.len() {
                2 => n & 0xFFFF,
                3 => n & 0xFF,
                _ => 0,
            };
            if dropped != 0 {
                return None;
            }
            out.extend_from_slice(n.to_be_bytes().get(1..chunk.len())?);
        }
        Some(out)
    }

    #[test]
    fn group_decoding_agrees_with_the_symbol_at_a_time_reference() {
        // Seeded inputs over the two alphabets plus symbols of neither,
        // every length 0..=70 (all tails), canonical and not.
        let symbols = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_+/=. ";
        let mut x: u64 = 0x9E37_79B9_7F4A_7C15;
        let mut accepted = 0;
        for round in 0..20_000 {
            let len = round % 71;
            let pure = round % 3 != 0;
            let s: Vec<u8> = (0..len)
                .map(|_| {
                    x ^= x << 13;
                    x ^= x >> 7;
                    x ^= x << 17;
                    let range = if pure { 64 } else { symbols.len() };
                    symbols[(x % range as u64) as usize]
                })
                .collect();
            for (s62, s63) in [(b'-', b'_'), (b'+', b'/')] {
                // Appended after what the buffer holds, which a failure keeps.
                let mut out = vec![0xEE; round % 5];
                let table = decode_table(s62, s63);
                let got =
                    decode_unpadded_into(&s, &table, &mut out).map(|()| out[round % 5..].to_vec());
                assert_eq!(
                    got,
                    reference_decode(&s, s62, s63),
                    "{:?}",
                    String::from_utf8_lossy(&s)
                );
                assert!(out.len() >= round % 5 && out[..round % 5].iter().all(|&b| b == 0xEE));
                if got.is_none() {
                    assert_eq!(out.len(), round % 5);
                }
                accepted += usize::from(got.is_some());
            }
        }
        assert!(
            accepted > 5_000,
            "the inputs exercise decoding, not only rejection"
        );
    }

    #[test]
    fn hex_lower_bytes() {
        assert_eq!(hex_lower(&[0x00, 0xab, 0xff]), "00abff");
    }
}
