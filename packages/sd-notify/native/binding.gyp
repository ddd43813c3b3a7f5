{
  "targets": [
    {
      "target_name": "sd_notify_native",
      "sources": ["sd_notify_native.c", "host_native.c", "xfer_native.c"],
      "cflags": ["-std=gnu11", "-Wall", "-Wextra", "-Wno-unused-parameter"],
      "defines": ["NAPI_VERSION=8"]
    }
  ]
}
