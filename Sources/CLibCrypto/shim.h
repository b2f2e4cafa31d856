#ifndef HEARSAY_CLIBCRYPTO_SHIM_H
#define HEARSAY_CLIBCRYPTO_SHIM_H
// OpenSSL 3 marks the SHA256_* calls deprecated in favour of EVP, whose digest contexts are
// heap objects; a SHA256_CTX is plain memory, so a precomputed HMAC state copies for free.
#define OPENSSL_SUPPRESS_DEPRECATED 1
#include <openssl/sha.h>
#include <openssl/hmac.h>
#include <openssl/evp.h>
#endif
