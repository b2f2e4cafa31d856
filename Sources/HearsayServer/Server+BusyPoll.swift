import CLibUV
import Glibc

/// Polling before sleeping. A node that has just read input keeps polling its sockets
/// (without blocking, yielding the processor between polls) for up to
/// `busyPollMicroseconds` before it lets the loop block in epoll. A peer that sends
/// while the node is awake pays no wake-up: on loopback the sender's kernel does the
/// receiver's work, and waking a sleeping process made redis-benchmark spend more time per
/// call against Hearsay than against Redis (see README, "Speed and memory"). The same
/// trade as Linux's `net.core.busy_poll`: an idle node costs nothing, a loaded one spends
/// at most the window after its last input, and `sched_yield` hands the processor to any
/// other runnable process meanwhile.
extension Server {
    func runLoop() {
        let window = UInt64(configuration.busyPollMicroseconds) * 1_000
        guard window > 0 else {
            uv_run(loop, UV_RUN_DEFAULT)
            return
        }
        var seen = inputReads
        var lastInput = uv_hrtime()
        while uv_run(loop, UV_RUN_NOWAIT) != 0 {
            if inputReads != seen {
                seen = inputReads
                lastInput = uv_hrtime()
            } else if uv_hrtime() &- lastInput <= window {
                sched_yield()
            } else {
                // Nothing for a whole window: block until the next event.
                guard uv_run(loop, UV_RUN_ONCE) != 0 else { return }
                seen = inputReads
                lastInput = uv_hrtime()
            }
        }
    }
}
