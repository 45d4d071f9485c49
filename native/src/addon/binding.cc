// The engine's JS class: converts JS <-> engine types and runs start/stop off the JS thread
// (run_async), so a slow bind or a join never blocks the Electron main process.
#include <napi.h>

#include <limits>
#include <memory>

#include "../core/engine.h"
#include "../core/error_catalog.h"
#include "wraps.h"
#include "../core/session_table.h"

namespace iocpm {
namespace {

// Builds the JS Error for a failed start: code = portable name, plus nativeCode/nativeName,
// syscall and (for config errors) field.
Napi::Error make_error(Napi::Env env, const StartResult& r) {
  Napi::Error err = Napi::Error::New(env, r.text);
  Napi::Object o = err.Value();
  switch (r.kind) {
    case StartResult::InvalidConfig:
      o.Set("code", "invalid-config");
      o.Set("field", r.configError.field);
      break;
    case StartResult::AlreadyRunning: o.Set("code", "already-running"); break;
    case StartResult::Busy: o.Set("code", "busy"); break;
    case StartResult::SystemError: {
      NativeErrorName n = translate_native_error(r.nativeError.code);
      o.Set("code", n.portable);
      o.Set("nativeCode", r.nativeError.code);
      o.Set("nativeName", n.native);
      o.Set("syscall", r.nativeError.syscall);
      break;
    }
    case StartResult::Ok: break;
  }
  return err;
}

// The object start() resolves with: what is running, where, and with which features.
Napi::Object started_info(Napi::Env env, const EngineConfig& cfg, const BackendInfo& b) {
  Napi::Object info = Napi::Object::New(env);
  info.Set("backend", b.name);
  if (!b.fallbackReason.empty()) info.Set("fallbackReason", b.fallbackReason);
  info.Set("host", cfg.host);
  info.Set("port", cfg.port);
  info.Set("workers", cfg.workers);
  Napi::Array features = Napi::Array::New(env, b.features.size());
  for (size_t i = 0; i < b.features.size(); ++i) features.Set(uint32_t(i), b.features[i]);
  info.Set("features", features);
  return info;
}

Napi::Error field_error(Napi::Env env, const std::string& field, const std::string& msg) {
  Napi::Error e = Napi::TypeError::New(env, msg);
  e.Value().Set("field", field);
  return e;
}

// Reads config from a JS object; throws a TypeError naming the field on a wrong type. Range
// checks happen in validate_config (shared with the C++ tests and the Windows program).
EngineConfig read_config(const Napi::Object& o) {
  Napi::Env env = o.Env();
  EngineConfig c;
  auto num = [&](const char* k, auto* out) {
    if (!o.Has(k) || o.Get(k).IsUndefined()) return;
    Napi::Value v = o.Get(k);
    if (!v.IsNumber()) throw field_error(env, k, std::string(k) + " must be a number");
    double d = v.As<Napi::Number>().DoubleValue();
    if (d != static_cast<double>(static_cast<int64_t>(d))) throw field_error(env, k, std::string(k) + " must be an integer");
    if (d < -1e12 || d > 1e12) throw field_error(env, k, std::string(k) + " is out of range");
    // Clamp into the target type so an absurd value reaches validate_config (which names the
    // field and the range) instead of overflowing the cast.
    using T = std::remove_pointer_t<decltype(out)>;
    double lo = static_cast<double>(std::numeric_limits<T>::min()), hi = static_cast<double>(std::numeric_limits<T>::max());
    *out = static_cast<T>(d < lo ? lo : (d > hi ? hi : d));
  };
  auto str = [&](const char* k) -> std::string {
    Napi::Value v = o.Get(k);
    if (!v.IsString()) throw field_error(env, k, std::string(k) + " must be a string");
    return v.As<Napi::String>().Utf8Value();
  };
  auto boolean = [&](const char* k, bool* out) {
    if (!o.Has(k) || o.Get(k).IsUndefined()) return;
    Napi::Value v = o.Get(k);
    if (!v.IsBoolean()) throw field_error(env, k, std::string(k) + " must be true or false");
    *out = v.As<Napi::Boolean>().Value();
  };
  if (o.Has("host") && !o.Get("host").IsUndefined()) c.host = str("host");
  num("port", &c.port);
  num("workers", &c.workers);
  num("backlog", &c.backlog);
  num("recvBufferSize", &c.recvBufferSize);
  num("maxSessions", &c.maxSessions);
  num("sendQueueLimit", &c.sendQueueLimit);
  boolean("noDelay", &c.noDelay);
  boolean("reusePort", &c.reusePort);
  // `accepted` completes the message "<field> must be …".
  auto choice = [&](const char* k, auto parse, auto* out, const char* accepted) {
    if (!o.Has(k) || o.Get(k).IsUndefined()) return;
    if (!parse(str(k), out)) throw field_error(env, k, std::string(k) + " must be " + accepted);
  };
  choice("backend", parse_backend, &c.backend, "one of auto, iouring, epoll, iocp");
  choice("workload", parse_workload, &c.workload, "one of echo, discard, chat");
  choice("closeMode", parse_close_mode, &c.closeMode, "graceful or abortive");
  // Read (and so checked) on every platform; only the backend they name uses them.
  choice("iouringRecv", parse_iouring_recv, &c.iouringRecv, "multishot or single");
  choice("iouringSockets", parse_iouring_sockets, &c.iouringSockets, "fd or direct");
  choice("iocpPortLayout", parse_iocp_port_layout, &c.iocpPortLayout, "perWorker or shared");
  choice("iocpDequeue", parse_iocp_dequeue, &c.iocpDequeue, "gqcsex or gqcs");
  num("iocpAcceptPool", &c.iocpAcceptPool);
  return c;
}

// One worker's counters in the packed layout (snapshotPacked; src-main/addon/snapshot-decode.ts
// reads this order). snapshot() names the same values: fields 2-4 go into its `inflight` object.
constexpr int kPackedFields = 12;
constexpr const char* kPackedNames[kPackedFields] = {"worker",      "queueDepth", "accept",   "recv",    "send",     "completions",
                                                     "accepts",     "closes",     "sessions", "bytesIn", "bytesOut", "busyNs"};
inline bool is_inflight_field(int f) { return f >= 2 && f <= 4; }
void pack_worker(const WorkerSnapshot& w, double* d) {
  d[0] = w.worker;
  d[1] = static_cast<double>(w.queueDepth);
  d[2] = static_cast<double>(w.inflight[int(OpKind::Accept)]);
  d[3] = static_cast<double>(w.inflight[int(OpKind::Recv)]);
  d[4] = static_cast<double>(w.inflight[int(OpKind::Send)]);
  d[5] = static_cast<double>(w.completions);
  d[6] = static_cast<double>(w.accepts);
  d[7] = static_cast<double>(w.closes);
  d[8] = static_cast<double>(w.sessions);
  d[9] = static_cast<double>(w.bytesIn);
  d[10] = static_cast<double>(w.bytesOut);
  d[11] = static_cast<double>(w.busyNs);
}

// What both snapshot shapes begin with: the engine's clock and whether it runs.
Napi::Object snapshot_object(Napi::Env env, const EngineSnapshot& s) {
  Napi::Object out = Napi::Object::New(env);
  out.Set("monoNs", static_cast<double>(s.monoNs));
  out.Set("running", s.running);
  return out;
}

class EngineWrap : public Napi::ObjectWrap<EngineWrap> {
 public:
  static Napi::Function Define(Napi::Env env) {
    return DefineClass(env, "Engine",
                       {InstanceMethod("start", &EngineWrap::Start), InstanceMethod("stop", &EngineWrap::Stop),
                        InstanceMethod("snapshot", &EngineWrap::Snapshot),
                        InstanceMethod("snapshotPacked", &EngineWrap::SnapshotPacked),
                        InstanceMethod("sessions", &EngineWrap::Sessions),
                        InstanceMethod("closeSession", &EngineWrap::CloseSession),
                        InstanceAccessor("running", &EngineWrap::Running, nullptr)});
  }

