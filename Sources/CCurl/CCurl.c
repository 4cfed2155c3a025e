#include "CCurl.h"

#include <dlfcn.h>
#include <pthread.h>
#include <stdio.h>
#include <string.h>

static struct {
    CURLcode (*global_init)(long flags);
    CURL *(*easy_init)(void);
    void (*easy_reset)(CURL *handle);
    void (*easy_cleanup)(CURL *handle);
    CURLcode (*easy_perform)(CURL *handle);
    const char *(*easy_strerror)(CURLcode code);
    CURLcode (*easy_setopt)(CURL *handle, CURLoption option, ...);
    CURLcode (*easy_getinfo)(CURL *handle, CURLINFO info, ...);
    struct curl_slist *(*slist_append)(struct curl_slist *list, const char *string);
    void (*slist_free_all)(struct curl_slist *list);
} api;

static pthread_once_t once = PTHREAD_ONCE_INIT;
static char load_error[512];
static int load_status = -1;

#define TICKETING_CURL_SYMBOL(field, name)                                                                   \
    do {                                                                                                     \
        *(void **)(&api.field) = dlsym(library, name);                                                       \
        if (api.field == NULL) {                                                                             \
            snprintf(load_error, sizeof load_error, "libcurl.so.4 has no %s", name);                        \
            return;                                                                                          \
        }                                                                                                    \
    } while (0)

static void load(void) {
    void *library = dlopen("libcurl.so.4", RTLD_NOW | RTLD_LOCAL);
    if (library == NULL) {
        const char *reason = dlerror();
        snprintf(load_error, sizeof load_error, "cannot load libcurl.so.4 (install libcurl4): %s",
                 reason ? reason : "unknown error");
        return;
    }
    TICKETING_CURL_SYMBOL(global_init, "curl_global_init");
    TICKETING_CURL_SYMBOL(easy_init, "curl_easy_init");
    TICKETING_CURL_SYMBOL(easy_reset, "curl_easy_reset");
    TICKETING_CURL_SYMBOL(easy_cleanup, "curl_easy_cleanup");
    TICKETING_CURL_SYMBOL(easy_perform, "curl_easy_perform");
    TICKETING_CURL_SYMBOL(easy_strerror, "curl_easy_strerror");
    TICKETING_CURL_SYMBOL(easy_setopt, "curl_easy_setopt");
    TICKETING_CURL_SYMBOL(easy_getinfo, "curl_easy_getinfo");
    TICKETING_CURL_SYMBOL(slist_append, "curl_slist_append");
    TICKETING_CURL_SYMBOL(slist_free_all, "curl_slist_free_all");
    CURLcode code = api.global_init(CURL_GLOBAL_ALL);
    if (code != CURLE_OK) {
        snprintf(load_error, sizeof load_error, "curl_global_init failed: %s", api.easy_strerror(code));
        return;
    }
    load_status = 0;
}

int ticketing_curl_load(char *error, size_t size) {
    pthread_once(&once, load);
    if (load_status != 0 && error != NULL && size > 0) {
        snprintf(error, size, "%s", load_error);
    }
    return load_status;
}

CURL *ticketing_curl_easy_init(void) { return load_status == 0 ? api.easy_init() : NULL; }

void ticketing_curl_easy_reset(CURL *handle) { api.easy_reset(handle); }

void ticketing_curl_easy_cleanup(CURL *handle) { api.easy_cleanup(handle); }

CURLcode ticketing_curl_easy_perform(CURL *handle) { return api.easy_perform(handle); }

const char *ticketing_curl_easy_strerror(CURLcode code) {
    return load_status == 0 ? api.easy_strerror(code) : "libcurl is not loaded";
}

CURLcode ticketing_curl_setopt_long(CURL *handle, CURLoption option, long value) {
    return api.easy_setopt(handle, option, value);
}

CURLcode ticketing_curl_setopt_off(CURL *handle, CURLoption option, curl_off_t value) {
    return api.easy_setopt(handle, option, value);
}

CURLcode ticketing_curl_setopt_pointer(CURL *handle, CURLoption option, const void *value) {
    return api.easy_setopt(handle, option, value);
}

CURLcode ticketing_curl_set_callbacks(
    CURL *handle, ticketing_curl_data_callback body, ticketing_curl_data_callback header,
    ticketing_curl_progress_callback progress, void *user) {
    CURLcode code;
    if ((code = api.easy_setopt(handle, CURLOPT_WRITEFUNCTION, body)) != CURLE_OK) return code;
    if ((code = api.easy_setopt(handle, CURLOPT_WRITEDATA, user)) != CURLE_OK) return code;
    if ((code = api.easy_setopt(handle, CURLOPT_HEADERFUNCTION, header)) != CURLE_OK) return code;
    if ((code = api.easy_setopt(handle, CURLOPT_HEADERDATA, user)) != CURLE_OK) return code;
    if ((code = api.easy_setopt(handle, CURLOPT_XFERINFOFUNCTION, progress)) != CURLE_OK) return code;
    if ((code = api.easy_setopt(handle, CURLOPT_XFERINFODATA, user)) != CURLE_OK) return code;
    return api.easy_setopt(handle, CURLOPT_NOPROGRESS, 0L);
}

CURLcode ticketing_curl_allow_http_only(CURL *handle) {
    CURLcode code = api.easy_setopt(handle, CURLOPT_PROTOCOLS_STR, "http,https");
    if (code == CURLE_UNKNOWN_OPTION) {
        code = api.easy_setopt(handle, CURLOPT_PROTOCOLS, (long)(CURLPROTO_HTTP | CURLPROTO_HTTPS));
    }
    return code;
}

CURLcode ticketing_curl_getinfo_long(CURL *handle, CURLINFO info, long *value) {
    return api.easy_getinfo(handle, info, value);
}

struct curl_slist *ticketing_curl_slist_append(struct curl_slist *list, const char *string) {
    return api.slist_append(list, string);
}

void ticketing_curl_slist_free_all(struct curl_slist *list) {
    if (list != NULL) api.slist_free_all(list);
}
