#ifndef HEARSAY_CLIBUV_SHIM_H
#define HEARSAY_CLIBUV_SHIM_H
#include <uv.h>
#endif
