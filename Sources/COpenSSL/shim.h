// OpenSSL 3 from the system (Debian: libssl-dev), for webserv's TLS transport
// and confcheck's certificate checks. Only the headers those use.
#include <openssl/ssl.h>
#include <openssl/err.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>
#include <openssl/pem.h>
#include <openssl/evp.h>
#include <openssl/rand.h>
