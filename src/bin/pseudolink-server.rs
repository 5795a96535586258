//! `pseudolink-server`: the demo server. Serves the demo pages (`www/`) at `/`
//! and the built JS package (`pkg/`) at `/pkg/`, with `GET /healthz`, and the
//! checkout endpoint (`POST /api/checkout`, `GET /api/orders`) that stores
//! what the checkout page sends (tokens and hashes only) in SQLite.
//!
//! ```text
//! pseudolink-server [--port 8080] [--www www] [--pkg pkg] [--db orders.sqlite]
//!                   [--keyserver keyserver.json [--keyserver-port 8081]]
//!                   [--linkage linkage.json [--linkage-port 8082] [--linkage-db linkage.sqlite]]
//!                   [--console-port 8083] [--orders-key-sha256 HEX]
//! ```
//!
//! With `--keyserver`, the OPRF key server (see `keyserver`) runs in the same
//! process on its own port: a different origin from the pages, as in
//! production, so CORS and the origin allowlist are real. With `--linkage`,
//! the linkage service (see `linkage`) runs the same way on a third port.
//! With `--console-port`, the company's staff console (`www/console/`) is
//! served on a fourth, its own origin: the public pages' listener answers
//! 404 under `/console/`, so a partner opening the portal cannot fetch the
//! company's directory.
//!
//! It binds 127.0.0.1 only. With `--port 0` the OS picks a free port; the first
//! line on stdout is always `listening on http://127.0.0.1:PORT`, so tests can
//! start it and read the address. One line per request goes to stderr, with the
//! route template (or `static`), never the path a client sent, a query string
//! or a body. SIGINT/SIGTERM shut it down
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
#[path = "pseudolink-server/credentials.rs"]
mod credentials;
#[path = "pseudolink-server/health.rs"]
mod health;
#[path = "pseudolink-server/keyserver/mod.rs"]
mod keyserver;
#[path = "pseudolink-server/linkage/mod.rs"]
mod linkage;
#[path = "pseudolink-server/media_type.rs"]
mod media_type;
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

    let keyserver_config = args.keyserver.clone().or_else(|| {
        std::env::var_os("PSEUDOLINK_KEYSERVER_CONFIG")
            .filter(|v| !v.is_empty())
            .map(std::path::PathBuf::from)
    });
    let keyserver = match keyserver_config {
        None => None,
        Some(path) => {
            let config = keyserver::config::Config::load(&path)?;
            let port = args.keyserver_port.unwrap_or(config.port);
            Some((config, bind(port).await?))
        }
    };
    let linkage_config = args.linkage.clone().or_else(|| {
        std::env::var_os("PSEUDOLINK_LINKAGE_CONFIG")
            .filter(|v| !v.is_empty())
            .map(std::path::PathBuf::from)
    });
    let linkage = match linkage_config {
        None => None,
        Some(path) => {
            let config = linkage::config::Config::load(&path)?;
            let port = args.linkage_port.unwrap_or(config.port);
            Some((config, bind(port).await?))
        }
    };
    let listener = bind(args.port).await?;
    let local = local_addr(&listener)?;
    let console = match args.console_port {
        None => None,
        Some(port) => {
            let l = bind(port).await?;
            let url = format!("http://{}", local_addr(&l)?);
            Some((l, url))
        }
    };
    let console_url = console.as_ref().map(|(_, url)| url.clone());
    let keyserver = match keyserver {
        None => None,
        Some((config, l)) => {
            let url = format!("http://{}", local_addr(&l)?);
            let ks = keyserver::KeyServer::new(config, &format!("http://{local}"));
            Some((ks, l, url))
        }
    };
    let keyserver_url = keyserver.as_ref().map(|(_, _, url)| url.clone());
    let linkage = match linkage {
        None => None,
        Some((config, l)) => {
            let url = format!("http://{}", local_addr(&l)?);
            let service = linkage::Linkage::new(
                config,
                &args.linkage_db,
                &format!("http://{local}"),
                console_url.as_deref(),
            )?;
            Some((service, l, url))
        }
    };
    let linkage_url = linkage.as_ref().map(|(_, _, url)| url.clone());

    let app_config = app::Config {
        www: args.www.clone(),
        pkg: args.pkg.clone(),
        orders,
        checkout: checkout::Settings {
            key_versions: keyserver
                .as_ref()
                .map(|(ks, _, _)| ks.versions())
                .unwrap_or_default(),
            orders_key_sha256: args.orders_key_sha256,
        },
        keyserver: keyserver
            .as_ref()
            .map(|(ks, _, url)| keyserver::page_config(ks, url)),
        linkage: linkage_url.as_ref().map(|url| linkage::PageConfig {
            origin: url.clone(),
        }),
        console: false,
    };
    let app = app::router(&app_config);
    let console_app = app::router(&app::Config {
        console: true,
        ..app_config
    });

    // The first stdout line is the contract with tests and scripts; the key
    // server's and the linkage service's addresses, when they run, follow.
    println!("listening on http://{local}");
    if let Some(url) = &keyserver_url {
        println!("keyserver listening on {url}");
    }
    if let Some(url) = &linkage_url {
        println!("linkage listening on {url}");
    }
    if let Some(url) = &console_url {
        println!("console listening on {url}");
    }
    let _ = std::io::stdout().flush();

    let pages = async {
        axum::serve(listener, app)
            .with_graceful_shutdown(shutdown_signal())
            .await
            .map_err(|e| format!("server error: {e}"))
    };
    let keys = async {
        match keyserver {
            None => Ok(()),
            Some((ks, l, _)) => axum::serve(l, keyserver::router(ks))
                .with_graceful_shutdown(wait_for_signal())
                .await
                .map_err(|e| format!("key server error: {e}")),
        }
    };
    let links = async {
        match linkage {
            None => Ok(()),
            Some((service, l, _)) => axum::serve(l, linkage::router(service))
                .with_graceful_shutdown(wait_for_signal())
                .await
                .map_err(|e| format!("linkage service error: {e}")),
        }
    };
    let staff = async {
        match console {
            None => Ok(()),
            Some((l, _)) => axum::serve(l, console_app)
                .with_graceful_shutdown(wait_for_signal())
                .await
                .map_err(|e| format!("console server error: {e}")),
        }
    };
    tokio::try_join!(pages, keys, links, staff)?;
    eprintln!("pseudolink-server: stopped");
    Ok(())
}

async fn bind(port: u16) -> Result<tokio::net::TcpListener, String> {
    let addr = SocketAddr::from((Ipv4Addr::LOCALHOST, port));
    tokio::net::TcpListener::bind(addr)
        .await
        .map_err(|e| format!("cannot bind {addr}: {e}"))
}

fn local_addr(l: &tokio::net::TcpListener) -> Result<SocketAddr, String> {
    l.local_addr()
        .map_err(|e| format!("cannot read the bound address: {e}"))
}

/// Resolves on SIGINT (Ctrl-C) or SIGTERM, saying so once.
async fn shutdown_signal() {
    wait_for_signal().await;
    eprintln!("pseudolink-server: shutting down");
}

/// Resolves on SIGINT (Ctrl-C) or SIGTERM. Every caller is woken by the same
/// signal, so each listener can wait on its own.
async fn wait_for_signal() {
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
}
