//! RFC 4180 CSV: the generator's output format, and a reader for the tools
//! that consume it.

use crate::{Row, FIELDS};

/// Appends one field, quoted when it holds a comma, quote, CR or LF, or
/// starts/ends with a space (so spreadsheet tools keep the space).
pub fn push_field(out: &mut String, v: &str) {
    let quote = v.contains([',', '"', '\r', '\n']) || v.starts_with(' ') || v.ends_with(' ');
    if quote {
        out.push('"');
        out.push_str(&v.replace('"', "\"\""));
        out.push('"');
    } else {
        out.push_str(v);
    }
}

/// Appends one line (CRLF-terminated, as RFC 4180 says).
pub fn push_line<'a>(out: &mut String, fields: impl IntoIterator<Item = &'a str>) {
    for (i, f) in fields.into_iter().enumerate() {
        if i > 0 {
            out.push(',');
        }
        push_field(out, f);
    }
    out.push_str("\r\n");
}

/// Records as CSV text: header `id` + [`FIELDS`], then one line per row.
pub fn records(rows: &[Row]) -> String {
    let mut out = String::with_capacity(rows.len() * 160);
    push_line(&mut out, std::iter::once("id").chain(FIELDS));
    for r in rows {
        push_line(
            &mut out,
            std::iter::once(r.id.as_str()).chain(r.values.iter().map(String::as_str)),
        );
    }
    out
}

/// Two-column truth (or any table of string pairs) with a header.
pub fn pairs(header: [&str; 2], rows: &[(String, String)]) -> String {
    let mut out = String::new();
    push_line(&mut out, header);
    for (a, b) in rows {
        push_line(&mut out, [a.as_str(), b.as_str()]);
    }
    out
}

/// Why CSV text could not be read.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CsvError {
    /// A quoted field was never closed.
    UnclosedQuote,
    /// Text followed a closing quote inside a field.
    TextAfterQuote,
}

impl core::fmt::Display for CsvError {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.write_str(match self {
            CsvError::UnclosedQuote => "csv.unclosed_quote",
            CsvError::TextAfterQuote => "csv.text_after_quote",
        })
    }
}

impl std::error::Error for CsvError {}

/// Parses RFC 4180 text into lines of fields (LF or CRLF line ends; a final
/// line end is optional).
pub fn parse(text: &str) -> Result<Vec<Vec<String>>, CsvError> {
    let mut lines = Vec::new();
    let mut line: Vec<String> = Vec::new();
    let mut field = String::new();
    let mut chars = text.chars().peekable();
    let mut at_field_start = true;
    let mut any = false;
    while let Some(c) = chars.next() {
        any = true;
        match c {
            '"' if at_field_start => {
                loop {
                    match chars.next() {
                        None => return Err(CsvError::UnclosedQuote),
                        Some('"') if chars.peek() == Some(&'"') => {
                            chars.next();
                            field.push('"');
                        }
                        Some('"') => break,
                        Some(other) => field.push(other),
                    }
                }
                if !matches!(chars.peek(), None | Some(',' | '\r' | '\n')) {
                    return Err(CsvError::TextAfterQuote);
                }
                at_field_start = false;
            }
            ',' => {
                line.push(std::mem::take(&mut field));
                at_field_start = true;
            }
            '\r' if chars.peek() == Some(&'\n') => {}
            '\n' => {
                line.push(std::mem::take(&mut field));
                lines.push(std::mem::take(&mut line));
                at_field_start = true;
                any = false;
            }
            other => {
                field.push(other);
                at_field_start = false;
            }
        }
    }
    if any {
        line.push(field);
        lines.push(line);
    }
    Ok(lines)
}

/// Reads records written by [`records`] (columns found by header name, so
/// extra or reordered columns are fine).
pub fn read_records(text: &str) -> Result<Vec<Row>, CsvError> {
    let mut lines = parse(text)?.into_iter();
    let header = lines.next().unwrap_or_default();
    let col = |name: &str| header.iter().position(|h| h == name);
    let id_col = col("id");
    let cols: Vec<Option<usize>> = FIELDS.iter().map(|f| col(f)).collect();
    Ok(lines
        .map(|l| {
            let get = |c: Option<usize>| c.and_then(|c| l.get(c)).cloned().unwrap_or_default();
            let mut row = Row::new(get(id_col));
            for (slot, c) in row.values.iter_mut().zip(&cols) {
                *slot = get(*c);
            }
            row
        })
        .collect())
}
