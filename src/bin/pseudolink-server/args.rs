//! Command-line arguments, parsed by hand (no CLI dependency for four flags).

use std::path::PathBuf;

pub const USAGE: &str = "\
usage: pseudolink-server [--port PORT] [--www DIR] [--pkg DIR] [--db FILE]
                         [--keyserver CONFIG [--keyserver-port PORT]]
                         [--linkage CONFIG [--linkage-port PORT] [--linkage-db FILE]]
                         [--console-port PORT] [--orders-key-sha256 HEX]

  --port PORT  TCP port on 127.0.0.1 (default 8080; 0 picks a free port)
  --www DIR    demo pages, served at /       (default: www)
  --pkg DIR    built JS package, at /pkg/    (default: pkg)
  --db FILE    SQLite file for the checkout endpoint's orders
               (default: :memory:, forgotten on exit)
  --keyserver CONFIG
               also run the OPRF key server from this JSON config
               (or $PSEUDOLINK_KEYSERVER_CONFIG), on its own port
  --keyserver-port PORT
               its port on 127.0.0.1 (default: the config's, else 8081;
               0 picks a free port)
  --linkage CONFIG
               also run the linkage service from this JSON config
               (or $PSEUDOLINK_LINKAGE_CONFIG), on its own port
  --linkage-port PORT
               its port on 127.0.0.1 (default: the config's, else 8082;
               0 picks a free port)
  --linkage-db FILE
               its SQLite store (default: :memory:, forgotten on exit)
  --console-port PORT
               serve the company's staff console (/console/) on this port
               (0 picks a free port): its own origin, never the public
               pages' (which answer 404 under /console/)
  --orders-key-sha256 HEX
               SHA-256 (64 hex digits) of the back office's bearer key for
               GET /api/orders; without it the listing is refused to all

The first stdout line is `listening on http://127.0.0.1:PORT`; then, when
they run, `keyserver listening on http://127.0.0.1:PORT`,
`linkage listening on http://127.0.0.1:PORT` and
`console listening on http://127.0.0.1:PORT`, in that order.";

/// What the server was asked to do.
#[derive(Debug, PartialEq, Eq)]
pub enum Parsed {
    Run(Args),
    Help,
}

/// Validated arguments.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Args {
    pub port: u16,
    pub www: PathBuf,
    pub pkg: PathBuf,
    pub db: String,
    pub keyserver: Option<PathBuf>,
    pub keyserver_port: Option<u16>,
    pub linkage: Option<PathBuf>,
    pub linkage_port: Option<u16>,
    pub linkage_db: String,
    pub console_port: Option<u16>,
    pub orders_key_sha256: Option<[u8; 32]>,
}

