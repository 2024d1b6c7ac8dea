/* shim.h - libzmq for Swift (system library target CZeroMQ). */
#include <zmq.h>
