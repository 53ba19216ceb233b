#ifndef KUBE_SINGLETON_COPENSSL_SHIM_H
#define KUBE_SINGLETON_COPENSSL_SHIM_H
/* Typed wrappers over OpenSSL macros Swift cannot import. Only one Swift wrapper uses them. */
#include <openssl/bio.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/ec.h>
#include <openssl/pem.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>
#include <openssl/bn.h>
#include <openssl/rand.h>

static inline long ks_bio_get_mem_data(BIO *b, char **pp) { return BIO_get_mem_data(b, pp); }
static inline int ks_x509_set_version3(X509 *x) { return X509_set_version(x, 2); }
static inline ASN1_TIME *ks_x509_not_before(X509 *x) { return X509_getm_notBefore(x); }
static inline ASN1_TIME *ks_x509_not_after(X509 *x) { return X509_getm_notAfter(x); }
static inline void ks_x509v3_set_ctx_nodb(X509V3_CTX *ctx) { X509V3_set_ctx_nodb(ctx); }

#endif
