#ifndef KUBE_SINGLETON_CCURL_SHIM_H
#define KUBE_SINGLETON_CCURL_SHIM_H
/* libcurl for KubeCurl and the sandbox, loaded on first use: the programs link no libcurl, so
 * a command that never talks to an API server (`kubectl-singleton version`, `lint`, shell
 * completion) does not pay for loading libcurl and the thirty libraries it depends on.
 * ks_curl_load() opens libcurl.so.4 once and answers NULL, or why it could not.
 * The typed setters wrap libcurl's variadic curl_easy_setopt / curl_easy_getinfo, which Swift
 * cannot call. Only KubeCurl/Curl.swift and KubeSandbox's webhook transport use them. */
#include <curl/curl.h>
#include <dlfcn.h>
#include <pthread.h>
#include <stddef.h>

typedef size_t (*ks_curl_write_cb)(char *ptr, size_t size, size_t nmemb, void *userdata);
typedef int (*ks_curl_xferinfo_cb)(void *clientp, curl_off_t dltotal, curl_off_t dlnow,
                                   curl_off_t ultotal, curl_off_t ulnow);

struct ks_curl_functions {
    const char *error;
    CURLcode (*global_init)(long);
    CURL *(*easy_init)(void);
    void (*easy_cleanup)(CURL *);
    void (*easy_reset)(CURL *);
    CURLcode (*easy_perform)(CURL *);
    const char *(*easy_strerror)(CURLcode);
    CURLcode (*easy_setopt)(CURL *, CURLoption, ...);
    CURLcode (*easy_getinfo)(CURL *, CURLINFO, ...);
    struct curl_slist *(*slist_append)(struct curl_slist *, const char *);
    void (*slist_free_all)(struct curl_slist *);
};

/* The table lives in a function (a header's static variable would not be emitted for Swift). */
static inline struct ks_curl_functions *ks_curl_table(void) {
    static struct ks_curl_functions table;
    return &table;
}
#define ks_curl_fn (*ks_curl_table())

static inline void ks_curl_open(void) {
    void *lib = dlopen("libcurl.so.4", RTLD_NOW | RTLD_LOCAL);
    if (!lib) lib = dlopen("libcurl.so", RTLD_NOW | RTLD_LOCAL);
    if (!lib) { ks_curl_fn.error = dlerror(); if (!ks_curl_fn.error) ks_curl_fn.error = "libcurl.so.4 not found"; return; }
#define KS_CURL_SYMBOL(field, name) \
    *(void **)(&ks_curl_fn.field) = dlsym(lib, name); \
    if (!ks_curl_fn.field) { ks_curl_fn.error = "libcurl.so.4 lacks " name; return; }
    KS_CURL_SYMBOL(global_init, "curl_global_init")
    KS_CURL_SYMBOL(easy_init, "curl_easy_init")
    KS_CURL_SYMBOL(easy_cleanup, "curl_easy_cleanup")
    KS_CURL_SYMBOL(easy_reset, "curl_easy_reset")
    KS_CURL_SYMBOL(easy_perform, "curl_easy_perform")
    KS_CURL_SYMBOL(easy_strerror, "curl_easy_strerror")
    KS_CURL_SYMBOL(easy_setopt, "curl_easy_setopt")
    KS_CURL_SYMBOL(easy_getinfo, "curl_easy_getinfo")
    KS_CURL_SYMBOL(slist_append, "curl_slist_append")
    KS_CURL_SYMBOL(slist_free_all, "curl_slist_free_all")
#undef KS_CURL_SYMBOL
}

/* NULL once libcurl is loaded; else what went wrong (every other function needs it loaded). */
static inline const char *ks_curl_load(void) {
    static pthread_once_t once = PTHREAD_ONCE_INIT;
    pthread_once(&once, ks_curl_open);
    return ks_curl_fn.error;
}

static inline CURLcode ks_curl_global_init(long flags) { return ks_curl_fn.global_init(flags); }
static inline CURL *ks_curl_easy_init(void) { return ks_curl_fn.easy_init(); }
static inline void ks_curl_easy_cleanup(CURL *h) { ks_curl_fn.easy_cleanup(h); }
static inline void ks_curl_easy_reset(CURL *h) { ks_curl_fn.easy_reset(h); }
static inline CURLcode ks_curl_easy_perform(CURL *h) { return ks_curl_fn.easy_perform(h); }
static inline const char *ks_curl_easy_strerror(CURLcode c) { return ks_curl_fn.easy_strerror(c); }
static inline struct curl_slist *ks_curl_slist_append(struct curl_slist *l, const char *s) { return ks_curl_fn.slist_append(l, s); }
static inline void ks_curl_slist_free_all(struct curl_slist *l) { ks_curl_fn.slist_free_all(l); }

static inline CURLcode ks_curl_setopt_long(CURL *h, CURLoption o, long v) { return ks_curl_fn.easy_setopt(h, o, v); }
static inline CURLcode ks_curl_setopt_string(CURL *h, CURLoption o, const char *v) { return ks_curl_fn.easy_setopt(h, o, v); }
static inline CURLcode ks_curl_setopt_pointer(CURL *h, CURLoption o, void *v) { return ks_curl_fn.easy_setopt(h, o, v); }
static inline CURLcode ks_curl_setopt_slist(CURL *h, CURLoption o, struct curl_slist *v) { return ks_curl_fn.easy_setopt(h, o, v); }
static inline CURLcode ks_curl_setopt_offt(CURL *h, CURLoption o, curl_off_t v) { return ks_curl_fn.easy_setopt(h, o, v); }
static inline CURLcode ks_curl_setopt_write_cb(CURL *h, CURLoption o, ks_curl_write_cb v) { return ks_curl_fn.easy_setopt(h, o, v); }
static inline CURLcode ks_curl_setopt_xferinfo_cb(CURL *h, ks_curl_xferinfo_cb v) { return ks_curl_fn.easy_setopt(h, CURLOPT_XFERINFOFUNCTION, v); }
/* Blob options copy the bytes (CURL_BLOB_COPY): PEM material never touches the disk. */
static inline CURLcode ks_curl_setopt_blob(CURL *h, CURLoption o, const void *data, size_t len) {
    struct curl_blob b; b.data = (void *)data; b.len = len; b.flags = CURL_BLOB_COPY;
    return ks_curl_fn.easy_setopt(h, o, &b);
}
static inline CURLcode ks_curl_getinfo_long(CURL *h, CURLINFO i, long *out) { return ks_curl_fn.easy_getinfo(h, i, out); }
static inline CURLcode ks_curl_getinfo_string(CURL *h, CURLINFO i, char **out) { return ks_curl_fn.easy_getinfo(h, i, out); }

#endif
