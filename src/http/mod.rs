//! HTTP over the host's `fetch`, shared by the registry client and the package index.

pub mod retry;

use crate::host::{Host, HostError, HttpRequest, HttpResponse};
use retry::MAX_ATTEMPTS;

/// Fetches, retrying network failures and overload answers when the
/// request is `idempotent`; the last answer or failure is the caller's.
pub async fn fetch_retrying<H: Host>(
    host: &H,
    req: &HttpRequest<'_>,
    idempotent: bool,
) -> Result<HttpResponse, HostError> {
    let mut attempt = 0;
    loop {
        attempt += 1;
        let last = !idempotent || attempt >= MAX_ATTEMPTS;
        match host.fetch(req).await {
            Err(e) if !last && retry::retryable_network(e.code.as_deref()) => {
                pause(host, attempt, None).await;
            }
            Ok(resp) if !last && retry::retryable_status(resp.status) => {
                let after = resp.header("retry-after").map(str::to_owned);
                host.discard_body(resp.body).await;
                pause(host, attempt, after.as_deref()).await;
            }
            answer => return answer,
        }
    }
}

/// Waits before attempt `attempt + 1`.
pub async fn pause<H: Host>(host: &H, attempt: u32, retry_after: Option<&str>) {
    host.sleep(retry::delay_ms(attempt, retry_after, host.random()))
        .await;
}
