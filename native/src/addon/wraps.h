// JS classes exported by the addon, one file each.
#pragma once
#include <napi.h>

#include <cstdint>

namespace iocpm {

Napi::Function define_load_generator(Napi::Env env);

// {code, nativeName, name, count}: one counted native error as every snapshot reports it.
Napi::Object error_count_object(Napi::Env env, int code, uint64_t count);

}  // namespace iocpm
