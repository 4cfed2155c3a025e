// libcurl, loaded when first used instead of linked: a process that never sends an HTTP request does not
// load libcurl and the ~35 libraries it needs (TLS, Kerberos, LDAP, IDN, ...), which cost more start-up time
// than the rest of the program. The functions below call into the loaded library; CurlABI.h declares the
// types and constants they take, checked against libcurl's own header by `scripts/check-curl-abi`.
#ifndef TICKETING_CCURL_H
#define TICKETING_CCURL_H

#include "CurlABI.h"
#include <stddef.h>

/// Loads libcurl (libcurl.so.4) and initializes it, once per process; later calls return the first result.
/// Returns 0 when libcurl is ready; otherwise non-zero, with why in `error` (at most `size` bytes).
int ticketing_curl_load(char *error, size_t size);

/// `curl_easy_init`; NULL when libcurl is not loaded or out of memory.
CURL *ticketing_curl_easy_init(void);
/// `curl_easy_reset`: forgets the options but keeps the connections the handle opened.
void ticketing_curl_easy_reset(CURL *handle);
/// `curl_easy_cleanup`.
void ticketing_curl_easy_cleanup(CURL *handle);
/// `curl_easy_perform`: runs the transfer on the calling thread.
CURLcode ticketing_curl_easy_perform(CURL *handle);
/// `curl_easy_strerror`.
const char *ticketing_curl_easy_strerror(CURLcode code);

/// `curl_easy_setopt` with a `long` argument.
CURLcode ticketing_curl_setopt_long(CURL *handle, CURLoption option, long value);
/// `curl_easy_setopt` with a `curl_off_t` argument.
CURLcode ticketing_curl_setopt_off(CURL *handle, CURLoption option, curl_off_t value);
/// `curl_easy_setopt` with a pointer argument (a string, a list or user data).
CURLcode ticketing_curl_setopt_pointer(CURL *handle, CURLoption option, const void *value);

/// The body and header callbacks' shape (`CURLOPT_WRITEFUNCTION`, `CURLOPT_HEADERFUNCTION`).
typedef size_t (*ticketing_curl_data_callback)(char *data, size_t size, size_t count, void *user);
/// The progress callback's shape (`CURLOPT_XFERINFOFUNCTION`): non-zero aborts the transfer.
typedef int (*ticketing_curl_progress_callback)(
    void *user, curl_off_t download_total, curl_off_t downloaded, curl_off_t upload_total, curl_off_t uploaded);

/// Sets the body (`CURLOPT_WRITEFUNCTION`) and header (`CURLOPT_HEADERFUNCTION`) callbacks and the progress
/// callback (`CURLOPT_XFERINFOFUNCTION`, with progress reports on), each called with `user`.
CURLcode ticketing_curl_set_callbacks(
    CURL *handle, ticketing_curl_data_callback body, ticketing_curl_data_callback header,
    ticketing_curl_progress_callback progress, void *user);

/// Limits the handle to `http` and `https` URLs (`CURLOPT_PROTOCOLS_STR`, or the older bit mask before
/// libcurl 7.85).
CURLcode ticketing_curl_allow_http_only(CURL *handle);

/// `curl_easy_getinfo` of a `long`.
CURLcode ticketing_curl_getinfo_long(CURL *handle, CURLINFO info, long *value);

/// `curl_slist_append`; NULL on failure (the list given is then left as it was).
struct curl_slist *ticketing_curl_slist_append(struct curl_slist *list, const char *string);
/// `curl_slist_free_all`.
void ticketing_curl_slist_free_all(struct curl_slist *list);

#endif
