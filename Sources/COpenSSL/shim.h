// OpenSSL 3 from the system (Debian: libssl-dev), for webserv's TLS transport
// and confcheck's certificate checks. Only the headers those use.
#include <openssl/ssl.h>
#include <openssl/err.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>
#include <openssl/pem.h>
#include <openssl/evp.h>
#include <openssl/rand.h>

// Wrappers for OpenSSL macros Swift cannot import (function-like macros over
// SSL_CTX_ctrl, and option bits made by SSL_OP_BIT), for webserv's TLS transport.

static inline long webserv_ssl_ctx_set_mode(SSL_CTX *ctx, long mode) { return SSL_CTX_set_mode(ctx, mode); }
static inline long webserv_ssl_mode_server(void) {
    // Buffers released while idle; a write may end after some records; the
    // caller retries with the same bytes at another address.
    return SSL_MODE_RELEASE_BUFFERS | SSL_MODE_ENABLE_PARTIAL_WRITE | SSL_MODE_ACCEPT_MOVING_WRITE_BUFFER;
}
static inline uint64_t webserv_ssl_op_no_protocols(int sslv3, int tls1, int tls11, int tls12, int tls13) {
    uint64_t op = SSL_OP_NO_SSLv2;
    if (!sslv3) op |= SSL_OP_NO_SSLv3;
    if (!tls1) op |= SSL_OP_NO_TLSv1;
    if (!tls11) op |= SSL_OP_NO_TLSv1_1;
    if (!tls12) op |= SSL_OP_NO_TLSv1_2;
    if (!tls13) op |= SSL_OP_NO_TLSv1_3;
    return op;
}
static inline uint64_t webserv_ssl_op_cipher_server_preference(void) { return SSL_OP_CIPHER_SERVER_PREFERENCE; }
// Kernel TLS where the kernel has it (the `tls` ULP, KernelTLS.available): OpenSSL
// hands it the keys after the handshake, and falls back to its own records where it cannot.
static inline uint64_t webserv_ssl_op_enable_ktls(void) {
#ifdef SSL_OP_ENABLE_KTLS
    return SSL_OP_ENABLE_KTLS;
#else
    return 0;
#endif
}
static inline uint64_t webserv_ssl_op_server(int prefer_server_ciphers, int tickets, int kernel_tls) {
    // No compression (CRIME), no renegotiation; a client that closes without
    // close_notify has ended its stream (as nginx treats it), not failed.
    uint64_t op = SSL_OP_NO_COMPRESSION | SSL_OP_NO_RENEGOTIATION | SSL_OP_IGNORE_UNEXPECTED_EOF;
    if (kernel_tls) op |= webserv_ssl_op_enable_ktls();
#ifdef SSL_OP_NO_CLIENT_RENEGOTIATION
    op |= SSL_OP_NO_CLIENT_RENEGOTIATION;
#endif
    if (prefer_server_ciphers) op |= webserv_ssl_op_cipher_server_preference();
    if (!tickets) op |= SSL_OP_NO_TICKET;
    return op;
}
// The kernel encrypts what this SSL sends (kernel TLS took its send side), so SSL_sendfile works.
static inline int webserv_ssl_kernel_sends(SSL *ssl) { return BIO_get_ktls_send(SSL_get_wbio(ssl)) > 0; }
static inline long webserv_ssl_ctx_set_session_cache(SSL_CTX *ctx, int on, long size) {
    SSL_CTX_sess_set_cache_size(ctx, size);
    return SSL_CTX_set_session_cache_mode(ctx, on ? SSL_SESS_CACHE_SERVER : SSL_SESS_CACHE_OFF);
}
static inline long webserv_ssl_ctx_set_ticket_keys(SSL_CTX *ctx, unsigned char *keys, long length) {
    return SSL_CTX_set_tlsext_ticket_keys(ctx, keys, length);
}
static inline long webserv_ssl_ctx_set_dh_auto(SSL_CTX *ctx) { return SSL_CTX_set_dh_auto(ctx, 1); }
static inline long webserv_ssl_ctx_set_servername_callback(SSL_CTX *ctx, int (*callback)(SSL *, int *, void *)) {
    return SSL_CTX_set_tlsext_servername_callback(ctx, callback);
}

// ALPN: http/1.1 when the client offers it; a client that offers only
// others (h2 alone) is refused, as nginx does.
static inline int webserv_alpn_select(SSL *ssl, const unsigned char **out, unsigned char *outlen,
                                      const unsigned char *in, unsigned int inlen, void *arg) {
    static const unsigned char http11[] = "\x08http/1.1";
    (void)ssl; (void)arg;
    if (SSL_select_next_proto((unsigned char **)out, outlen, http11, sizeof(http11) - 1, in, inlen) != OPENSSL_NPN_NEGOTIATED)
        return SSL_TLSEXT_ERR_ALERT_FATAL;
    return SSL_TLSEXT_ERR_OK;
}
static inline void webserv_ssl_ctx_set_alpn_http11(SSL_CTX *ctx) { SSL_CTX_set_alpn_select_cb(ctx, webserv_alpn_select, NULL); }

// A server with http2: h2 first, then http/1.1, in the server's order of
// preference (as nginx offers them); the connection then speaks what was chosen.
static inline int webserv_alpn_select_h2(SSL *ssl, const unsigned char **out, unsigned char *outlen,
                                         const unsigned char *in, unsigned int inlen, void *arg) {
    static const unsigned char protocols[] = "\x02h2\x08http/1.1";
    (void)ssl; (void)arg;
    if (SSL_select_next_proto((unsigned char **)out, outlen, protocols, sizeof(protocols) - 1, in, inlen) != OPENSSL_NPN_NEGOTIATED)
        return SSL_TLSEXT_ERR_ALERT_FATAL;
    return SSL_TLSEXT_ERR_OK;
}
static inline void webserv_ssl_ctx_set_alpn_h2(SSL_CTX *ctx) { SSL_CTX_set_alpn_select_cb(ctx, webserv_alpn_select_h2, NULL); }

// A key with a passphrase fails to load instead of prompting on the terminal.
static inline int webserv_no_password(char *buffer, int size, int rwflag, void *userdata) {
    (void)buffer; (void)size; (void)rwflag; (void)userdata;
    return 0;
}
static inline void webserv_ssl_ctx_refuse_passwords(SSL_CTX *ctx) { SSL_CTX_set_default_passwd_cb(ctx, webserv_no_password); }

// TLS to upstreams (proxy_pass https://): SNI, and sessions kept by webserv
// per server (the new-session callback, as nginx's ngx_ssl_new_client_session:
// a TLS 1.3 session arrives in a ticket after the handshake).
static inline long webserv_ssl_set_tlsext_host_name(SSL *ssl, const char *name) { return SSL_set_tlsext_host_name(ssl, name); }
static inline void webserv_ssl_ctx_set_client_sessions(SSL_CTX *ctx, int (*callback)(SSL *, SSL_SESSION *)) {
    SSL_CTX_set_session_cache_mode(ctx, SSL_SESS_CACHE_CLIENT | SSL_SESS_CACHE_NO_INTERNAL_STORE);
    SSL_CTX_sess_set_new_cb(ctx, callback);
}
static inline void webserv_ssl_ctx_set_no_client_sessions(SSL_CTX *ctx) { SSL_CTX_set_session_cache_mode(ctx, SSL_SESS_CACHE_OFF); }
