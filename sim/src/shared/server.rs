//! The HTTP/1.1 server under every simulator. It is a hand-rolled accept loop over hyper rather
//! than `axum::serve` because one fault needs a connection closed without any response, which
//! only the connection owner can do.

use std::convert::Infallible;
use std::sync::Arc;
use std::time::Duration;

use axum::Router;
use axum::body::Body;
use hyper::body::Incoming;
use hyper::server::conn::http1;
use hyper::service::service_fn;
use hyper_util::rt::TokioIo;
use tokio::net::{TcpListener, TcpStream};
use tokio::task::{JoinHandle, JoinSet};
use tokio_util::sync::CancellationToken;
use tower::ServiceExt;
use tracing::Instrument;

use super::pipeline::DropConnection;

/// The error a connection's service returns to make hyper close it without answering.
#[derive(Debug, thiserror::Error)]
#[error("connection dropped by fault injection")]
struct ConnectionDropped;

/// What each connection needs to serve requests.
struct Routers {
    api: Router,
    admin: Router,
}

/// Serve `api` (vendor paths) and `admin` (`/_sim/…`) on `listener` until `shutdown` is
/// cancelled; open connections are then closed.
pub(crate) fn spawn(
    listener: TcpListener,
    api: Router,
    admin: Router,
    shutdown: CancellationToken,
) -> JoinHandle<()> {
    let routers = Arc::new(Routers { api, admin });
    let span = tracing::info_span!("sim_server", addr = ?listener.local_addr().ok());
    tokio::spawn(accept_loop(listener, routers, shutdown).instrument(span))
}

async fn accept_loop(listener: TcpListener, routers: Arc<Routers>, shutdown: CancellationToken) {
    let mut connections = JoinSet::new();
    loop {
        tokio::select! {
            () = shutdown.cancelled() => break,
            accepted = listener.accept() => match accepted {
                Ok((stream, _)) => {
                    connections.spawn(serve_connection(stream, routers.clone()));
                }
                Err(error) => {
                    // Out of file descriptors and the like: back off instead of spinning.
                    tracing::warn!(%error, "accept failed");
                    tokio::time::sleep(Duration::from_millis(50)).await;
                }
            },
            Some(_) = connections.join_next(), if !connections.is_empty() => {}
        }
    }
    connections.shutdown().await;
}

async fn serve_connection(stream: TcpStream, routers: Arc<Routers>) {
    // Latency matters to the tests that inject it; Nagle's algorithm would add its own.
    let _ = stream.set_nodelay(true);
    let service = service_fn(move |request| serve_request(routers.clone(), request));
    if let Err(error) = http1::Builder::new()
        .serve_connection(TokioIo::new(stream), service)
        .await
    {
        tracing::debug!(%error, "connection ended with an error");
    }
}

async fn serve_request(
    routers: Arc<Routers>,
    request: hyper::Request<Incoming>,
) -> Result<axum::response::Response, ConnectionDropped> {
    let request = request.map(Body::new);
    let router = if is_admin(request.uri().path()) {
        routers.admin.clone()
    } else {
        routers.api.clone()
    };
    let response = router
        .oneshot(request)
        .await
        .unwrap_or_else(|never: Infallible| match never {});
    if response.extensions().get::<DropConnection>().is_some() {
        return Err(ConnectionDropped);
    }
    Ok(response)
}

fn is_admin(path: &str) -> bool {
    path == "/_sim" || path.starts_with("/_sim/")
}
