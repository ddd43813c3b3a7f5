{
  "targets": [
    {
      "target_name": "vrrp_native",
      "sources": ["vrrp_native.c"],
      "cflags": ["-std=gnu11", "-Wall", "-Wextra", "-Wno-unused-parameter"],
      "defines": ["NAPI_VERSION=8"]
    }
  ]
}
