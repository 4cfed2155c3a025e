// The part of libcurl's interface that CCurl uses, declared here so that building needs no libcurl
// development package: the library is loaded at run time (dlopen), so only its types and constants are
// needed at build time, and those are libcurl's stable ABI (an option's number never changes once
// released). `scripts/check-curl-abi` compares every value below with libcurl's own <curl/curl.h>; the
// test command runs it.
#ifndef TICKETING_CURL_ABI_H
#define TICKETING_CURL_ABI_H

#include <stdint.h>

/// An easy handle (`CURL` in <curl/curl.h>).
typedef void CURL;

/// libcurl's 64-bit file offset (`curl_off_t`).
typedef int64_t curl_off_t;

/// A linked list of strings (`struct curl_slist`): request headers.
struct curl_slist {
    char *data;
    struct curl_slist *next;
};

/// The result codes CurlHTTP tells apart (`CURLcode`).
typedef enum {
    CURLE_OK = 0,
    CURLE_UNSUPPORTED_PROTOCOL = 1,
    CURLE_URL_MALFORMAT = 3,
    CURLE_COULDNT_RESOLVE_PROXY = 5,
    CURLE_COULDNT_RESOLVE_HOST = 6,
    CURLE_COULDNT_CONNECT = 7,
    CURLE_WEIRD_SERVER_REPLY = 8,
    CURLE_HTTP2 = 16,
    CURLE_PARTIAL_FILE = 18,
    CURLE_OPERATION_TIMEDOUT = 28,
    CURLE_SSL_CONNECT_ERROR = 35,
    CURLE_ABORTED_BY_CALLBACK = 42,
    CURLE_UNKNOWN_OPTION = 48,
    CURLE_GOT_NOTHING = 52,
    CURLE_SEND_ERROR = 55,
    CURLE_RECV_ERROR = 56,
    CURLE_SSL_CERTPROBLEM = 58,
    CURLE_SSL_CIPHER = 59,
    CURLE_PEER_FAILED_VERIFICATION = 60,
    CURLE_SSL_CACERT_BADFILE = 77,
    CURLE_SSL_ISSUER_ERROR = 83,
    CURLE_HTTP2_STREAM = 92,
} CURLcode;

/// The options CurlHTTP sets (`CURLoption`): a type base (long 0, pointer 10000, function 20000, offset
/// 30000) plus the option's number.
typedef enum {
    CURLOPT_WRITEDATA = 10001,
    CURLOPT_URL = 10002,
    CURLOPT_ERRORBUFFER = 10010,
    CURLOPT_WRITEFUNCTION = 20011,
    CURLOPT_HTTPHEADER = 10023,
    CURLOPT_HEADERDATA = 10029,
    CURLOPT_CUSTOMREQUEST = 10036,
    CURLOPT_NOPROGRESS = 43,
    CURLOPT_NOBODY = 44,
    CURLOPT_FOLLOWLOCATION = 52,
    CURLOPT_XFERINFODATA = 10057,
    CURLOPT_HEADERFUNCTION = 20079,
    CURLOPT_HTTPGET = 80,
    CURLOPT_NOSIGNAL = 99,
    CURLOPT_POSTFIELDSIZE_LARGE = 30120,
    CURLOPT_TCP_NODELAY = 121,
    CURLOPT_TIMEOUT_MS = 155,
    CURLOPT_COPYPOSTFIELDS = 10165,
    CURLOPT_PROTOCOLS = 181,
    CURLOPT_XFERINFOFUNCTION = 20219,
    CURLOPT_PROTOCOLS_STR = 10318,
} CURLoption;

/// The transfer facts CurlHTTP reads (`CURLINFO`): a type base (long 0x200000) plus the fact's number.
typedef enum {
    CURLINFO_RESPONSE_CODE = 0x200002,
} CURLINFO;

/// `curl_global_init`'s flags: SSL and Win32 sockets.
#define CURL_GLOBAL_ALL 3L
/// Protocol bits for `CURLOPT_PROTOCOLS` (libcurl before 7.85).
#define CURLPROTO_HTTP (1 << 0)
#define CURLPROTO_HTTPS (1 << 1)
/// The size `CURLOPT_ERRORBUFFER`'s buffer must have.
#define CURL_ERROR_SIZE 256

#endif
