internal import CZeroMQ
import Glibc

/// A libzmq context: the I/O threads and the inproc namespace its sockets share.
///
/// Sockets keep their context alive; when the last reference goes, `deinit` terminates it, which waits until
/// every socket of the context has been closed.
final class ZMQContext: @unchecked Sendable {  // libzmq contexts are thread-safe
    let handle: ZMQHandle

    /// A new context with `ioThreads` I/O threads.
    ///
    /// The corresponding C functions are `zmq_ctx_new` and `zmq_ctx_set`.
    init(ioThreads: Int32 = 1) throws(TransportError) {
        handle = try zmqContextNew().get()
        if ioThreads != 1, case .failure(let e) = zmqContextSet(handle, ZMQ_IO_THREADS, ioThreads) {
            _ = zmqContextTerm(handle)
            throw e
        }
    }

    deinit { _ = zmqContextTerm(handle) }
}
