{
  # The build file picks the backend sources per platform; shared code has no platform #ifdefs.
  "targets": [
    {
      "target_name": "iocp_monitor",
      "cflags_cc!": ["-fno-exceptions", "-fno-rtti"],
      "cflags_cc": ["-std=c++17", "-O2", "-Wall", "-Wextra", "-Wno-unused-parameter", "-Wno-missing-field-initializers"],
      "include_dirs": ["<!(node -p \"require('node-addon-api').include_dir\")"],
      "defines": ["NAPI_VERSION=8", "NAPI_CPP_EXCEPTIONS"],
      "sources": [
        "src/addon/binding.cc",
        "src/addon/loadgen_wrap.cc",
        "src/loadgen/histogram.cc",
        "src/loadgen/loadgen_common.cc",
        "src/loadgen/loadgen_shared.cc",
        "src/core/config.cc",
        "src/core/engine.cc",
        "src/core/error_catalog.cc",
        "src/core/metrics.cc",
        "src/core/send_queue.cc"
      ],
      "conditions": [
        ["OS=='linux'", {
          "sources": [
            "src/backends/linux_factory.cc",
            "src/backends/posix/errno_map.cc",
            "src/backends/posix/socket_util.cc",
            "src/backends/iouring/iouring_backend.cc",
            "src/backends/epoll/epoll_backend.cc",
            "src/backends/posix/loadgen_posix.cc"
          ],
          "libraries": ["-luring", "-lpthread"]
        }],
        ["OS=='win'", {
          "sources": [
            "src/backends/iocp/iocp_factory.cc",
            "src/backends/iocp/wsa_errors.cc",
            "src/backends/iocp/iocp_backend.cc",
            "src/backends/iocp/loadgen_win.cc"
          ],
          "libraries": ["ws2_32.lib", "mswsock.lib"],
          "msvs_settings": {"VCCLCompilerTool": {"ExceptionHandling": 1, "AdditionalOptions": ["/std:c++17"]}}
        }]
      ]
    }
  ]
}
