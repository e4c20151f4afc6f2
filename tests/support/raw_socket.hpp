#pragma once

// Bare TCP sockets to 127.0.0.1, for tests that must misbehave below HTTP: send half a
// request, trickle bytes, stay silent, and watch when the server hangs up.

#include <chrono>

namespace vigia::test {

// A connected socket to 127.0.0.1:port, or -1. The caller closes it.
int connectTo(unsigned short port);

// True when the server closed the connection within `wait` (a read returns 0 or an error).
bool closedByServer(int fd, std::chrono::milliseconds wait);

}  // namespace vigia::test
