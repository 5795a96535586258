//! Tokenisation (`clkhash.comparators`) and token byte encoding.
//!
//! Tokens are never materialised as `String`s: each is written into one
//! reusable byte buffer in the feature's text encoding and handed to the
//! hasher, so the hot loop does not allocate.

use super::format::parse_python_int;
use crate::error::ErrorCode;

/// How a formatted value is cut into tokens.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) enum Comparison {
    /// Character n-grams over code points, padded with `n-1` spaces each side
    /// when `n > 1`; positional ones are prefixed with their 1-based index.
    Ngram { n: usize, positional: bool },
    /// The whole value is one token.
    Exact,
    /// The value's neighbourhood: `2·resolution + 1` numbers `distance` apart
    /// on a grid (all scaled by `10^fractional_precision` and `2·resolution`).
    Numeric {
        distance: i128,
        resolution: i128,
        fractional_precision: u32,
    },
}

/// The byte encoding of a token (`token.encode(encoding)` in Python).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum TextEncoding {
    Ascii,
    Utf8,
    /// Python's `utf-16`: a BOM (`FF FE`) then UTF-16LE, for every token (G7).
    Utf16,
    /// Python's `utf-32`: a BOM (`FF FE 00 00`) then UTF-32LE, for every token.
    Utf32,
}

impl TextEncoding {
    pub(crate) fn from_name(name: &str) -> Option<Self> {
        Some(match name {
            "ascii" => TextEncoding::Ascii,
            "utf-8" => TextEncoding::Utf8,
            "utf-16" => TextEncoding::Utf16,
            "utf-32" => TextEncoding::Utf32,
            _ => return None,
        })
    }

    fn start(self, buf: &mut Vec<u8>) {
        buf.clear();
        match self {
            TextEncoding::Ascii | TextEncoding::Utf8 => {}
            TextEncoding::Utf16 => buf.extend_from_slice(&[0xFF, 0xFE]),
            TextEncoding::Utf32 => buf.extend_from_slice(&[0xFF, 0xFE, 0, 0]),
        }
    }

    fn push(self, c: char, buf: &mut Vec<u8>) {
        match self {
            TextEncoding::Ascii | TextEncoding::Utf8 => {
                let mut tmp = [0u8; 4];
                buf.extend_from_slice(c.encode_utf8(&mut tmp).as_bytes());
            }
            TextEncoding::Utf16 => {
                let mut tmp = [0u16; 2];
                for u in c.encode_utf16(&mut tmp) {
                    buf.extend_from_slice(&u.to_le_bytes());
                }
            }
            TextEncoding::Utf32 => buf.extend_from_slice(&(c as u32).to_le_bytes()),
        }
    }

    fn push_str(self, s: &str, buf: &mut Vec<u8>) {
        if matches!(self, TextEncoding::Ascii | TextEncoding::Utf8) {
            buf.extend_from_slice(s.as_bytes());
        } else {
            s.chars().for_each(|c| self.push(c, buf));
        }
    }
}

/// Reusable buffers for one encoding call (or a whole batch).
#[derive(Default)]
pub(crate) struct Scratch {
    chars: Vec<char>,
    token: Vec<u8>,
    /// A padded value's UTF-8 bytes, and where each of its code points starts.
    text: Vec<u8>,
    starts: Vec<usize>,
    pub(crate) filter: super::filter::Bits,
    /// Batch work only: the token → indices memo.
    pub(crate) cache: Option<super::cache::TokenCache>,
}

impl Comparison {
    /// Calls `f` with the encoded bytes of each token of `value`, left to
    /// right, after reporting the token count through `count` (the
    /// bitsPerFeature strategy needs it before the first token).
    pub(crate) fn for_each_token(
        &self,
        value: &str,
        enc: TextEncoding,
        scratch: &mut Scratch,
        mut f: impl FnMut(usize, &[u8]),
    ) -> Result<usize, ErrorCode> {
        if value.is_empty() {
            return Ok(0);
        }
        let Scratch {
            chars,
            token,
            text,
            starts,
            ..
        } = scratch;
        match *self {
            Comparison::Exact => {
                enc.start(token);
                enc.push_str(value, token);
                f(0, token);
                Ok(1)
            }
            Comparison::Ngram { n, positional } => match enc {
                // UTF-8 bytes of an n-gram are a slice of the padded value's.
                TextEncoding::Ascii | TextEncoding::Utf8 => {
                    Ok(ngrams_utf8(value, n, positional, text, starts, token, f))
                }
                TextEncoding::Utf16 | TextEncoding::Utf32 => {
                    Ok(ngrams_by_char(value, n, positional, enc, chars, token, f))
                }
            },
            Comparison::Numeric {
                distance,
                resolution,
                fractional_precision,
            } => {
                let centre = numeric_centre(value, distance, resolution, fractional_precision)?;
                let mut i = 0;
                for j in -resolution..=resolution {
                    let v = distance
                        .checked_mul(j)
                        .and_then(|d| centre.checked_add(d))
                        .ok_or(ErrorCode::ClkOutOfRange)?;
                    enc.start(token);
                    push_decimal(enc, v, token);
                    f(i, token);
                    i += 1;
                }
                Ok(i)
            }
        }
    }