impl Args {
    /// Parses `--flag value` and `--flag=value` forms.
    pub fn parse(argv: impl IntoIterator<Item = String>) -> Result<Parsed, String> {
        let mut args = Args {
            port: 8080,
            www: PathBuf::from("www"),
            pkg: PathBuf::from("pkg"),
            db: ":memory:".to_owned(),
            keyserver: None,
            keyserver_port: None,
            linkage: None,
            linkage_port: None,
            linkage_db: ":memory:".to_owned(),
            console_port: None,
            orders_key_sha256: None,
        };
        let mut it = argv.into_iter();
        while let Some(arg) = it.next() {
            let (flag, inline) = match arg.split_once('=') {
                Some((f, v)) if f.starts_with("--") => (f.to_owned(), Some(v.to_owned())),
                _ => (arg.clone(), None),
            };
            if flag == "-h" || flag == "--help" {
                return Ok(Parsed::Help);
            }
            let mut value = || {
                inline
                    .clone()
                    .or_else(|| it.next())
                    .ok_or_else(|| format!("{flag} needs a value"))
            };
            match flag.as_str() {
                "--port" => {
                    let v = value()?;
                    args.port = v
                        .parse()
                        .map_err(|_| format!("--port: not a port number: {v}"))?;
                }
                "--www" => args.www = PathBuf::from(value()?),
                "--pkg" => args.pkg = PathBuf::from(value()?),
                "--db" => args.db = value()?,
                "--keyserver" => args.keyserver = Some(PathBuf::from(value()?)),
                "--keyserver-port" => {
                    let v = value()?;
                    args.keyserver_port = Some(
                        v.parse()
                            .map_err(|_| format!("--keyserver-port: not a port number: {v}"))?,
                    );
                }
                "--linkage" => args.linkage = Some(PathBuf::from(value()?)),
                "--linkage-port" => {
                    let v = value()?;
                    args.linkage_port = Some(
                        v.parse()
                            .map_err(|_| format!("--linkage-port: not a port number: {v}"))?,
                    );
                }
                "--linkage-db" => args.linkage_db = value()?,
                "--console-port" => {
                    let v = value()?;
                    args.console_port = Some(
                        v.parse()
                            .map_err(|_| format!("--console-port: not a port number: {v}"))?,
                    );
                }
                "--orders-key-sha256" => {
                    args.orders_key_sha256 = Some(
                        parse_sha256(&value()?).ok_or("--orders-key-sha256: not 64 hex digits")?,
                    );
                }
                _ => return Err(format!("unknown argument: {arg}")),
            }
        }
        Ok(Parsed::Run(args))
    }
}

/// 64 hex digits as 32 bytes.
fn parse_sha256(hex: &str) -> Option<[u8; 32]> {
    let hex = hex.trim().as_bytes();
    if hex.len() != 64 || !hex.iter().all(u8::is_ascii_hexdigit) {
        return None;
    }
    let mut out = [0u8; 32];
    for (o, pair) in out.iter_mut().zip(hex.chunks(2)) {
        *o = u8::from_str_radix(std::str::from_utf8(pair).ok()?, 16).ok()?;
    }
    Some(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(v: &[&str]) -> Result<Parsed, String> {
        Args::parse(v.iter().map(|s| s.to_string()))
    }

    #[test]
    fn args_defaults() {
        let Ok(Parsed::Run(a)) = parse(&[]) else {
            panic!("defaults")
        };
        assert_eq!(a.port, 8080);
        assert_eq!(a.www, PathBuf::from("www"));
        assert_eq!(a.pkg, PathBuf::from("pkg"));
    }

    #[test]
    fn args_both_forms() {
        let Ok(Parsed::Run(a)) = parse(&["--port", "0", "--www=/tmp/w", "--pkg", "p"]) else {
            panic!("parse")
        };
        assert_eq!(a.port, 0);
        assert_eq!(a.www, PathBuf::from("/tmp/w"));
        assert_eq!(a.pkg, PathBuf::from("p"));
    }

    #[test]
    fn args_linkage() {
        let Ok(Parsed::Run(a)) = parse(&["--linkage", "l.json", "--linkage-port=0"]) else {
            panic!("parse")
        };
        assert_eq!(a.linkage, Some(PathBuf::from("l.json")));
        assert_eq!(
            (a.linkage_port, a.linkage_db.as_str()),
            (Some(0), ":memory:")
        );
        assert!(parse(&["--linkage-port", "x"]).is_err());
    }

    #[test]
    fn args_errors() {
        assert!(parse(&["--port"]).is_err());
        assert!(parse(&["--port", "http"]).is_err());
        assert!(parse(&["--port", "70000"]).is_err());
        assert!(parse(&["--bogus"]).is_err());
        assert!(parse(&["--orders-key-sha256", "abc"]).is_err());
        assert!(parse(&["--orders-key-sha256", &"g".repeat(64)]).is_err());
        let Ok(Parsed::Run(a)) = parse(&["--orders-key-sha256", &"0f".repeat(32)]) else {
            panic!("parse")
        };
        assert_eq!(a.orders_key_sha256, Some([0x0f; 32]));
        assert_eq!(parse(&["--help"]), Ok(Parsed::Help));
    }
}
