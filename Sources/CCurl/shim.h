#ifndef KUBE_SINGLETON_CCURL_SHIM_H
#define KUBE_SINGLETON_CCURL_SHIM_H
/* Typed wrappers around libcurl's variadic setters: Swift cannot call
 * curl_easy_setopt / curl_easy_getinfo directly. Only KubeClient/Curl.swift uses them. */
#include <curl/curl.h>

typedef size_t (*ks_curl_write_cb)(char *ptr, size_t size, size_t nmemb, void *userdata);
typedef int (*ks_curl_xferinfo_cb)(void *clientp, curl_off_t dltotal, curl_off_t dlnow,
                                   curl_off_t ultotal, curl_off_t ulnow);

static inline CURLcode ks_curl_setopt_long(CURL *h, CURLoption o, long v) { return curl_easy_setopt(h, o, v); }
static inline CURLcode ks_curl_setopt_string(CURL *h, CURLoption o, const char *v) { return curl_easy_setopt(h, o, v); }
static inline CURLcode ks_curl_setopt_pointer(CURL *h, CURLoption o, void *v) { return curl_easy_setopt(h, o, v); }
static inline CURLcode ks_curl_setopt_slist(CURL *h, CURLoption o, struct curl_slist *v) { return curl_easy_setopt(h, o, v); }
static inline CURLcode ks_curl_setopt_offt(CURL *h, CURLoption o, curl_off_t v) { return curl_easy_setopt(h, o, v); }
static inline CURLcode ks_curl_setopt_write_cb(CURL *h, CURLoption o, ks_curl_write_cb v) { return curl_easy_setopt(h, o, v); }
static inline CURLcode ks_curl_setopt_xferinfo_cb(CURL *h, ks_curl_xferinfo_cb v) { return curl_easy_setopt(h, CURLOPT_XFERINFOFUNCTION, v); }
/* Blob options copy the bytes (CURL_BLOB_COPY): PEM material never touches the disk. */
static inline CURLcode ks_curl_setopt_blob(CURL *h, CURLoption o, const void *data, size_t len) {
    struct curl_blob b; b.data = (void *)data; b.len = len; b.flags = CURL_BLOB_COPY;
    return curl_easy_setopt(h, o, &b);
}
static inline CURLcode ks_curl_getinfo_long(CURL *h, CURLINFO i, long *out) { return curl_easy_getinfo(h, i, out); }
static inline CURLcode ks_curl_getinfo_string(CURL *h, CURLINFO i, char **out) { return curl_easy_getinfo(h, i, out); }

#endif
