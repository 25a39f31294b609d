//! SIGTERM and SIGINT end the process at once with exit code 0.
//!
//! The handler calls `_exit`, which is async-signal-safe, instead of setting a
//! flag: a scrape can be blocked in a hub request or in JavaScript for up to
//! `--timeout`, and "promptly" must hold then too. Whichever thread the signal
//! lands on (the listener or the scrape worker), `_exit` ends the whole
//! process. There is nothing to flush: logs go unbuffered to stderr and no
//! state outlives the process.

extern "C" fn exit_now(_signal: libc::c_int) {
    // SAFETY: _exit is async-signal-safe and takes no locks.
    unsafe { libc::_exit(0) }
}

pub fn install() -> std::io::Result<()> {
    for signal in [libc::SIGTERM, libc::SIGINT] {
        // SAFETY: a zeroed sigaction is a valid "no flags, empty mask" value;
        // the handler is an extern "C" fn that lives for the whole program.
        unsafe {
            let mut action: libc::sigaction = std::mem::zeroed();
            action.sa_sigaction = exit_now as *const () as libc::sighandler_t;
            libc::sigemptyset(&mut action.sa_mask);
            if libc::sigaction(signal, &action, std::ptr::null_mut()) != 0 {
                return Err(std::io::Error::last_os_error());
            }
        }
    }
    Ok(())
}
