// probes() and class ProbeReader: the JS face of native/src/attach/ — attach to a third-party
// server that publishes its counters with the probe header, by pid. Everything here is a
// synchronous read of mapped memory (microseconds), so it runs on the JS thread.
#include <napi.h>

#include <cmath>
#include <memory>

#include "../../probe/iocpm_probe.h"
#include "../attach/probe_reader.h"
#include "../core/error_catalog.h"
#include "wraps.h"

namespace iocpm {
namespace {

const char* platform_name(uint32_t platform) {
  switch (platform) {
    case IOCPM_PROBE_PLATFORM_LINUX: return "linux";
    case IOCPM_PROBE_PLATFORM_WINDOWS: return "windows";
    default: return "unknown";  // only in a listing whose problem says why
  }
}

Napi::Object problem_js(Napi::Env env, const ProbeProblem& p) {
  Napi::Object o = Napi::Object::New(env);
  o.Set("code", p.code);
  o.Set("message", p.message);
  if (p.hasNative) {
    o.Set("nativeCode", p.nativeCode);
    o.Set("nativeName", translate_native_error(p.nativeCode).native);
  }
  return o;
}

// The ProbeListing shape (src-main/addon/native-addon.ts).
Napi::Object listing_js(Napi::Env env, const ProbeInfo& i) {
  Napi::Object o = Napi::Object::New(env);
  o.Set("pid", i.pid);
  o.Set("name", i.name);
  o.Set("workers", i.workers);
  o.Set("layoutVersion", i.layoutVersion);
  o.Set("startMs", static_cast<double>(i.startMs));
  o.Set("port", i.port);
  o.Set("platform", platform_name(i.platform));
  o.Set("state", i.exit == ProbeExit::Running ? "running" : "exited");
  return o;
}

Napi::Error problem_error(Napi::Env env, const ProbeProblem& p) {
  Napi::Error err = Napi::Error::New(env, p.message);
  Napi::Object o = err.Value();
  o.Set("code", p.code);
  if (p.hasNative) {
    o.Set("nativeCode", p.nativeCode);
    o.Set("nativeName", translate_native_error(p.nativeCode).native);
  }
  return err;
}

class ProbeReaderWrap : public Napi::ObjectWrap<ProbeReaderWrap> {
 public:
  static Napi::Function Define(Napi::Env env) {
    return DefineClass(env, "ProbeReader",
                       {InstanceMethod("info", &ProbeReaderWrap::Info), InstanceMethod("snapshotPacked", &ProbeReaderWrap::SnapshotPacked),
                        InstanceMethod("close", &ProbeReaderWrap::Close)});
  }

  explicit ProbeReaderWrap(const Napi::CallbackInfo& info) : Napi::ObjectWrap<ProbeReaderWrap>(info) {
    Napi::Env env = info.Env();
    double pid = info.Length() > 0 && info[0].IsNumber() ? info[0].As<Napi::Number>().DoubleValue() : -1;
    if (!(pid >= 1 && pid <= 4294967295.0) || pid != std::floor(pid)) {
      Napi::Error e = Napi::TypeError::New(env, "new ProbeReader(pid) needs a process id (an integer from 1 to 4294967295)");
      e.Value().Set("code", "invalid-argument");
      throw e;
    }
    ProbeProblem problem;
    ProbeInfo partial;
    reader_ = ProbeReader::open(static_cast<uint32_t>(pid), &problem, &partial);
    if (!reader_) throw problem_error(env, problem);
  }

 private:
  // After close() the mapping is gone: say so rather than crash or return stale zeros.
  ProbeReader& reader(Napi::Env env) {
    if (!reader_) {
      Napi::Error e = Napi::Error::New(env, "this ProbeReader is closed");
      e.Value().Set("code", "probe-closed");
      throw e;
    }
    return *reader_;
  }

  Napi::Value Info(const Napi::CallbackInfo& info) {
    Napi::Env env = info.Env();
    ProbeInfo i = reader(env).info();
    Napi::Object o = listing_js(env, i);
    o.Set("badWorkerCalls", static_cast<double>(i.badWorkerCalls));
    if (i.exit == ProbeExit::Closed) o.Set("exitReason", "closed");
    if (i.exit == ProbeExit::ProcessExited) o.Set("exitReason", "process-exited");
    return o;
  }

  Napi::Value SnapshotPacked(const Napi::CallbackInfo& info) {
    ProbeSnapshot s = reader(info.Env()).snapshot();
    return packed_snapshot_js(info.Env(), s.monoNs, s.running, s.workers);
  }

  // Unmaps now instead of at garbage collection; calling it twice is harmless.
  Napi::Value Close(const Napi::CallbackInfo& info) {
    reader_.reset();
    return info.Env().Undefined();
  }

  std::unique_ptr<ProbeReader> reader_;
};

}  // namespace

Napi::Value probes_js(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  std::vector<ProbeListing> all = list_probes();
  Napi::Array arr = Napi::Array::New(env, all.size());
  for (size_t i = 0; i < all.size(); ++i) {
    Napi::Object o = listing_js(env, all[i].info);
    if (all[i].hasProblem) o.Set("problem", problem_js(env, all[i].problem));
    arr.Set(uint32_t(i), o);
  }
  return arr;
}

Napi::Function define_probe_reader(Napi::Env env) { return ProbeReaderWrap::Define(env); }

}  // namespace iocpm