  explicit EngineWrap(const Napi::CallbackInfo& info) : Napi::ObjectWrap<EngineWrap>(info), engine_(std::make_shared<Engine>()) {}

  // On GC or environment teardown the engine's destructor stops and joins (the shared_ptr keeps
  // it alive while a start/stop AsyncWorker still uses it).
  ~EngineWrap() override = default;

 private:
  Napi::Value Start(const Napi::CallbackInfo& info) {
    EngineConfig cfg;
    Napi::Promise rejected;
    if (!read_start_config(info, read_config, &cfg, &rejected)) return rejected;
    auto result = std::make_shared<StartResult>();
    return run_async(
        info.Env(), [engine = engine_, cfg, result] { *result = engine->start(cfg); },
        [cfg, result](Napi::Env env, Napi::Promise::Deferred& d) {
          if (result->kind != StartResult::Ok) d.Reject(make_error(env, *result).Value());
          else d.Resolve(started_info(env, cfg, result->info));
        });
  }

  Napi::Value Stop(const Napi::CallbackInfo& info) {
    return run_async(
        info.Env(), [engine = engine_] { engine->stop(); },
        [](Napi::Env env, Napi::Promise::Deferred& d) { d.Resolve(env.Undefined()); });
  }

  Napi::Value Running(const Napi::CallbackInfo& info) { return Napi::Boolean::New(info.Env(), engine_->running()); }

  Napi::Value Snapshot(const Napi::CallbackInfo& info) {
    Napi::Env env = info.Env();
    EngineSnapshot s = engine_->snapshot();
    Napi::Object out = snapshot_object(env, s);
    Napi::Array workers = Napi::Array::New(env, s.workers.size());
    for (size_t i = 0; i < s.workers.size(); ++i) {
      const WorkerSnapshot& w = s.workers[i];
      double d[kPackedFields];
      pack_worker(w, d);
      Napi::Object o = Napi::Object::New(env);
      Napi::Object inflight = Napi::Object::New(env);
      for (int f = 0; f < kPackedFields; ++f) (is_inflight_field(f) ? inflight : o).Set(kPackedNames[f], d[f]);
      o.Set("inflight", inflight);
      Napi::Array errs = Napi::Array::New(env, w.errors.size());
      for (size_t j = 0; j < w.errors.size(); ++j) errs.Set(uint32_t(j), error_count_object(env, w.errors[j].code, w.errors[j].count));
      o.Set("errors", errs);
      workers.Set(uint32_t(i), o);
    }
    out.Set("workers", workers);
    return out;
  }

