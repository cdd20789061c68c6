//! Sign-in pages from a terminal: the address is printed first (the machine may have no browser, or it may open
//! on another screen), then the system browser is asked to open it.

use atrium_api::{AuthError, Browser, SystemBrowser};
use futures::future::BoxFuture;

/// Prints the sign-in address on stderr, then opens it; a browser that cannot start is not a failure, since the
/// person can open the address by hand.
#[derive(Debug, Clone, Copy, Default)]
pub struct TerminalBrowser;

impl Browser for TerminalBrowser {
    fn open<'a>(&'a self, url: &'a str) -> BoxFuture<'a, Result<(), AuthError>> {
        Box::pin(async move {
            eprintln!("Open this address to sign in (it also opens in your browser):\n  {url}");
            if let Err(err) = SystemBrowser.open(url).await {
                eprintln!("(the browser did not start: {err})");
            }
            Ok(())
        })
    }
}
