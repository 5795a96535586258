//! `pseudolink-server`: the demo server. Serves the demo pages (`www/`) at `/`
//! and the built JS package (`pkg/`) at `/pkg/`, with `GET /healthz`, and the
//! checkout endpoint (`POST /api/checkout`, `GET /api/orders`) that stores
//! what the checkout page sends (tokens and hashes only) in SQLite.
//!
//! ```text
//! pseudolink-server [--port 8080] [--www www] [--pkg pkg] [--db orders.sqlite]
//! ```
//!
//! It binds 127.0.0.1 only. With `--port 0` the OS picks a free port; the first
//! line on stdout is always `listening on http://127.0.0.1:PORT`, so tests can
//! start it and read the address. One line per request goes to stderr, with the
//! path only: never a query string or a body. SIGINT/SIGTERM shut it down
//! gracefully.

// A crate root resolves `mod x;` next to itself (src/bin/x.rs), so the modules
// under src/bin/pseudolink-server/ are named by path.
#[path = "pseudolink-server/access_log.rs"]
mod access_log;
#[path = "pseudolink-server/app.rs"]
mod app;
#[path = "pseudolink-server/args.rs"]
mod args;
#[path = "pseudolink-server/checkout.rs"]
mod checkout;
#[path = "pseudolink-server/health.rs"]
mod health;
#[path = "pseudolink-server/security_headers.rs"]
mod security_headers;
#[path = "pseudolink-server/static_files.rs"]
mod static_files;

use std::io::Write as _;
use std::net::{Ipv4Addr, SocketAddr};
use std::process::ExitCode;

#[tokio::main]
async fn main() -> ExitCode {
    let args = match args::Args::parse(std::env::args().skip(1)) {
        Ok(args::Parsed::Run(a)) => a,
        Ok(args::Parsed::Help) => {
            println!("{}", args::USAGE);
            return ExitCode::SUCCESS;
        }
        Err(msg) => {
            eprintln!("pseudolink-server: {msg}\n\n{}", args::USAGE);
            return ExitCode::from(2);
        }
    };
    if let Err(msg) = run(args).await {
        eprintln!("pseudolink-server: {msg}");
        return ExitCode::FAILURE;
    }
    ExitCode::SUCCESS
}

async fn run(args: args::Args) -> Result<(), String> {
    static_files::check_dirs(&args.www, &args.pkg)?;
    let orders = checkout::OrderStore::open(&args.db)?;
    let app = app::router(&app::Config {
        www: args.www.clone(),
        pkg: args.pkg.clone(),
        orders,
    });

    let addr = SocketAddr::from((Ipv4Addr::LOCALHOST, args.port));
    let listener = tokio::net::TcpListener::bind(addr)
        .await
        .map_err(|e| format!("cannot bind {addr}: {e}"))?;
    let local = listener
        .local_addr()
        .map_err(|e| format!("cannot read the bound address: {e}"))?;

    // The first stdout line is the contract with tests and scripts.
    println!("listening on http://{local}");
    let _ = std::io::stdout().flush();

    axum::serve(listener, app)
        .with_graceful_shutdown(shutdown_signal())
        .await
        .map_err(|e| format!("server error: {e}"))?;
    eprintln!("pseudolink-server: stopped");
    Ok(())
}

/// Resolves on SIGINT (Ctrl-C) or SIGTERM.
async fn shutdown_signal() {
    let ctrl_c = async {
        if tokio::signal::ctrl_c().await.is_err() {
            std::future::pending::<()>().await;
        }
    };
    #[cfg(unix)]
    let term = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut s) => {
                s.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let term = std::future::pending::<()>();
    tokio::select! {
        () = ctrl_c => {},
        () = term => {},
    }
    eprintln!("pseudolink-server: shutting down");
}
