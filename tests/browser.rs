//! The widget in a real headless Chromium against a real gateway: keyboard access, a captured
//! email and phone, a dropped connection, a reload with the history, a phone-sized screen, and
//! no Content-Security-Policy violation. Needs Node.js, `tests/browser/node_modules`
//! (`npm ci` there) and Chromium at /usr/bin/chromium (or `CHROMIUM_PATH`); `.ci/run` installs
//! them.

mod common;

use std::process::Command;

use common::{Db, TestDb, config, start};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_widget_works_in_chromium() {
    let root = env!("CARGO_MANIFEST_DIR");
    let script = format!("{root}/tests/browser/widget.test.mjs");
    assert!(
        std::path::Path::new(&format!(
            "{root}/tests/browser/node_modules/playwright-core"
        ))
        .exists(),
        "run `npm ci` in tests/browser first (.ci/run does)"
    );
    let db = TestDb::new(Db::Sqlite).await;
    let gw = start(config(&db)).await;
    let url = format!("http://{}/", gw.addr);
    let out = tokio::task::spawn_blocking(move || {
        Command::new("node")
            .arg(script)
            .arg(url)
            .current_dir(root)
            .output()
    })
    .await
    .unwrap()
    .expect("node runs (install Node.js)");
    let stdout = String::from_utf8_lossy(&out.stdout);
    let stderr = String::from_utf8_lossy(&out.stderr);
    gw.stop().await.unwrap();
    assert!(
        out.status.success(),
        "browser test failed:\n{stdout}\n{stderr}"
    );
    assert!(stdout.contains("0 failed"), "{stdout}");
}
