// JS classes exported by the addon, one file each.
#pragma once
#include <napi.h>

#include <cstdint>
#include <utility>
#include <vector>

namespace iocpm {

Napi::Function define_load_generator(Napi::Env env);
Napi::Value process_resources_js(const Napi::CallbackInfo& info);
// Attaching to another process's probe (probe_wrap.cc): probes() and class ProbeReader.
Napi::Value probes_js(const Napi::CallbackInfo& info);
Napi::Function define_probe_reader(Napi::Env env);

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

// Runs work() on a libuv pool thread (a slow bind, a join or a whole load run never blocks the JS
// thread), then settle(env, deferred) back on the JS thread; returns the promise settle decides.
// State the two share lives in what they capture (a shared_ptr).
template <typename Work, typename Settle>
Napi::Promise run_async(Napi::Env env, Work work, Settle settle) {
  class Worker : public Napi::AsyncWorker {
   public:
    Worker(Napi::Env e, Work w, Settle s)
        : Napi::AsyncWorker(e), deferred_(Napi::Promise::Deferred::New(e)), work_(std::move(w)), settle_(std::move(s)) {}
    Napi::Promise promise() { return deferred_.Promise(); }
    void Execute() override { work_(); }
    void OnOK() override { settle_(Env(), deferred_); }

   private:
    Napi::Promise::Deferred deferred_;
    Work work_;
    Settle settle_;
  };
  Worker* w = new Worker(env, std::move(work), std::move(settle));  // deletes itself when settled
  Napi::Promise p = w->promise();
  w->Queue();
  return p;
}

// The session table's JS shapes (session_wrap.cc).
struct SessionQuery;
struct SessionTable;
SessionQuery read_session_query(const Napi::Object& o);
Napi::Object session_table_js(Napi::Env env, const SessionTable& t);

// The packed snapshot ({monoNs, running, counters: Float64Array, errors}) that
// src-main/addon/snapshot-decode.ts decodes, from the engine's or a probe's worker samples.
struct WorkerSnapshot;
Napi::Object packed_snapshot_js(Napi::Env env, uint64_t monoNs, bool running, const std::vector<WorkerSnapshot>& workers);

// {code, nativeName, name}: a native error as the error catalog names it.
Napi::Object native_error_object(Napi::Env env, int code);
// {code, nativeName, name, count}: one counted native error as every snapshot reports it.
Napi::Object error_count_object(Napi::Env env, int code, uint64_t count);

}  // namespace iocpm