  // The sampler's fast path (packed_snapshot_js below).
  Napi::Value SnapshotPacked(const Napi::CallbackInfo& info) {
    EngineSnapshot s = engine_->snapshot();
    return packed_snapshot_js(info.Env(), s.monoNs, s.running, s.workers);
  }

  // sessions({key, limit, worker, addressPrefix}): the session table (synchronous: one pass over
  // the sessions, well under a millisecond at 10,000). Throws a TypeError on a bad query.
  Napi::Value Sessions(const Napi::CallbackInfo& info) {
    Napi::Env env = info.Env();
    SessionQuery q;
    if (info.Length() > 0 && info[0].IsObject()) q = read_session_query(info[0].As<Napi::Object>());
    return session_table_js(env, engine_->sessions(q));
  }

  // closeSession(id, abortive): true when a live session had that id.
  Napi::Value CloseSession(const Napi::CallbackInfo& info) {
    Napi::Env env = info.Env();
    if (info.Length() < 2 || !info[0].IsNumber() || !info[1].IsBoolean()) {
      throw Napi::TypeError::New(env, "closeSession(id, abortive) needs a session id and a boolean");
    }
    double id = info[0].As<Napi::Number>().DoubleValue();
    if (!(id >= 1 && id <= 9007199254740991.0) || id != static_cast<double>(static_cast<uint64_t>(id))) {
      throw Napi::TypeError::New(env, "a session id is a positive integer");
    }
    return Napi::Boolean::New(env, engine_->closeSession(static_cast<uint64_t>(id), info[1].As<Napi::Boolean>().Value()));
  }

  std::shared_ptr<Engine> engine_;
};

}  // namespace

// Per-worker counters as one Float64Array (kPackedFields per worker, in pack_worker's order) plus
// the few error rows as objects. Building 64 objects property by property through N-API costs
// ~7 µs per worker; a typed array decoded in JS costs a fraction. The engine and the probe reader
// (probe_wrap.cc) both hand their samples over this way.
Napi::Object packed_snapshot_js(Napi::Env env, uint64_t monoNs, bool running, const std::vector<WorkerSnapshot>& workers) {
  Napi::Object out = Napi::Object::New(env);
  out.Set("monoNs", static_cast<double>(monoNs));
  out.Set("running", running);
  Napi::Float64Array data = Napi::Float64Array::New(env, workers.size() * kPackedFields);
  double* d = data.Data();
  size_t errCount = 0;
  for (const WorkerSnapshot& w : workers) {
    pack_worker(w, d);
    d += kPackedFields;
    errCount += w.errors.size();
  }
  out.Set("counters", data);
  Napi::Array errs = Napi::Array::New(env, errCount);
  uint32_t k = 0;
  for (const WorkerSnapshot& w : workers) {
    for (const ErrorCountSnapshot& er : w.errors) {
      Napi::Object e = error_count_object(env, er.code, er.count);
      e.Set("worker", w.worker);
      errs.Set(k++, e);
    }
  }
  out.Set("errors", errs);
  return out;
}

Napi::Object native_error_object(Napi::Env env, int code) {
  NativeErrorName n = translate_native_error(code);
  Napi::Object e = Napi::Object::New(env);
  e.Set("code", code);
  e.Set("nativeName", n.native);
  e.Set("name", n.portable);
  return e;
}

Napi::Object error_count_object(Napi::Env env, int code, uint64_t count) {
  Napi::Object e = native_error_object(env, code);
  e.Set("count", static_cast<double>(count));
  return e;
}

namespace {

Napi::Value Catalog(const Napi::CallbackInfo& info) {
  size_t n = 0;
  const CatalogEntry* e = catalog_entries(&n);
  Napi::Array arr = Napi::Array::New(info.Env(), n);
  for (size_t i = 0; i < n; ++i) {
    Napi::Object o = Napi::Object::New(info.Env());
    o.Set("name", e[i].name);
    o.Set("en", e[i].en);
    o.Set("ko", e[i].ko);
    arr.Set(uint32_t(i), o);
  }
  return arr;
}

}  // namespace
}  // namespace iocpm

static Napi::Object InitAddon(Napi::Env env, Napi::Object exports) {
  exports.Set("Engine", iocpm::EngineWrap::Define(env));
  exports.Set("LoadGenerator", iocpm::define_load_generator(env));
  exports.Set("errorCatalog", Napi::Function::New(env, iocpm::Catalog));
  exports.Set("processResources", Napi::Function::New(env, iocpm::process_resources_js));
  exports.Set("probes", Napi::Function::New(env, iocpm::probes_js));
  exports.Set("ProbeReader", iocpm::define_probe_reader(env));
  return exports;
}

NODE_API_MODULE(iocp_monitor, InitAddon)
