{
  # The build file picks the backend sources per platform; shared code has no platform #ifdefs.
  "targets": [
    {
      "target_name": "iocp_monitor",
      "cflags_cc!": ["-fno-exceptions", "-fno-rtti"],
      "cflags_cc": ["-std=c++17", "-O2", "-Wall", "-Wextra", "-Wno-unused-parameter", "-Wno-missing-field-initializers"],
      "include_dirs": ["<!(node -p \"require('node-addon-api').include_dir\")"],
      "defines": ["NAPI_VERSION=8", "NAPI_CPP_EXCEPTIONS"],
      # One source list (sources.json) for node-gyp and for the mingw-w64 Windows build
      # (scripts/win/build-addon.mjs); gyp runs these commands in this file's directory.
      "sources": ["<!@(node -p \"require('./sources.json').common.join(' ')\")"],
      "conditions": [
        ["OS=='linux'", {
          "sources": ["<!@(node -p \"require('./sources.json').linux.join(' ')\")"],
          "libraries": ["-luring", "-lpthread"]
        }],
        ["OS=='win'", {
          "sources": ["<!@(node -p \"require('./sources.json').win.join(' ')\")"],
          "libraries": ["<!@(node -p \"require('./sources.json').winLibraries.map((l) => l + '.lib').join(' ')\")"],
          "msvs_settings": {"VCCLCompilerTool": {"ExceptionHandling": 1, "AdditionalOptions": ["/std:c++17"]}}
        }]
      ]
    }
  ]
}
