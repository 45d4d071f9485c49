// test_net.h's classes over the platform's socket calls (test_net_sys.h).
#include "test_net.h"

#include <algorithm>

#include "test_net_sys.h"

namespace tnet {

TestClient::~TestClient() { close(); }

TestClient::TestClient(TestClient&& o) noexcept : sock_(o.sock_), error_(o.error_), attempts_(o.attempts_) {
  o.sock_ = kNone;
}

TestClient& TestClient::operator=(TestClient&& o) noexcept {
  if (this != &o) {
    close();
    sock_ = o.sock_;
    error_ = o.error_;
    attempts_ = o.attempts_;
    o.sock_ = kNone;
  }
  return *this;
}

TestClient TestClient::connect(int port, const ConnectOptions& o) {
  TestClient c;
  while (!c.ok() && c.attempts_ < std::max(1, o.attempts)) {
    ++c.attempts_;
    c.sock_ = sys::connect(port, o, &c.error_);
  }
  return c;
}

bool TestClient::send_all(const char* p, size_t n) {
  if (!ok()) return false;
  while (n > 0) {
    long w = sys::send(sock_, p, n, &error_);
    if (w <= 0) return false;
    p += w;
    n -= static_cast<size_t>(w);
  }
  return true;
}

long TestClient::recv_some(char* p, size_t n) { return ok() ? sys::recv(sock_, p, n, &error_) : -1; }

std::string TestClient::recv_n(size_t n) {
  std::string out;
  out.reserve(n);
  char buf[16384];
  while (out.size() < n) {
    long r = recv_some(buf, std::min(sizeof(buf), n - out.size()));
    if (r <= 0) break;
    out.append(buf, static_cast<size_t>(r));
  }
  return out;
}

bool TestClient::recv_to_eof(std::string* out) {
  char buf[16384];
  for (;;) {
    long r = recv_some(buf, sizeof(buf));
    if (r == 0) return true;
    if (r < 0) return false;
    out->append(buf, static_cast<size_t>(r));
  }
}

int TestClient::wait_closed() {
  char buf[4096];
  long r = recv_some(buf, sizeof(buf));
  if (r == 0) return 0;
  if (r > 0) return -1;
  return error_;
}

bool TestClient::shutdown_send() { return ok() && sys::shutdown_send(sock_); }

int TestClient::local_port() const { return ok() ? sys::local_port(sock_) : 0; }

long TestClient::send_when_writable(const char* p, size_t n, int waitMs) {
  return ok() ? sys::send_when_writable(sock_, p, n, waitMs, &error_) : -1;
}

void TestClient::abort() {
  if (ok()) sys::close(sock_, true);
  sock_ = kNone;
}

void TestClient::close() {
  if (ok()) sys::close(sock_, false);
  sock_ = kNone;
}

TestListener::TestListener() { sock_ = sys::listen_loopback(&port_); }

TestListener::~TestListener() {
  if (sock_ != sys::kNone) sys::close(sock_, false);
}

TestClient TestListener::accept(int timeoutMs) {
  return sock_ == sys::kNone ? TestClient() : TestClient(sys::accept(sock_, timeoutMs));
}

int free_port() {
  TestListener l;
  return l.port();
}

}  // namespace tnet
