//! The gateway as users run it: the `leadgate` binary in a process of its own, which a test can
//! kill (SIGKILL), stop (SIGSTOP) and continue (SIGCONT).

use std::net::SocketAddr;
use std::time::Duration;

/// A gateway process, killed with SIGKILL when dropped (also when a test fails).
pub struct Gateway {
    pub child: std::process::Child,
    pub addr: SocketAddr,
}

impl Gateway {
    /// Runs `leadgate serve --config <file>` and reads where it listens from its log: the file
    /// says `listen = "127.0.0.1:0"`, so the gateway binds a free port itself (no port is
    /// chosen here and freed for it, which another process could take meanwhile) and logs
    /// `leadgate is listening; open http://ADDR/`.
    pub async fn start(file: &std::path::Path) -> Gateway {
        let file = file.to_owned();
        let started = tokio::task::spawn_blocking(move || {
            use std::io::BufRead;
            let mut child = std::process::Command::new(env!("CARGO_BIN_EXE_leadgate"))
                .args(["serve", "--config"])
                .arg(&file)
                .current_dir(file.parent().unwrap())
                .env("RUST_LOG", "warn,leadgate=info")
                .env("NO_COLOR", "1")
                .stdout(std::process::Stdio::piped())
                .spawn()
                .expect("the gateway starts");
            let stdout = child.stdout.take().expect("the gateway's output");
            let mut lines = std::io::BufReader::new(stdout).lines();
            let addr = lines.by_ref().map_while(Result::ok).find_map(|line| {
                let rest = line.split_once("leadgate is listening; open http://")?.1;
                rest.split('/').next()?.parse::<SocketAddr>().ok()
            });
            // The rest is read and dropped, so the gateway never blocks on a full pipe.
            std::thread::spawn(move || lines.for_each(drop));
            let addr = addr.expect("the gateway says where it listens");
            Gateway { child, addr }
        });
        tokio::time::timeout(Duration::from_secs(60), started)
            .await
            .expect("the gateway says where it listens within a minute")
            .expect("the gateway starts")
    }

    /// Waits until the gateway answers `/readyz` (a hang guard of 30 s).
    pub async fn ready(&self) {
        for _ in 0..300 {
            if let Ok(r) = reqwest::get(format!("http://{}/readyz", self.addr)).await
                && r.status().is_success()
            {
                return;
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        panic!("the gateway did not become ready");
    }
}

impl Drop for Gateway {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

impl Gateway {
    /// Sends the process a signal (`STOP`, `CONT`) with `kill`.
    pub fn signal(&self, name: &str) {
        let status = std::process::Command::new("kill")
            .arg(format!("-{name}"))
            .arg(self.child.id().to_string())
            .status()
            .expect("kill runs");
        assert!(status.success(), "kill -{name}");
    }
}