    /// The number of tokens `for_each_token` will produce for a value of
    /// `chars` code points (numeric: independent of the value).
    pub(crate) fn token_count(&self, value: &str) -> usize {
        if value.is_empty() {
            return 0;
        }
        match *self {
            Comparison::Exact => 1,
            Comparison::Ngram { n, .. } => {
                let len = value.chars().count() + 2 * n.saturating_sub(1);
                (len + 1).saturating_sub(n)
            }
            Comparison::Numeric { resolution, .. } => (2 * resolution + 1) as usize,
        }
    }
}

/// Padded n-grams of `value` as UTF-8, each a slice of the padded text
/// (prefixed with its position when `positional`): no per-character copy.
/// Returns the token count.
fn ngrams_utf8(
    value: &str,
    n: usize,
    positional: bool,
    text: &mut Vec<u8>,
    starts: &mut Vec<usize>,
    token: &mut Vec<u8>,
    mut f: impl FnMut(usize, &[u8]),
) -> usize {
    let pad = n.saturating_sub(1);
    text.clear();
    text.resize(pad, b' ');
    text.extend_from_slice(value.as_bytes());
    text.resize(text.len() + pad, b' ');
    let ascii = value.is_ascii();
    let chars = if ascii {
        text.len()
    } else {
        starts.clear();
        starts.extend(0..pad);
        starts.extend(value.char_indices().map(|(at, _)| pad + at));
        starts.extend(pad + value.len()..text.len() + 1);
        starts.len() - 1
    };
    let count = (chars + 1).saturating_sub(n);
    for i in 0..count {
        let gram = if ascii {
            text.get(i..i + n)
        } else {
            starts
                .get(i)
                .zip(starts.get(i + n))
                .and_then(|(&a, &b)| text.get(a..b))
        };
        let gram = gram.unwrap_or_default();
        if positional {
            token.clear();
            push_decimal(TextEncoding::Utf8, (i + 1) as i128, token);
            token.push(b' ');
            token.extend_from_slice(gram);
            f(i, token);
        } else {
            f(i, gram);
        }
    }
    count
}

/// Padded n-grams of `value`, each encoded character by character (the
/// UTF-16 and UTF-32 encodings, and the reference for [`ngrams_utf8`]).
fn ngrams_by_char(
    value: &str,
    n: usize,
    positional: bool,
    enc: TextEncoding,
    chars: &mut Vec<char>,
    token: &mut Vec<u8>,
    mut f: impl FnMut(usize, &[u8]),
) -> usize {
    chars.clear();
    let pad = n.saturating_sub(1);
    chars.extend(core::iter::repeat_n(' ', pad));
    chars.extend(value.chars());
    chars.extend(core::iter::repeat_n(' ', pad));
    let count = (chars.len() + 1).saturating_sub(n);
    for (i, gram) in chars.windows(n.max(1)).enumerate() {
        enc.start(token);
        if positional {
            push_decimal(enc, (i + 1) as i128, token);
            enc.push(' ', token);
        }
        gram.iter().for_each(|&c| enc.push(c, token));
        f(i, token);
    }
    count
}

/// Writes `v` in decimal (Python `str(int)`), in the token's encoding.
fn push_decimal(enc: TextEncoding, v: i128, buf: &mut Vec<u8>) {
    let mut digits = [0u8; 40];
    let mut n = v.unsigned_abs();
    let mut at = digits.len();
    loop {
        at -= 1;
        digits[at] = b'0' + (n % 10) as u8;
        n /= 10;
        if n == 0 {
            break;
        }
    }
    if v < 0 {
        enc.push('-', buf);
    }
    for &d in &digits[at..] {
        enc.push(d as char, buf);
    }
}

