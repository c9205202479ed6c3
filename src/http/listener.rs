//! The accept loop: HTTP/1 with upgrades, a deadline for a request's headers (a client that
//! trickles them in is cut off), and a cap on connections open at once. A connection over the
//! cap is answered `503` and closed, so it costs nothing while it waits.

use std::net::SocketAddr;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use axum::Router;
use axum::extract::ConnectInfo;
use hyper_util::rt::{TokioIo, TokioTimer};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::{OwnedSemaphorePermit, Semaphore};
use tokio_util::sync::CancellationToken;
use tokio_util::task::TaskTracker;
use tower::ServiceExt;

/// How a listener treats its connections.
#[derive(Debug, Clone, Copy)]
pub struct ListenOptions {
    /// Time a client has to send a request's headers.
    pub header_read_timeout: Duration,
    /// Connections open at once, websockets included.
    pub max_connections: usize,
}

/// The connection's place under the cap, in each request's extensions: a websocket upgrade
/// takes it along, so the socket keeps counting after HTTP is done with the connection.
#[derive(Clone, Default)]
pub struct ConnectionSlot(Arc<Mutex<Option<OwnedSemaphorePermit>>>);

impl ConnectionSlot {
    /// Takes the place out (once); it is given back when the value is dropped.
    pub fn take(&self) -> Option<OwnedSemaphorePermit> {
        self.0.lock().unwrap_or_else(|e| e.into_inner()).take()
    }
}

/// Refusals written at once: past this, a connection over the cap is simply dropped.
const REFUSING: usize = 64;

/// The answer to a connection over the cap, in the error shape of every other answer.
fn refusal() -> Vec<u8> {
    let body =
        r#"{"error":{"code":"over_capacity","message":"too many connections; try again shortly"}}"#;
    format!(
        "HTTP/1.1 503 Service Unavailable\r\ncontent-type: application/json\r\nconnection: close\r\nretry-after: 5\r\ncontent-length: {}\r\n\r\n{body}",
        body.len()
    )
    .into_bytes()
}

/// Serves `app` on `listener` until `shutdown`, then lets open requests finish.
pub async fn serve(
    listener: TcpListener,
    app: Router,
    options: ListenOptions,
    shutdown: CancellationToken,
) {
    let open = Arc::new(Semaphore::new(options.max_connections));
    let refusing = Arc::new(Semaphore::new(REFUSING));
    let connections = TaskTracker::new();
    loop {
        let (tcp, peer) = tokio::select! {
            _ = shutdown.cancelled() => break,
            accepted = listener.accept() => match accepted {
                Ok(a) => a,
                Err(e) => {
                    // Out of file descriptors and the like: wait instead of spinning.
                    tracing::warn!(error = %e, "accept failed");
                    tokio::time::sleep(Duration::from_millis(50)).await;
                    continue;
                }
            },
        };
        if let Err(e) = tcp.set_nodelay(true) {
            // A turn is several small frames: with Nagle's algorithm the second waits for the
            // client's delayed ACK, 40 ms on Linux.
            tracing::debug!(error = %e, "cannot set TCP_NODELAY");
        }
        match open.clone().try_acquire_owned() {
            Ok(permit) => {
                let conn = connection(tcp, peer, app.clone(), options, permit, shutdown.clone());
                connections.spawn(conn);
            }
            Err(_) => {
                metrics::counter!("leadgate_connections_refused_total").increment(1);
                if let Ok(permit) = refusing.clone().try_acquire_owned() {
                    tokio::spawn(refuse(tcp, permit));
                }
            }
        }
    }
    connections.close();
    connections.wait().await;
}

/// Serves one connection.
async fn connection(
    tcp: TcpStream,
    peer: SocketAddr,
    app: Router,
    options: ListenOptions,
    permit: OwnedSemaphorePermit,
    shutdown: CancellationToken,
) {
    let slot = ConnectionSlot(Arc::new(Mutex::new(Some(permit))));
    let service = hyper::service::service_fn(move |mut request: hyper::Request<_>| {
        request.extensions_mut().insert(ConnectInfo(peer));
        request.extensions_mut().insert(slot.clone());
        app.clone().oneshot(request)
    });
    let mut builder = hyper::server::conn::http1::Builder::new();
    builder
        .timer(TokioTimer::new())
        .header_read_timeout(options.header_read_timeout);
    let conn = builder
        .serve_connection(TokioIo::new(tcp), service)
        .with_upgrades();
    tokio::pin!(conn);
    tokio::select! {
        result = conn.as_mut() => log_end(result),
        _ = shutdown.cancelled() => {
            conn.as_mut().graceful_shutdown();
            log_end(conn.await);
        }
    }
}

fn log_end(result: Result<(), hyper::Error>) {
    if let Err(e) = result {
        tracing::debug!(error = %e, "connection ended");
    }
}

/// Reads the request's head (a client does not expect an answer before it has asked), answers
/// `503` and closes, reading what else comes so the close is not a reset. A second at most.
async fn refuse(mut tcp: TcpStream, _permit: OwnedSemaphorePermit) {
    let _ = tokio::time::timeout(Duration::from_secs(1), async {
        let mut head = Vec::new();
        let mut buf = [0u8; 1024];
        while !head.windows(4).any(|w| w == b"\r\n\r\n") && head.len() < 16 * 1024 {
            match tcp.read(&mut buf).await? {
                0 => break,
                n => head.extend_from_slice(&buf[..n]),
            }
        }
        tcp.write_all(&refusal()).await?;
        tcp.shutdown().await?;
        while tcp.read(&mut buf).await? > 0 {}
        Ok::<_, std::io::Error>(())
    })
    .await;
}
