// SO_ORIGINAL_DST for a socket accepted on an iptables REDIRECT port: the address the client meant to reach.
// One synchronous getsockopt per accepted connection; returns [address, port] or null when the socket was not
// redirected (then the kernel answers ENOENT).
#include <napi.h>
#include <arpa/inet.h>
#include <linux/netfilter_ipv4.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <cerrno>
#include <cstring>

static Napi::Value OriginalDst(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  if (info.Length() < 1 || !info[0].IsNumber()) {
    Napi::TypeError::New(env, "originalDst(fd): fd must be a number").ThrowAsJavaScriptException();
    return env.Null();
  }
  int fd = info[0].As<Napi::Number>().Int32Value();
  sockaddr_in addr;
  socklen_t len = sizeof(addr);
  std::memset(&addr, 0, sizeof(addr));
  if (getsockopt(fd, SOL_IP, SO_ORIGINAL_DST, &addr, &len) != 0) {
    if (errno == ENOENT) return env.Null();
    Napi::Error::New(env, std::string("getsockopt(SO_ORIGINAL_DST): ") + std::strerror(errno)).ThrowAsJavaScriptException();
    return env.Null();
  }
  char text[INET_ADDRSTRLEN];
  inet_ntop(AF_INET, &addr.sin_addr, text, sizeof(text));
  Napi::Array out = Napi::Array::New(env, 2);
  out.Set(uint32_t(0), Napi::String::New(env, text));
  out.Set(uint32_t(1), Napi::Number::New(env, ntohs(addr.sin_port)));
  return out;
}

static Napi::Object Init(Napi::Env env, Napi::Object exports) {
  exports.Set("originalDst", Napi::Function::New(env, OriginalDst));
  return exports;
}

NODE_API_MODULE(original_dst, Init)