/// The quantised grid point of a numeric value (`NumericComparison.tokenize`):
/// integers exactly, other numbers through `f64` like Python's `float()`.
fn numeric_centre(
    value: &str,
    distance: i128,
    resolution: i128,
    fractional_precision: u32,
) -> Result<i128, ErrorCode> {
    let scale = 10i128
        .checked_pow(fractional_precision)
        .ok_or(ErrorCode::ClkOutOfRange)?;
    let v = match parse_python_int(value) {
        Ok(digits) => {
            let v: i128 = digits.parse().map_err(|_| ErrorCode::ClkOutOfRange)?;
            if fractional_precision > 0 {
                v.checked_mul(scale).ok_or(ErrorCode::ClkOutOfRange)?
            } else {
                v
            }
        }
        Err(_) => {
            let f: f64 = value
                .trim_matches(char::is_whitespace)
                .parse()
                .map_err(|_| ErrorCode::ClkNotNumber)?;
            if !f.is_finite() {
                return Err(ErrorCode::ClkNotNumber);
            }
            // Python: int(round(f * 10**fp)) (ties to even), or int(f) (truncation).
            let g = if fractional_precision > 0 {
                (f * scale as f64).round_ties_even()
            } else {
                f.trunc()
            };
            if g.abs() >= 1e36 {
                return Err(ErrorCode::ClkOutOfRange);
            }
            g as i128
        }
    };
    let v = v
        .checked_mul(2 * resolution)
        .ok_or(ErrorCode::ClkOutOfRange)?;
    let residue = v.rem_euclid(distance);
    Ok(if residue == 0 {
        v
    } else if 2 * residue < distance {
        v - residue
    } else {
        v + (distance - residue)
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn tokens(c: &Comparison, v: &str) -> Vec<String> {
        let mut s = Scratch::default();
        let mut out = Vec::new();
        let n = c
            .for_each_token(v, TextEncoding::Utf8, &mut s, |_, t| {
                out.push(String::from_utf8(t.to_vec()).unwrap())
            })
            .unwrap();
        assert_eq!(n, out.len());
        assert_eq!(c.token_count(v), n);
        out
    }

    #[test]
    fn ngrams_match_the_documented_examples() {
        let bigrams = Comparison::Ngram {
            n: 2,
            positional: false,
        };
        assert_eq!(
            tokens(&bigrams, "michaela"),
            [" m", "mi", "ic", "ch", "ha", "ae", "el", "la", "a "]
        );
        let pos = Comparison::Ngram {
            n: 1,
            positional: true,
        };
        assert_eq!(tokens(&pos, "4223"), ["1 4", "2 2", "3 2", "4 3"]);
        assert!(tokens(&bigrams, "").is_empty());
    }

    #[test]
    fn utf8_ngrams_are_the_character_by_character_ngrams() {
        let values = [
            "",
            "a",
            "ab",
            "michaela",
            "O'Brien",
            "é",
            "zoë",
            "中文名字",
            "a😀b",
            " x ",
            "Straße 12",
            "ﬁ",
        ];
        for v in values {
            for n in 1..=4 {
                for positional in [false, true] {
                    let (mut a, mut b) = (Vec::new(), Vec::new());
                    let mut s = Scratch::default();
                    let fast = ngrams_utf8(
                        v,
                        n,
                        positional,
                        &mut s.text,
                        &mut s.starts,
                        &mut s.token,
                        |i, t| a.push((i, t.to_vec())),
                    );
                    let slow = ngrams_by_char(
                        v,
                        n,
                        positional,
                        TextEncoding::Utf8,
                        &mut s.chars,
                        &mut s.token,
                        |i, t| b.push((i, t.to_vec())),
                    );
                    assert_eq!(
                        (fast, &a),
                        (slow, &b),
                        "{v:?} n={n} positional={positional}"
                    );
                    let c = Comparison::Ngram { n, positional };
                    if !v.is_empty() {
                        assert_eq!(c.token_count(v), fast);
                    }
                }
            }
        }
    }

    #[test]
    fn numeric_neighbourhood_matches_clkhash_docstring() {
        // thresholdDistance 8, resolution 2: x = 25 -> [88, 96, 104, 112, 120].
        let c = Comparison::Numeric {
            distance: 8,
            resolution: 2,
            fractional_precision: 0,
        };
        assert_eq!(tokens(&c, "25"), ["88", "96", "104", "112", "120"]);
    }

    #[test]
    fn utf16_tokens_carry_a_bom_each() {
        let mut s = Scratch::default();
        let mut out = Vec::new();
        Comparison::Exact
            .for_each_token("é", TextEncoding::Utf16, &mut s, |_, t| {
                out.push(t.to_vec())
            })
            .unwrap();
        assert_eq!(out, [vec![0xFF, 0xFE, 0xE9, 0x00]]);
    }
}
