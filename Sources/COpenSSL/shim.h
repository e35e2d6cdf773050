#ifndef SKILLBANK_COPENSSL_SHIM_H
#define SKILLBANK_COPENSSL_SHIM_H

#include <openssl/evp.h>
#include <openssl/err.h>
#include <openssl/rand.h>
#include <openssl/crypto.h>
#include <openssl/hmac.h>
#include <openssl/params.h>
#include <openssl/core_names.h>
#include <openssl/pem.h>
#include <openssl/bio.h>
#include <openssl/kdf.h>

/// Adapters for macros and variadic functions that Swift cannot import directly.

static inline int skillbank_aead_set_ivlen(EVP_CIPHER_CTX *ctx, int len) {
    return EVP_CIPHER_CTX_ctrl(ctx, EVP_CTRL_GCM_SET_IVLEN, len, NULL);
}

static inline int skillbank_aead_get_tag(EVP_CIPHER_CTX *ctx, unsigned char *tag, int len) {
    return EVP_CIPHER_CTX_ctrl(ctx, EVP_CTRL_GCM_GET_TAG, len, tag);
}

static inline int skillbank_aead_set_tag(EVP_CIPHER_CTX *ctx, unsigned char *tag, int len) {
    return EVP_CIPHER_CTX_ctrl(ctx, EVP_CTRL_GCM_SET_TAG, len, tag);
}

static inline EVP_PKEY *skillbank_ed25519_keygen(void) {
    return EVP_PKEY_Q_keygen(NULL, NULL, "ED25519");
}

static inline long skillbank_bio_mem_data(BIO *bio, char **out) {
    return BIO_get_mem_data(bio, out);
}

/// OSSL_PARAM builders whose names are C string literals with static storage (Swift would pass
/// a temporary copy of the macro's string, which the parameter array would outlive).
static inline OSSL_PARAM skillbank_kdf_param_digest(char *name) {
    return OSSL_PARAM_construct_utf8_string(OSSL_KDF_PARAM_DIGEST, name, 0);
}
static inline OSSL_PARAM skillbank_kdf_param_key(void *bytes, size_t length) {
    return OSSL_PARAM_construct_octet_string(OSSL_KDF_PARAM_KEY, bytes, length);
}
static inline OSSL_PARAM skillbank_kdf_param_salt(void *bytes, size_t length) {
    return OSSL_PARAM_construct_octet_string(OSSL_KDF_PARAM_SALT, bytes, length);
}
static inline OSSL_PARAM skillbank_kdf_param_info(void *bytes, size_t length) {
    return OSSL_PARAM_construct_octet_string(OSSL_KDF_PARAM_INFO, bytes, length);
}

#endif
