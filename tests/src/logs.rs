//! Captures every log line the bridge writes during the test process, so tests can check
//! that no secret, token or personal datum ever reaches a log.

use std::io::Write;
use std::sync::{Arc, Mutex, OnceLock};

#[derive(Clone, Default)]
struct Buffer(Arc<Mutex<Vec<u8>>>);

impl Write for Buffer {
    fn write(&mut self, data: &[u8]) -> std::io::Result<usize> {
        if let Ok(mut b) = self.0.lock() {
            b.extend_from_slice(data);
        }
        Ok(data.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

fn buffer() -> &'static Buffer {
    static BUFFER: OnceLock<Buffer> = OnceLock::new();
    BUFFER.get_or_init(|| {
        let buffer = Buffer::default();
        let writer = buffer.clone();
        let _ = tracing_subscriber::fmt()
            .json()
            .with_env_filter(tracing_subscriber::EnvFilter::new("debug"))
            .with_writer(move || writer.clone())
            .try_init();
        buffer
    })
}

/// Starts capturing (idempotent).
pub fn capture() {
    let _ = buffer();
}

/// Everything logged so far by this test process.
pub fn captured() -> String {
    String::from_utf8_lossy(&buffer().0.lock().expect("the log buffer (poisoned by a panic while logging)"))
        .into_owned()
}
