// JS classes exported by the addon, one file each.
#pragma once
#include <napi.h>

#include <cstdint>

namespace iocpm {

Napi::Function define_load_generator(Napi::Env env);
Napi::Value process_resources_js(const Napi::CallbackInfo& info);

// Reads start(config)'s argument with `read` (which throws a Napi::Error naming the field); on
// failure returns false and sets *rejected to a promise rejected with code invalid-config.
template <typename Config, typename Reader>
bool read_start_config(const Napi::CallbackInfo& info, Reader read, Config* out, Napi::Promise* rejected) {
  Napi::Env env = info.Env();
  try {
    if (info.Length() < 1 || !info[0].IsObject()) throw Napi::TypeError::New(env, "start(config) needs a config object");
    *out = read(info[0].As<Napi::Object>());
    return true;
  } catch (const Napi::Error& e) {
    Napi::Error err = e;
    err.Value().Set("code", "invalid-config");
    auto d = Napi::Promise::Deferred::New(env);
    d.Reject(err.Value());
    *rejected = d.Promise();
    return false;
  }
}

// Queues an AsyncWorker that settles its own promise, and returns that promise.
template <typename Worker>
Napi::Promise queue_for_promise(Worker* w) {
  Napi::Promise p = w->promise();
  w->Queue();
  return p;
}

// {code, nativeName, name, count}: one counted native error as every snapshot reports it.
Napi::Object error_count_object(Napi::Env env, int code, uint64_t count);

}  // namespace iocpm
